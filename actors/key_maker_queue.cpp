#include "actors/key_maker_queue.hpp"

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

namespace certmint {

namespace {

using queue_ptr = key_maker_actor::stateful_pointer<key_maker_queue_state>;

// Hands waiting keys to idle makers, oldest first. A maker that answers,
// with a key or an error, is idle again and takes the next one.
void dispatch(queue_ptr self) {
  auto& st = self->state;
  while (!st.idle.empty() && !st.waiting.empty()) {
    auto maker = std::move(st.idle.back());
    st.idle.pop_back();
    auto alg = st.waiting.front().first;
    auto promise = std::move(st.waiting.front().second);
    st.waiting.pop_front();
    self->request(maker, caf::infinite, atom::make_key_v, alg)
        .then(
            [self, maker, promise](pooled_key& made) mutable {
              promise.deliver(std::move(made));
              self->state.idle.push_back(std::move(maker));
              dispatch(self);
            },
            [self, maker, promise](caf::error& err) mutable {
              promise.deliver(std::move(err));
              self->state.idle.push_back(std::move(maker));
              dispatch(self);
            });
  }
}

} // namespace

key_maker_actor::behavior_type key_maker_queue(queue_ptr self,
                                               std::vector<key_maker_actor> makers) {
  self->state.idle = std::move(makers);
  return {
      [self](atom::make_key, key_algorithm alg) -> caf::result<pooled_key> {
        auto& st = self->state;
        st.waiting.emplace_back(alg, self->make_response_promise<pooled_key>());
        auto promise = st.waiting.back().second;
        dispatch(self);
        return promise;
      },
  };
}

key_maker_actor spawn_key_maker_queue(caf::actor_system& sys, std::vector<key_maker_actor> makers) {
  return sys.spawn(key_maker_queue, std::move(makers));
}

} // namespace certmint
