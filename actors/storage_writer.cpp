#include "actors/storage_writer.hpp"

#include <iostream>

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/caf_error.hpp"
#include "storage/store.hpp"

namespace certmint {

namespace {

void write_queued(storage_writer_state& st) {
  st.batch_scheduled = false;
  if (st.queued.empty())
    return;
  bool refused_before = st.db->write_refusal() != nullptr;
  auto results = st.db->commit_group(st.queued);
  if (!refused_before && st.db->write_refusal())
    std::cerr << "certmint: " << st.db->write_failure_cause()
              << "; refusing every write from now on (reads go on). Fix the cause and restart:"
                 " the WAL replays what was stored"
              << std::endl;
  for (size_t i = 0; i < results.size(); ++i) {
    if (results[i])
      st.waiting[i].deliver(caf::ok_atom::value);
    else
      st.waiting[i].deliver(to_caf_error(results[i].error()));
  }
  st.queued.clear();
  st.waiting.clear();
}

} // namespace

storage_writer_actor::behavior_type
storage_writer(storage_writer_actor::stateful_pointer<storage_writer_state> self,
               std::shared_ptr<store> db) {
  self->state.db = std::move(db);
  return {
      [self](atom::commit, transaction& tx) -> caf::result<caf::ok_atom> {
        auto& st = self->state;
        st.queued.push_back(std::move(tx));
        st.waiting.push_back(self->make_response_promise<caf::ok_atom>());
        if (!st.batch_scheduled) {
          st.batch_scheduled = true;
          self->send(self, atom::batch_v);
        }
        return st.waiting.back();
      },
      [self](atom::batch) { write_queued(self->state); },
      [self](atom::flush) -> caf::ok_atom {
        write_queued(self->state);
        return caf::ok_atom::value;
      },
  };
}

storage_writer_actor spawn_storage_writer(caf::actor_system& sys, std::shared_ptr<store> db) {
  return sys.spawn<caf::detached>(storage_writer, std::move(db));
}

} // namespace certmint
