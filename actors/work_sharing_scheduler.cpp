#include "actors/work_sharing_scheduler.hpp"

#include <mutex>
#include <thread>
#include <unordered_set>

#include <caf/actor_system_config.hpp>
#include <caf/detail/thread_safe_actor_clock.hpp>
#include <caf/policy/work_sharing.hpp>
#include <caf/scheduler/coordinator.hpp>

namespace certmint {

namespace {

// CAF's thread-safe clock, minus the wake-up for cancelling the timeouts
// of an actor that never had one.
class timeout_tracking_clock final : public caf::detail::thread_safe_actor_clock {
public:
  using super = caf::detail::thread_safe_actor_clock;

  void set_ordinary_timeout(time_point t, caf::abstract_actor* self, caf::atom_value type,
                            uint64_t id) override {
    remember(self);
    super::set_ordinary_timeout(t, self, type, id);
  }

  void set_request_timeout(time_point t, caf::abstract_actor* self, caf::message_id id) override {
    remember(self);
    super::set_request_timeout(t, self, id);
  }

  void set_multi_timeout(time_point t, caf::abstract_actor* self, caf::atom_value type,
                         uint64_t id) override {
    remember(self);
    super::set_multi_timeout(t, self, type, id);
  }

  // Called by every actor as it terminates: only one that set a timeout
  // can have one to cancel.
  void cancel_timeouts(caf::abstract_actor* self) override {
    {
      std::lock_guard<std::mutex> guard{mutex_};
      if (timed_.erase(self) == 0)
        return;
    }
    super::cancel_timeouts(self);
  }

private:
  void remember(caf::abstract_actor* self) {
    std::lock_guard<std::mutex> guard{mutex_};
    timed_.insert(self);
  }

  std::mutex mutex_;
  std::unordered_set<caf::abstract_actor*> timed_;
};

// The work-sharing coordinator with the clock above. The base class keeps
// running its own clock thread, which then never has anything to do.
class coordinator final : public caf::scheduler::coordinator<caf::policy::work_sharing> {
public:
  using super = caf::scheduler::coordinator<caf::policy::work_sharing>;

  explicit coordinator(caf::actor_system& sys) : super(sys) {}

  caf::detail::thread_safe_actor_clock& clock() noexcept override { return clock_; }

protected:
  void start() override {
    timer_ = std::thread{[this] {
      system().thread_started();
      clock_.run_dispatch_loop();
      system().thread_terminates();
    }};
    super::start();
  }

  void stop() override {
    // Workers first: actors may still set or cancel timeouts while they stop.
    super::stop();
    clock_.cancel_dispatch_loop();
    timer_.join();
  }

private:
  timeout_tracking_clock clock_;
  std::thread timer_;
};

} // namespace

void use_work_sharing_scheduler(caf::actor_system_config& cfg) {
  cfg.module_factories.emplace_back(
      [](caf::actor_system& sys) -> caf::actor_system::module* { return new coordinator(sys); });
}

} // namespace certmint
