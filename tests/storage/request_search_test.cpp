#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "engine/identifiers.hpp"
#include "storage/request_index.hpp"
#include "storage/request_search.hpp"
#include "storage/store.hpp"
#include "tests/support/test_pki.hpp"

using namespace certmint;

namespace {

const std::string profile_a = "0190a000-0000-7000-8000-00000000000a";
const std::string profile_b = "0190a000-0000-7000-8000-00000000000b";

// A request id created at `ms` (UUIDv7 layout), unique by `n`.
std::string id_at(int64_t ms, int n) {
  char tail[32];
  std::snprintf(tail, sizeof tail, "-7000-8000-%012d", n);
  return request_id_floor(ms) + tail;
}

request_record make_request(const std::string& id, const std::string& profile,
                            request_status status, std::string cn = "host.example") {
  request_record r;
  r.id = id;
  r.profile_id = profile;
  r.status = status;
  r.plan.subject.common_name = std::move(cn);
  r.requested_by = "alice";
  r.created_at = 1;
  return r;
}

void add(store& db, const request_record& r) {
  transaction tx;
  stage_request(tx, r, std::nullopt);
  auto committed = db.commit(std::move(tx));
  REQUIRE(committed);
}

void move_to(store& db, request_record r, request_status to) {
  transaction tx;
  tx.expect_status(r.id, r.status, make_failure(errc::conflict, "moved"));
  auto from = r.status;
  r.status = to;
  stage_request(tx, r, from);
  auto committed = db.commit(std::move(tx));
  REQUIRE(committed);
}

std::vector<std::string> ids(const request_page& page) {
  std::vector<std::string> out;
  for (const auto& r : page.requests)
    out.push_back(r.id);
  return out;
}

struct fixture {
  test::temp_dir dir;
  std::unique_ptr<store> db;
  fixture() {
    auto opened = store::open(dir.path());
    REQUIRE(opened);
    db = std::move(*opened);
  }
};

} // namespace

TEST_CASE("search walks the status and profile indexes newest first", "[storage][search]") {
  fixture f;
  // Ten requests, one per millisecond; even ones on profile A.
  std::vector<request_record> all;
  for (int i = 0; i < 10; ++i) {
    all.push_back(make_request(id_at(1000 + i, i), i % 2 == 0 ? profile_a : profile_b,
                               request_status::pending, "host" + std::to_string(i) + ".example"));
    add(*f.db, all.back());
  }
  move_to(*f.db, all[2], request_status::issued);
  move_to(*f.db, all[3], request_status::failed);

  request_query q;
  auto page = search_requests(*f.db, q);
  REQUIRE(page);
  CHECK(page->total_count == 10);
  REQUIRE(page->requests.size() == 10);
  CHECK(page->requests.front().id == all[9].id);
  CHECK(page->next_cursor.empty());

  q.status = request_status::pending;
  page = search_requests(*f.db, q);
  REQUIRE(page);
  CHECK(page->total_count == 8);
  CHECK(page->requests.size() == 8);

  q.profile_ids = {profile_a};
  page = search_requests(*f.db, q);
  REQUIRE(page);
  CHECK(page->total_count == 4); // 0, 4, 6, 8 (2 is issued)
  CHECK(ids(*page) == std::vector<std::string>{all[8].id, all[6].id, all[4].id, all[0].id});

  q.profile_ids = {profile_a, profile_a};
  page = search_requests(*f.db, q);
  REQUIRE(page);
  CHECK(page->total_count == 4);
  CHECK(page->requests.size() == 4);

  q.status.reset();
  q.profile_ids = {profile_a, profile_b};
  q.descending = false;
  page = search_requests(*f.db, q);
  REQUIRE(page);
  CHECK(page->total_count == 10);
  CHECK(page->requests.front().id == all[0].id);
  CHECK(page->requests.back().id == all[9].id);
}

TEST_CASE("search filters by creation time, text, metadata and owner", "[storage][search]") {
  fixture f;
  std::vector<request_record> all;
  for (int i = 0; i < 6; ++i) {
    auto r = make_request(id_at(5000 + i * 1000, i), profile_a, request_status::issued,
                          i == 4 ? "API.internal" : "web" + std::to_string(i));
    if (i == 1)
      r.metadata = {{"team", "blue"}};
    if (i == 5)
      r.requested_by = "bob";
    all.push_back(r);
    add(*f.db, r);
  }
  request_query q;
  q.from_ms = 6000;
  q.to_ms = 8000; // inclusive: requests 1, 2, 3
  auto page = search_requests(*f.db, q);
  REQUIRE(page);
  CHECK(ids(*page) == std::vector<std::string>{all[3].id, all[2].id, all[1].id});
  CHECK(page->total_count == 3);

  request_query text;
  text.search = "api.INT";
  page = search_requests(*f.db, text);
  REQUIRE(page);
  CHECK(ids(*page) == std::vector<std::string>{all[4].id});
  CHECK(page->total_count == 1);

  request_query meta;
  meta.metadata = {{"team", "blue"}};
  page = search_requests(*f.db, meta);
  REQUIRE(page);
  CHECK(ids(*page) == std::vector<std::string>{all[1].id});

  request_query owner;
  owner.requested_by = "bob";
  page = search_requests(*f.db, owner);
  REQUIRE(page);
  CHECK(ids(*page) == std::vector<std::string>{all[5].id});
  CHECK(page->total_count == 1);
}

TEST_CASE("keyset pages stay stable while requests are added", "[storage][search]") {
  fixture f;
  int n = 0;
  for (; n < 25; ++n)
    add(*f.db, make_request(id_at(10000 + n, n), profile_a, request_status::pending));
  request_query q;
  q.limit = 10;
  std::vector<std::string> seen;
  for (int page_number = 0;; ++page_number) {
    auto page = search_requests(*f.db, q);
    REQUIRE(page);
    for (auto& id : ids(*page))
      seen.push_back(id);
    // New requests arrive between pages; they are newer than the cursor.
    for (int i = 0; i < 7; ++i, ++n)
      add(*f.db, make_request(id_at(20000 + n, n), profile_a, request_status::pending));
    if (page->next_cursor.empty())
      break;
    q.after = page->next_cursor;
    REQUIRE(page_number < 10);
  }
  // Exactly the 25 that existed at the first page, each once, in order.
  REQUIRE(seen.size() == 25);
  for (size_t i = 0; i < seen.size(); ++i)
    CHECK(seen[i] == id_at(10000 + 24 - static_cast<int>(i), 24 - static_cast<int>(i)));

  // The same ascending, with offset on top of the cursor.
  request_query asc;
  asc.descending = false;
  asc.limit = 5;
  asc.offset = 2;
  auto page = search_requests(*f.db, asc);
  REQUIRE(page);
  CHECK(page->requests.front().id == id_at(10002, 2));
}

TEST_CASE("counters follow every status change", "[storage][search]") {
  fixture f;
  auto r = make_request(make_uuid_v7(), profile_b, request_status::pending_approval);
  add(*f.db, r);
  move_to(*f.db, r, request_status::pending);
  r.status = request_status::pending;
  move_to(*f.db, r, request_status::issued);
  CHECK(*f.db->counter(status_index_prefix(request_status::pending_approval)) == 0);
  CHECK(*f.db->counter(status_index_prefix(request_status::pending)) == 0);
  CHECK(*f.db->counter(status_index_prefix(request_status::issued)) == 1);
  CHECK(*f.db->counter(profile_status_index_prefix(profile_b, request_status::issued)) == 1);
  // A compare-and-set that loses changes nothing, counters included.
  transaction stale;
  stale.expect_status(r.id, request_status::pending, make_failure(errc::conflict, "moved"));
  auto again = r;
  again.status = request_status::failed;
  stage_request(stale, again, request_status::pending);
  auto lost = f.db->commit(std::move(stale));
  CHECK_FALSE(lost);
  CHECK(*f.db->counter(status_index_prefix(request_status::failed)) == 0);
  auto pending =
      f.db->walk(column::request_index, status_index_prefix(request_status::pending), {}, false);
  CHECK_FALSE(pending.valid());
}

TEST_CASE("a data directory of another storage format is refused", "[storage][store]") {
  test::temp_dir dir;
  {
    auto db = store::open(dir.path());
    REQUIRE(db);
    transaction tx;
    tx.put_raw(column::meta, "format", "1");
    auto committed = (*db)->commit(std::move(tx));
    REQUIRE(committed);
  }
  auto reopened = store::open(dir.path());
  REQUIRE_FALSE(reopened);
  CHECK(reopened.error().message.find("storage format 1") != std::string::npos);
}
