#include "actors/approval_expirer.hpp"

#include <string>
#include <utility>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "engine/time_format.hpp"
#include "storage/approval_flow.hpp"
#include "storage/request_index.hpp"
#include "storage/store.hpp"

namespace certmint {

namespace {

// At most this many expiries per sweep, so one sweep never holds the
// actor for long; the rest wait for the next one.
constexpr size_t sweep_batch = 256;

void sweep(approval_expirer_actor::stateful_pointer<approval_expirer_state> self) {
  auto& st = self->state;
  auto now = unix_now();
  std::vector<std::string> due;
  auto scanned =
      st.db->scan_prefix(column::approval_expiry, "", [&](std::string_view key, std::string_view) {
        if (approval_expiry_time(key) > now)
          return false;
        due.emplace_back(key);
        return due.size() < sweep_batch;
      });
  if (scanned)
    for (const auto& key : due) {
      auto tx = expire_approval(*st.db, key.substr(8), key, now);
      if (!tx)
        continue; // a read failed; the entry stays for the next sweep
      // A lost compare-and-set means an approver decided first: fine.
      self->request(st.writer, st.timeout, atom::commit_v, std::move(*tx))
          .then([](caf::ok_atom) {}, [](caf::error&) {});
    }
  self->delayed_send(self, st.interval, atom::sweep_v);
}

} // namespace

approval_expirer_actor::behavior_type
approval_expirer(approval_expirer_actor::stateful_pointer<approval_expirer_state> self,
                 std::shared_ptr<const store> db, storage_writer_actor writer,
                 std::chrono::milliseconds interval) {
  self->state.db = std::move(db);
  self->state.writer = std::move(writer);
  self->state.interval = interval;
  self->send(self, atom::sweep_v);
  return {
      [self](atom::sweep) { sweep(self); },
  };
}

approval_expirer_actor spawn_approval_expirer(caf::actor_system& sys,
                                              std::shared_ptr<const store> db,
                                              storage_writer_actor writer,
                                              std::chrono::milliseconds interval) {
  return sys.spawn(approval_expirer, std::move(db), std::move(writer), interval);
}

} // namespace certmint
