#pragma once

#include <memory>
#include <vector>

#include <caf/typed_response_promise.hpp>

#include "actors/actors.hpp"

namespace certmint {

class store;

struct storage_writer_state {
  std::shared_ptr<store> db;
  std::vector<transaction> queued;
  std::vector<caf::typed_response_promise<caf::ok_atom>> waiting;
  bool batch_scheduled = false;
  static inline const char* name = "storage-writer";
};

/// The storage writer; spawn it `caf::detached`, because it blocks on fsync.
///
/// Group commit without timers: the first transaction of a batch sends the
/// writer a `batch` message, which lands behind everything already in the
/// mailbox. While one synced write is running, new transactions pile up in
/// the mailbox and all go into the next batch, so the batch size adapts to
/// the load and an idle writer adds no latency.
storage_writer_actor::behavior_type
storage_writer(storage_writer_actor::stateful_pointer<storage_writer_state> self,
               std::shared_ptr<store> db);

/// Spawns the storage writer on a thread of its own.
storage_writer_actor spawn_storage_writer(caf::actor_system& sys, std::shared_ptr<store> db);

} // namespace certmint
