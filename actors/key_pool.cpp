#include "actors/key_pool.hpp"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/caf_error.hpp"
#include "engine/key_generator.hpp"

namespace certmint {

namespace {

// Asks the maker for one key at a time until the target is reached: the
// maker's mailbox never holds a backlog, so it stops within one key
// generation when the server shuts down.
void top_up(key_pool_actor::stateful_pointer<key_pool_state> self) {
  auto& st = self->state;
  if (st.making)
    return;
  for (const auto& [alg, target] : st.targets) {
    if (st.ready[alg].size() >= target)
      continue;
    st.making = true;
    self->request(st.maker, caf::infinite, atom::make_key_v, alg)
        .then(
            [self, alg = alg](pooled_key& made) {
              self->state.making = false;
              if (made.key)
                self->state.ready[alg].push_back(std::move(made.key));
              top_up(self);
            },
            [self](caf::error&) { self->state.making = false; });
    return;
  }
}

} // namespace

key_pool_actor::behavior_type key_pool(key_pool_actor::stateful_pointer<key_pool_state> self,
                                       key_maker_actor maker, key_pool_targets targets) {
  self->state.maker = std::move(maker);
  self->state.targets = std::move(targets);
  top_up(self);
  return {
      [self](atom::take_key, key_algorithm alg) -> pooled_key {
        auto& keys = self->state.ready[alg];
        pooled_key out;
        if (!keys.empty()) {
          out.key = std::move(keys.back());
          keys.pop_back();
        }
        top_up(self);
        return out;
      },
  };
}

key_maker_actor::behavior_type key_maker(key_maker_actor::stateful_pointer<key_maker_state> self,
                                         bool lower_priority) {
  self->state.lower_priority = lower_priority;
  return {
      [self](atom::make_key, key_algorithm alg) -> pooled_key {
        if (self->state.lower_priority && !self->state.lowered) {
          // Linux: a thread id as PRIO_PROCESS target changes only this
          // thread, so refilling yields to the request path under load.
          setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 10);
          self->state.lowered = true;
        }
        pooled_key out;
        if (auto key = generate_key(alg))
          out.key = std::shared_ptr<EVP_PKEY>{key->release(), EVP_PKEY_free};
        return out;
      },
  };
}

key_maker_actor spawn_key_maker(caf::actor_system& sys, bool lower_priority) {
  return sys.spawn<caf::detached>(key_maker, lower_priority);
}

key_pool_actor spawn_key_pool(caf::actor_system& sys, key_maker_actor maker,
                              key_pool_targets targets) {
  return sys.spawn(key_pool, std::move(maker), std::move(targets));
}

} // namespace certmint
