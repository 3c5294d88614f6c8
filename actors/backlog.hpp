#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <caf/actor_addr.hpp>

#include "actors/actors.hpp"

namespace caf {
class actor_system;
}

namespace certmint {

class store;

struct backlog_options {
  size_t concurrency = 64; ///< pending requests driven at once
  /// ... while clients wait for other requests: their answers come first,
  /// and the backlog drains at full speed when they are done.
  size_t concurrency_when_busy = 16;
  size_t max_notified = 65536; ///< notifications kept; more make it walk again
  std::chrono::milliseconds rewalk_interval{30000};
};

struct backlog_state {
  std::shared_ptr<const store> db;
  std::function<request_actor()> spawn; ///< a request actor outside the HTTP bound
  /// Request actors alive, its own included (the rest serve clients).
  std::shared_ptr<const std::atomic<size_t>> alive;
  backlog_options options;
  /// Ids enqueued since, driven before the walk goes on.
  std::deque<std::string> notified;
  bool notified_overflow = false;
  /// The walk over the pending index: ids read ahead, and the last one read.
  std::vector<std::string> walk_ahead;
  size_t walk_next = 0;
  std::string walk_cursor;
  bool walking = true;
  bool drain_scheduled = false;
  std::unordered_set<std::string> in_flight;
  std::unordered_map<caf::actor_addr, std::string> driving; ///< request actor -> request id
  static inline const char* name = "backlog";
};

/// Walks the pending index from the start at once (what a previous run
/// left), then drives whatever is enqueued, and walks again every
/// `rewalk_interval` when idle. While other request actors are alive
/// (clients are waiting), it drives `concurrency_when_busy` at a time. A request it takes is read
/// again: one no longer pending (cancelled, finished by a duplicate notification) is skipped. The
/// request actors it spawns verify a CSR whose signature was not checked at submission before
/// anything is signed.
backlog_actor::behavior_type backlog(backlog_actor::stateful_pointer<backlog_state> self,
                                     std::shared_ptr<const store> db,
                                     std::function<request_actor()> spawn,
                                     std::shared_ptr<const std::atomic<size_t>> alive,
                                     backlog_options options);

/// Spawned idle: it reads nothing and spawns no request actor until its
/// first message (send it `drain`), so that its owner can finish what the
/// request actors it spawns will use.
backlog_actor spawn_backlog(caf::actor_system& sys, std::shared_ptr<const store> db,
                            std::function<request_actor()> spawn,
                            std::shared_ptr<const std::atomic<size_t>> alive,
                            backlog_options options);

} // namespace certmint
