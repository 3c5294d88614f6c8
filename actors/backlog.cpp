#include "actors/backlog.hpp"

#include <algorithm>

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/system_messages.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "storage/request_index.hpp"
#include "storage/store.hpp"

namespace certmint {

namespace {

using self_ptr = backlog_actor::stateful_pointer<backlog_state>;

// Ids read from the pending index per walk step.
constexpr size_t walk_page = 256;

// The next id of the walk, reading a page ahead when needed; empty at the
// end of the index.
std::string next_walked(backlog_state& st) {
  if (st.walk_next == st.walk_ahead.size()) {
    st.walk_ahead.clear();
    st.walk_next = 0;
    auto cursor = st.db->walk(column::request_index, status_index_prefix(request_status::pending),
                              st.walk_cursor, false);
    for (; cursor.valid() && st.walk_ahead.size() < walk_page; cursor.next()) {
      auto id = cursor.suffix();
      if (id != st.walk_cursor)
        st.walk_ahead.emplace_back(id);
    }
    if (st.walk_ahead.empty())
      return {};
    st.walk_cursor = st.walk_ahead.back();
  }
  return std::move(st.walk_ahead[st.walk_next++]);
}

void restart_walk(backlog_state& st) {
  st.walking = true;
  st.walk_cursor.clear();
  st.walk_ahead.clear();
  st.walk_next = 0;
}

// The next request to drive: what was enqueued first, then the walk.
std::string next_request(backlog_state& st) {
  if (!st.notified.empty()) {
    auto id = std::move(st.notified.front());
    st.notified.pop_front();
    return id;
  }
  for (;;) {
    if (!st.walking) {
      // Notifications were dropped while the queue was full: their requests
      // are in the index, so walk it again, at once when no walk is under
      // way, else when the one under way (which may have passed them) ends.
      // Left to the periodic rewalk, they waited up to `rewalk_interval`
      // with the cores idle.
      if (!st.notified_overflow)
        return {};
      st.notified_overflow = false;
      restart_walk(st);
    }
    auto id = next_walked(st);
    if (!id.empty())
      return id;
    st.walking = false;
  }
}

void drive(self_ptr self, const std::string& id) {
  auto& st = self->state;
  if (st.in_flight.count(id) != 0)
    return;
  auto record = st.db->get_record<request_record>(column::requests, id);
  // A read error leaves the request for the next walk.
  if (!record || !*record || (*record)->status != request_status::pending)
    return;
  auto worker = st.spawn();
  self->monitor(worker);
  st.in_flight.insert(id);
  st.driving.emplace(worker.address(), id);
  self->send(worker, atom::resume_v, std::move(**record));
}

// Fewer at once while request actors serve clients: the CAF scheduler is
// one FIFO, and every step of a client's request would queue behind the
// backlog's verifications and signatures.
size_t bound(const backlog_state& st) {
  auto alive = st.alive->load();
  bool clients = alive > st.in_flight.size();
  return clients ? std::min(st.options.concurrency_when_busy, st.options.concurrency)
                 : st.options.concurrency;
}

void drain(self_ptr self) {
  auto& st = self->state;
  st.drain_scheduled = false;
  // Nothing driven could be stored: pending requests stay in the index
  // for the next start, which recovers the store.
  if (st.db->write_refusal())
    return;
  while (st.in_flight.size() < bound(st)) {
    auto id = next_request(st);
    if (id.empty())
      return;
    drive(self, id);
  }
}

// Drains after the messages already queued (a burst of notifications is
// taken together).
void schedule_drain(self_ptr self) {
  if (self->state.drain_scheduled)
    return;
  self->state.drain_scheduled = true;
  self->send(self, atom::drain_v);
}

} // namespace

backlog_actor::behavior_type backlog(self_ptr self, std::shared_ptr<const store> db,
                                     std::function<request_actor()> spawn,
                                     std::shared_ptr<const std::atomic<size_t>> alive,
                                     backlog_options options) {
  auto& st = self->state;
  st.db = std::move(db);
  st.spawn = std::move(spawn);
  st.alive = std::move(alive);
  st.options = options;
  self->set_down_handler([self](caf::down_msg& down) {
    auto& st = self->state;
    auto it = st.driving.find(down.source);
    if (it == st.driving.end())
      return;
    st.in_flight.erase(it->second);
    st.driving.erase(it);
    schedule_drain(self);
  });
  schedule_drain(self);
  self->delayed_send(self, st.options.rewalk_interval, atom::rewalk_v);
  return {
      [self](atom::enqueue, std::string& id) {
        auto& st = self->state;
        if (st.notified.size() < st.options.max_notified)
          st.notified.push_back(std::move(id));
        else
          st.notified_overflow = true;
        schedule_drain(self);
      },
      [self](atom::drain) { drain(self); },
      [self](atom::rewalk) {
        auto& st = self->state;
        if (!st.walking)
          restart_walk(st);
        schedule_drain(self);
        self->delayed_send(self, st.options.rewalk_interval, atom::rewalk_v);
      },
  };
}

backlog_actor spawn_backlog(caf::actor_system& sys, std::shared_ptr<const store> db,
                            std::function<request_actor()> spawn,
                            std::shared_ptr<const std::atomic<size_t>> alive,
                            backlog_options options) {
  // Idle until its first message (see spawn_backlog's contract).
  return sys.spawn<caf::lazy_init>(backlog, std::move(db), std::move(spawn), std::move(alive),
                                   options);
}

} // namespace certmint
