#pragma once

// One request's way back to its client, usable from any thread.

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>

#include "gateway/http_message.hpp"

namespace certmint {

/// Where an exchange's answer goes: the transport's connection. `deliver`
/// and `add_deadline` may be called from any thread.
class exchange_sink {
public:
  virtual ~exchange_sink() = default;
  /// Sends `res` as the answer to request `generation` of the connection,
  /// unless the connection has moved on (closed, or answered already).
  virtual void deliver(uint64_t generation, http_response res) = 0;
  /// Runs `hook` on the connection's event loop once `when` has passed,
  /// if request `generation` is still unanswered then.
  virtual void add_deadline(uint64_t generation, std::chrono::steady_clock::time_point when,
                            std::function<void()> hook) = 0;
  /// Every handle of request `generation` is gone and none answered: a
  /// handler bug, answered with 500.
  virtual void abandon(uint64_t generation) = 0;
};

/// The answer channel of one request. Copies share it; the first `respond`
/// is sent and later ones are ignored. If every copy is gone unanswered,
/// the client gets a 500 rather than a connection that hangs.
class http_exchange {
public:
  http_exchange() = default;
  http_exchange(std::shared_ptr<exchange_sink> sink, uint64_t generation)
      : state_(std::make_shared<state>(std::move(sink), generation)) {}

  void respond(http_response res) const {
    if (state_)
      state_->respond(std::move(res));
  }

  /// Runs `hook` on the event loop at `when` if the request is unanswered
  /// by then (the sync bound of an issuance, a hard timeout).
  void at(std::chrono::steady_clock::time_point when, std::function<void()> hook) const {
    if (state_)
      state_->sink->add_deadline(state_->generation, when, std::move(hook));
  }

  bool answered() const { return !state_ || state_->answered.load(); }

private:
  struct state {
    state(std::shared_ptr<exchange_sink> s, uint64_t g) : sink(std::move(s)), generation(g) {}
    state(const state&) = delete;
    state& operator=(const state&) = delete;
    ~state() {
      if (!answered.load())
        sink->abandon(generation);
    }
    void respond(http_response res) {
      if (!answered.exchange(true))
        sink->deliver(generation, std::move(res));
    }
    std::shared_ptr<exchange_sink> sink;
    uint64_t generation;
    std::atomic<bool> answered{false};
  };
  std::shared_ptr<state> state_;
};

} // namespace certmint
