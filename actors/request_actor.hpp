#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include <caf/actor_addr.hpp>

#include "actors/actors.hpp"
#include "actors/round_robin_pool.hpp"
#include "engine/openssl_types.hpp"
#include "storage/records.hpp"

namespace caf {
class actor_system;
}

namespace certmint {

class signer_directory;

/// What every request actor works with; shared, immutable after start.
struct issuance_services {
  storage_writer_actor writer;
  std::shared_ptr<round_robin_pool<policy_checker_actor>> checkers;
  std::shared_ptr<signer_directory> signers;
  key_pool_actor key_pool; ///< invalid when no keys are pooled
  /// Makes the RSA keys the pool could not supply, off the scheduler
  /// threads, on makers behind one queue (invalid: made in the request
  /// actor).
  key_maker_actor key_makers;
  /// Where stored `pending` requests go (weak: the backlog holds these
  /// services itself).
  caf::actor_addr backlog;
  /// Request actors alive now; the node admits new ones below a bound.
  std::shared_ptr<std::atomic<size_t>> inflight = std::make_shared<std::atomic<size_t>>(0);
};

/// Holds one unit of `issuance_services::inflight` for the actor's life.
class inflight_slot {
public:
  inflight_slot() = default;
  explicit inflight_slot(std::shared_ptr<std::atomic<size_t>> counter)
      : counter_(std::move(counter)) {}
  inflight_slot(inflight_slot&& other) noexcept = default;
  inflight_slot& operator=(inflight_slot&& other) noexcept {
    release();
    counter_ = std::move(other.counter_);
    return *this;
  }
  inflight_slot(const inflight_slot&) = delete;
  inflight_slot& operator=(const inflight_slot&) = delete;
  ~inflight_slot() { release(); }

private:
  void release() {
    if (counter_)
      counter_->fetch_sub(1);
    counter_.reset();
  }
  std::shared_ptr<std::atomic<size_t>> counter_;
};

struct request_state {
  std::shared_ptr<const issuance_services> services;
  inflight_slot slot; ///< counted by the node since it spawned this actor
  request_record record;
  bool self_signed = false;
  std::vector<std::string> chain_pem;
  std::shared_ptr<EVP_PKEY> generated_key; ///< managed-key and self-signed paths only
  std::string private_key_pem;
  issuance_reply reply;
  bool answered = false;
  int reservations_left = 3;
  bool respond_async = false;
  bool stored = false;         ///< a record of the request is durable
  bool storing_intent = false; ///< the sync bound passed; `pending` is being stored
  bool completing = false;     ///< the certificate is being stored
  bool fallback_due = false;   ///< the sync bound passed before signing began
  bool driven = false;         ///< the backlog resumed it (it signs what it reserves)
  bool csr_deferred = false;   ///< the CSR's signature is not checked yet

  /// Someone waits for this request's answer and has not had it.
  bool awaiting_answer() const { return reply.deliver && !answered; }
  void answer(result<issuance_result> outcome) {
    answered = true;
    reply.deliver(std::move(outcome));
  }

  identity_kind requester_kind = identity_kind::machine;
  std::string idempotency_key; ///< empty: no Idempotency-Key
  idempotency_record idempotency;
  static inline const char* name = "request";
};

/// Drives one issuance request:
///  1. check: a policy checker validates the request against its profile
///     and policy (CSR signature included) and plans the certificate;
///     failures answer at once and leave nothing behind; a request that
///     needs approval is stored `pending_approval` and answered;
///  2. key: on the managed path, from the key pool or freshly made;
///  3. reserve (asynchronous, approved and recovered requests): the request
///     as `pending` with its serial, unique in the serial index, made
///     durable by the storage writer (record intent); synchronous requests
///     skip this (one-phase) unless their bound passed first;
///  4. sign on one of the CA's signers (self-signed: with its own new key);
///  5. complete: the certificate and the request as `issued` in one durable
///     transaction (a reserved request only if it is still `pending`); on a
///     signing or storage error a reserved request becomes `failed` with
///     the message, an unreserved one leaves nothing behind.
/// Replies once, then quits.
request_actor::behavior_type request_actor_impl(request_actor::stateful_pointer<request_state> self,
                                                std::shared_ptr<const issuance_services> services);

/// Spawns a request actor for one issuance.
request_actor spawn_request_actor(caf::actor_system& sys,
                                  std::shared_ptr<const issuance_services> services);

} // namespace certmint
