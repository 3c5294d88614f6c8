#pragma once

#include <cstddef>

#include <caf/actor_system_config.hpp>

namespace certmint {

/// The one actor-system configuration of certmint: scheduler sizing and
/// policy, and the rendering of certmint errors. Tests construct it too.
class system_config : public caf::actor_system_config {
public:
  /// `scheduler_threads` 0 means one per core. The `sharing` policy wakes
  /// workers through a condition variable, so messages sent from HTTP
  /// threads are picked up at once (work stealing polls with sleeps).
  explicit system_config(size_t scheduler_threads = 0);
};

} // namespace certmint
