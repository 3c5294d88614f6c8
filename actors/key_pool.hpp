#pragma once

#include <map>
#include <memory>
#include <vector>

#include "actors/actors.hpp"

namespace caf {
class actor_system;
}

namespace certmint {

/// How many ready keys to keep per algorithm.
using key_pool_targets = std::map<key_algorithm, size_t>;

struct key_pool_state {
  key_maker_actor maker;
  key_pool_targets targets;
  std::map<key_algorithm, std::vector<std::shared_ptr<EVP_PKEY>>> ready;
  bool making = false; ///< one key is being made
  static inline const char* name = "key-pool";
};

/// Keeps `targets` keys of each algorithm ready; every key taken is
/// replaced by asking the maker for a new one, one key at a time. The maker does not know the
/// pool (it only answers requests), so the two hold no reference cycle.
key_pool_actor::behavior_type key_pool(key_pool_actor::stateful_pointer<key_pool_state> self,
                                       key_maker_actor maker, key_pool_targets targets);

struct key_maker_state {
  bool lower_priority = false;
  bool lowered = false;
  static inline const char* name = "key-maker";
};

/// Generates one key per request, on a thread of its own (so a slow RSA
/// generation never holds a CAF scheduler thread); with `lower_priority`
/// the thread is niced on first use.
key_maker_actor::behavior_type key_maker(key_maker_actor::stateful_pointer<key_maker_state> self,
                                         bool lower_priority);

/// Spawns a maker on a thread of its own.
key_maker_actor spawn_key_maker(caf::actor_system& sys, bool lower_priority);

/// Spawns the pool; it starts filling at once.
key_pool_actor spawn_key_pool(caf::actor_system& sys, key_maker_actor maker,
                              key_pool_targets targets);

} // namespace certmint
