#pragma once

#include <deque>
#include <utility>
#include <vector>

#include <caf/typed_response_promise.hpp>

#include "actors/actors.hpp"

namespace caf {
class actor_system;
}

namespace certmint {

struct key_maker_queue_state {
  std::vector<key_maker_actor> idle;
  std::deque<std::pair<key_algorithm, caf::typed_response_promise<pooled_key>>> waiting;
  static inline const char* name = "key-maker-queue";
};

/// Several key makers behind one queue: each key goes to the first maker
/// that is free, in the order the keys were asked for.
///
/// Why not a maker picked in turn: an RSA-2048 key takes ~190 ms on
/// average here, with a standard deviation of ~110 ms, so a request sent
/// to a maker in turn can wait behind a slow key while another maker has
/// nothing to do. With a shared queue every maker works while keys are
/// wanted.
///
/// It speaks the key maker's protocol, so a caller cannot tell it from one
/// maker. It holds the makers; they do not know it (no reference cycle).
key_maker_actor::behavior_type
key_maker_queue(key_maker_actor::stateful_pointer<key_maker_queue_state> self,
                std::vector<key_maker_actor> makers);

/// Spawns the queue (a scheduled actor: it only hands out work).
key_maker_actor spawn_key_maker_queue(caf::actor_system& sys, std::vector<key_maker_actor> makers);

} // namespace certmint
