#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>
#include <thread>

#include <rocksdb/perf_context.h>
#include <rocksdb/perf_level.h>

#include "storage/store.hpp"
#include "tests/support/store_transactions.hpp"
#include "tests/support/test_pki.hpp"

using namespace certmint;
using certmint::test::reserve;
using certmint::test::stored_request;

namespace {

transaction flip(const std::string& id, request_status from, request_status to) {
  transaction tx;
  tx.conditions.push_back({precondition::kind::request_in_status,
                           column::requests,
                           id,
                           from,
                           make_failure(errc::not_pending, "not pending"),
                           {}});
  tx.put(column::requests, id, stored_request(id, to));
  return tx;
}

} // namespace

TEST_CASE("committed records survive a reopen", "[storage][store]") {
  test::temp_dir dir;
  {
    auto db = store::open(dir.path());
    REQUIRE(db);
    REQUIRE((*db)->commit(reserve("r1", "ca:s1")));
  }
  auto db = store::open(dir.path());
  REQUIRE(db);
  auto r = (*db)->get_record<request_record>(column::requests, "r1");
  REQUIRE(r);
  REQUIRE(*r);
  CHECK((*r)->status == request_status::pending);
  auto index = (*db)->get(column::serials, "ca:s1");
  REQUIRE(index);
  CHECK(**index == "r1");
  auto missing = (*db)->get_record<request_record>(column::requests, "nope");
  REQUIRE(missing);
  CHECK_FALSE(*missing);
}

TEST_CASE("reads and commits do not pay for RocksDB's perf counters", "[storage][store]") {
  test::temp_dir dir;
  auto db = std::move(*store::open(dir.path()));
  for (int i = 0; i < 20; ++i)
    REQUIRE(db->commit(reserve("r" + std::to_string(i), "ca:s" + std::to_string(i))));
  // RocksDB's default on a new thread: every key comparison counted.
  // Catch's assertions stay on this thread.
  bool all_ok = true;
  uint64_t comparisons = 0;
  std::thread{[&] {
    rocksdb::SetPerfLevel(rocksdb::PerfLevel::kEnableCount);
    rocksdb::get_perf_context()->Reset();
    all_ok = static_cast<bool>(db->commit(reserve("r20", "ca:s20")));
    for (int i = 0; i < 20; ++i)
      all_ok = all_ok && db->get(column::requests, "r" + std::to_string(i));
    all_ok = all_ok && db->scan_prefix(column::serials, "ca:", [](auto, auto) { return true; });
    comparisons = rocksdb::get_perf_context()->user_key_comparison_count;
  }}.join();
  CHECK(all_ok);
  CHECK(comparisons == 0);
}

TEST_CASE("a second open of the same directory is refused", "[storage][store]") {
  test::temp_dir dir;
  auto first = store::open(dir.path());
  REQUIRE(first);
  auto second = store::open(dir.path());
  REQUIRE_FALSE(second);
  CHECK(second.error().code == errc::storage_failure);
  CHECK(second.error().message.find("cannot open RocksDB") != std::string::npos);
}

TEST_CASE("group commit applies each transaction or none of it", "[storage][store]") {
  test::temp_dir dir;
  auto db = std::move(*store::open(dir.path()));
  REQUIRE(db->commit(reserve("r0", "ca:taken")));
  std::vector<transaction> group;
  group.push_back(reserve("r1", "ca:s1"));
  group.push_back(reserve("r2", "ca:s1"));    // same serial as r1 in this group
  group.push_back(reserve("r3", "ca:taken")); // serial already stored
  group.push_back(flip("r1", request_status::pending, request_status::issued)); // sees r1
  group.push_back(flip("r0", request_status::issued, request_status::failed));  // wrong state
  auto results = db->commit_group(group);
  REQUIRE(results.size() == 5);
  CHECK(results[0]);
  REQUIRE_FALSE(results[1]);
  CHECK(results[1].error().code == errc::serial_collision);
  REQUIRE_FALSE(results[2]);
  CHECK(results[2].error().code == errc::serial_collision);
  CHECK(results[3]);
  REQUIRE_FALSE(results[4]);
  CHECK(results[4].error().code == errc::not_pending);
  CHECK((*db->get_record<request_record>(column::requests, "r1"))->status
        == request_status::issued);
  CHECK_FALSE(*db->get_record<request_record>(column::requests, "r2"));
  CHECK_FALSE(*db->get_record<request_record>(column::requests, "r3"));
  CHECK((*db->get_record<request_record>(column::requests, "r0"))->status
        == request_status::pending);
  CHECK(**db->get(column::serials, "ca:s1") == "r1");
}

TEST_CASE("a group's writes to one key apply in transaction order", "[storage][store]") {
  // The batch is written in key order; writes to the same key must still
  // land in the order their transactions came, whatever keys surround them.
  test::temp_dir dir;
  auto db = std::move(*store::open(dir.path()));
  std::vector<transaction> group;
  // Enough other keys that the sort is not a short insertion sort (which
  // would keep equal keys in order even if it were not stable).
  for (int i = 0; i < 40; ++i) {
    transaction filler;
    filler.put_raw(column::serials, "ca:f" + std::to_string(i), "filler");
    group.push_back(std::move(filler));
  }
  group.push_back(reserve("r9", "ca:s9"));
  group.push_back(flip("r9", request_status::pending, request_status::issued));
  group.push_back(reserve("r1", "ca:s1"));
  transaction drop;
  drop.erase(column::serials, "ca:s9");
  drop.put_raw(column::serials, "ca:s0", "r0");
  group.push_back(std::move(drop));
  group.push_back(flip("r9", request_status::issued, request_status::failed));
  for (int i = 0; i < 20; ++i) {
    transaction rewrite;
    rewrite.put_raw(column::serials, "ca:s9", "r9-" + std::to_string(i));
    group.push_back(std::move(rewrite));
  }
  transaction restore;
  restore.put_raw(column::serials, "ca:s9", "r9-again");
  group.push_back(std::move(restore));
  auto results = db->commit_group(group);
  for (const auto& r : results)
    CHECK(r);
  CHECK((*db->get_record<request_record>(column::requests, "r9"))->status
        == request_status::failed);
  CHECK((*db->get_record<request_record>(column::requests, "r1"))->status
        == request_status::pending);
  CHECK(**db->get(column::serials, "ca:s9") == "r9-again");
  CHECK(**db->get(column::serials, "ca:s0") == "r0");
  CHECK(**db->get(column::serials, "ca:s1") == "r1");
}

TEST_CASE("a corrupt stored value is reported, not misread", "[storage][store][malformed]") {
  test::temp_dir dir;
  auto db = std::move(*store::open(dir.path()));
  transaction tx;
  tx.mutations.push_back({column::requests, "bad", std::string{"garbage"}});
  auto committed_tx = db->commit(std::move(tx));
  REQUIRE(committed_tx);
  auto r = db->get_record<request_record>(column::requests, "bad");
  REQUIRE_FALSE(r);
  CHECK(r.error().code == errc::storage_failure);
  // A precondition on a corrupt record does not hold.
  auto results = db->commit_group({flip("bad", request_status::pending, request_status::issued)});
  CHECK_FALSE(results[0]);
}

TEST_CASE("counters add what applied transactions add, across batches and reopens",
          "[storage][store]") {
  test::temp_dir dir;
  {
    auto db = std::move(*store::open(dir.path()));
    CHECK(*db->counter("c") == 0);
    std::vector<transaction> group;
    for (int i = 0; i < 5; ++i) {
      auto tx = reserve("r" + std::to_string(i), "ca:" + std::to_string(i % 3));
      tx.add(column::counters, "c", 2);
      tx.add(column::counters, "d", -1);
      group.push_back(std::move(tx));
    }
    // r3 and r4 collide with r0 and r1: their deltas must not count.
    auto results = db->commit_group(group);
    CHECK(results[0]);
    CHECK_FALSE(results[3]);
    CHECK(*db->counter("c") == 6);
    CHECK(*db->counter("d") == -3);
    transaction more;
    more.add(column::counters, "c", 10);
    auto committed_more = db->commit(std::move(more));
    REQUIRE(committed_more);
    CHECK(*db->counter("c") == 16);
  }
  auto db = std::move(*store::open(dir.path()));
  CHECK(*db->counter("c") == 16);
  CHECK(*db->counter("d") == -3);
  transaction again;
  again.add(column::counters, "c", -6);
  auto committed_again = db->commit(std::move(again));
  REQUIRE(committed_again);
  CHECK(*db->counter("c") == 10);
}

TEST_CASE("counters read on other threads while the writer commits only grow", "[storage][store]") {
  // counter() answers from the writer's cache on any thread; a reader must
  // never see a count go back, nor past what the writer commits.
  test::temp_dir dir;
  auto db = std::move(*store::open(dir.path()));
  constexpr int commits = 2000;
  std::atomic<bool> done{false};
  bool monotonic = true;
  int64_t last = 0;
  std::thread reader{[&] {
    while (!done.load()) {
      auto now = db->counter("grows");
      if (!now || *now < last || *now > commits) {
        monotonic = false;
        return;
      }
      last = *now;
    }
  }};
  int committed = 0;
  for (int i = 0; i < commits; ++i) {
    transaction tx;
    tx.add(column::counters, "grows", 1);
    if (!db->commit(std::move(tx)))
      break; // reported below, once the reader has stopped
    ++committed;
  }
  done = true;
  reader.join();
  REQUIRE(committed == commits);
  CHECK(monotonic);
  CHECK(*db->counter("grows") == commits);
}

TEST_CASE("a column's write count moves with each batch that writes it, and only then",
          "[storage][store]") {
  test::temp_dir dir;
  auto db = std::move(*store::open(dir.path()));
  CHECK(db->writes_to(column::requests) == 0);
  CHECK(db->writes_to(column::serials) == 0);
  // One batch of two applied transactions: one write each.
  auto applied = db->commit_group({reserve("r1", "ca:s1"), reserve("r2", "ca:s2")});
  REQUIRE(applied[0]);
  REQUIRE(applied[1]);
  CHECK(db->writes_to(column::requests) == 1);
  CHECK(db->writes_to(column::serials) == 1);
  CHECK(db->writes_to(column::tokens) == 0);
  // Refused by its precondition: nothing written, nothing moves.
  REQUIRE_FALSE(db->commit(reserve("r3", "ca:s1")));
  CHECK(db->writes_to(column::requests) == 1);
  // A delete and a counter are writes too.
  transaction tx;
  tx.mutations.push_back({column::serials, "ca:s2", std::nullopt});
  tx.add(column::counters, "c", 1);
  auto committed = db->commit(std::move(tx));
  REQUIRE(committed);
  CHECK(db->writes_to(column::serials) == 2);
  CHECK(db->writes_to(column::counters) == 1);
  CHECK(db->writes_to(column::requests) == 1);
}

TEST_CASE("RocksDB's log is written in the data directory, the one before kept as LOG.old",
          "[storage][store]") {
  test::temp_dir dir;
  auto log = std::filesystem::path{dir.path()} / "LOG";
  REQUIRE(store::open(dir.path()));
  REQUIRE(std::filesystem::file_size(log) > 0);
  auto first_size = std::filesystem::file_size(log);
  REQUIRE(store::open(dir.path()));
  CHECK(std::filesystem::file_size(std::filesystem::path{dir.path()} / "LOG.old") == first_size);
  CHECK(std::filesystem::file_size(log) > 0);
}
