#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <caf/actor_system.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/backlog.hpp"
#include "actors/messages.hpp"
#include "actors/system_config.hpp"
#include "storage/request_index.hpp"
#include "storage/store.hpp"
#include "tests/support/test_pki.hpp"

using namespace certmint;

namespace {

struct stand_in_request_state {
  static inline const char* name = "stand-in-request";
};

// What the stand-in request actors share: the store they complete requests
// in (one at a time: only the storage writer commits in the server), when
// they may, and how many they completed.
struct stand_in_world {
  std::shared_ptr<store> db;
  std::mutex commit_lock;
  std::shared_future<void> go;
  std::atomic<int> completed{0};
  std::atomic<int> failed_commits{0}; ///< counted here: Catch2 checks only on the test's thread
};

// A request actor that, once `go` is set, stores the request it is given as
// issued and quits, which tells the backlog it is done.
request_actor::behavior_type
stand_in_request(request_actor::stateful_pointer<stand_in_request_state> self,
                 const std::shared_ptr<stand_in_world>& world) {
  return {
      [](atom::issue, issuance_input&, identity_record&, bool, issuance_reply&) {},
      [self, world](atom::resume, request_record& record) {
        world->go.wait();
        transaction tx;
        auto previous = record.status;
        record.status = request_status::issued;
        stage_request(tx, record, previous);
        {
          std::lock_guard<std::mutex> guard{world->commit_lock};
          if (!world->db->commit(std::move(tx)))
            ++world->failed_commits;
        }
        ++world->completed;
        self->quit();
      },
      [](atom::fallback) {},
  };
}

void store_pending(store& db, const std::string& id) {
  request_record record;
  record.id = id;
  record.profile_id = "profile";
  record.status = request_status::pending;
  transaction tx;
  stage_request(tx, record, std::nullopt);
  auto committed = db.commit(std::move(tx));
  REQUIRE(committed);
}

} // namespace

TEST_CASE("requests whose notifications overflowed the backlog's queue are driven at once, not at "
          "the next rewalk",
          "[actors][backlog]") {
  test::temp_dir dir;
  auto world = std::make_shared<stand_in_world>();
  world->db = *store::open(dir.path());
  std::promise<void> go;
  world->go = go.get_future().share();
  system_config cfg{2};
  caf::actor_system sys{cfg};
  backlog_options options;
  options.concurrency = 1;
  options.max_notified = 4;
  options.rewalk_interval = std::chrono::hours(1);
  auto alive = std::make_shared<std::atomic<size_t>>(0);
  auto backlog = spawn_backlog(
      sys, world->db, [&sys, world] { return sys.spawn<caf::detached>(stand_in_request, world); },
      alive, options);

  // The first drain walks the empty index to its end, so no walk is under
  // way when the notifications below overflow. (Were it still walking, the
  // walk's end would pick the dropped requests up and the test would pass
  // without the fix; 200 ms is ample for a walk of an empty index.)
  caf::anon_send(backlog, atom::drain_v);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));

  // One request is driven and waits for `go` (the bound is 1), so the
  // queue fills with four notifications and the other 35 are dropped.
  constexpr int count = 40;
  for (int i = 0; i < count; ++i) {
    auto id = "r" + std::to_string(100 + i);
    store_pending(*world->db, id);
    caf::anon_send(backlog, atom::enqueue_v, id);
  }
  go.set_value();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (world->completed < count && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  CHECK(world->completed == count);
  CHECK(world->failed_commits == 0);
  auto pending = world->db->walk(column::request_index,
                                 status_index_prefix(request_status::pending), "", false);
  CHECK(!pending.valid());
  caf::anon_send_exit(backlog, caf::exit_reason::user_shutdown);
}
