#pragma once

#include <chrono>
#include <memory>

#include "actors/actors.hpp"

namespace caf {
class actor_system;
}

namespace certmint {

class store;

struct approval_expirer_state {
  std::shared_ptr<const store> db;
  storage_writer_actor writer;
  std::chrono::milliseconds interval{1000};
  std::chrono::milliseconds timeout{30000};
  static inline const char* name = "approval-expirer";
};

/// Sweeps once at start (so approvals that expired while the server was
/// down are rejected first), then every `interval`. Each due approval is
/// expired by its own compare-and-set transaction: one that an approver
/// decided meanwhile is left as decided.
approval_expirer_actor::behavior_type
approval_expirer(approval_expirer_actor::stateful_pointer<approval_expirer_state> self,
                 std::shared_ptr<const store> db, storage_writer_actor writer,
                 std::chrono::milliseconds interval);

approval_expirer_actor spawn_approval_expirer(caf::actor_system& sys,
                                              std::shared_ptr<const store> db,
                                              storage_writer_actor writer,
                                              std::chrono::milliseconds interval);

} // namespace certmint
