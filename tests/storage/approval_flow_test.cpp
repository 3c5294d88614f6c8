#include <catch2/catch.hpp>

#include "storage/approval_flow.hpp"
#include "storage/request_index.hpp"
#include "storage/store.hpp"
#include "tests/support/test_pki.hpp"

using namespace certmint;

namespace {

const std::string request_id = "0190a000-0000-7000-8000-000000000001";
const std::string approval_id = "0190a000-0000-7000-8000-0000000000a1";

identity_record who(std::string name, std::string token_id) {
  return identity_record{std::move(name), role_approve, 0, std::move(token_id),
                         identity_kind::user};
}

struct fixture {
  test::temp_dir dir;
  std::unique_ptr<store> db;

  explicit fixture(std::vector<approval_step> steps, int64_t expires_at = 0) {
    auto opened = store::open(dir.path());
    REQUIRE(opened);
    db = std::move(*opened);
    request_record r;
    r.id = request_id;
    r.profile_id = "p";
    r.status = request_status::pending_approval;
    r.requested_by = "requester";
    r.approval_request_id = approval_id;
    approval_request_record a;
    a.id = approval_id;
    a.certificate_request_id = request_id;
    a.requester = "requester";
    a.steps = std::move(steps);
    a.expires_at = expires_at;
    transaction tx;
    stage_request(tx, r, std::nullopt);
    tx.put(column::approvals, a.id, a);
    if (expires_at > 0)
      tx.put_raw(column::approval_expiry, approval_expiry_key(expires_at, a.id), {});
    auto committed = db->commit(std::move(tx));
    REQUIRE(committed);
  }

  request_status request_status_now() {
    return (*db->get_record<request_record>(column::requests, request_id))->status;
  }
};

} // namespace

TEST_CASE("two steps need their approvals in order", "[storage][approval]") {
  fixture f{{{"security", 2, {"t1", "t2", "t3"}}, {"owner", 1, {}}}};
  auto first = decide_approval(*f.db, approval_id, who("one", "t1"), true, "ok", 10);
  REQUIRE(first);
  CHECK_FALSE(first->released);
  REQUIRE(f.db->commit(std::move(first->tx)));

  auto twice = decide_approval(*f.db, approval_id, who("one", "t1"), true, "", 11);
  REQUIRE_FALSE(twice);
  CHECK(twice.error().message == "You have already approved this step");

  auto outsider = decide_approval(*f.db, approval_id, who("four", "t4"), true, "", 11);
  REQUIRE_FALSE(outsider);
  CHECK(outsider.error().code == errc::permission_denied);

  auto second = decide_approval(*f.db, approval_id, who("two", "t2"), true, "", 12);
  REQUIRE(second);
  CHECK_FALSE(second->released);
  REQUIRE(f.db->commit(std::move(second->tx)));

  // Step 2 lists nobody: any approver may decide it.
  auto last = decide_approval(*f.db, approval_id, who("four", "t4"), true, "", 13);
  REQUIRE(last);
  CHECK(last->released);
  CHECK(last->approval.status == approval_status::approved);
  REQUIRE(f.db->commit(std::move(last->tx)));
  CHECK(f.request_status_now() == request_status::pending);

  auto late = decide_approval(*f.db, approval_id, who("five", "t5"), true, "", 14);
  REQUIRE_FALSE(late);
  CHECK(late.error().message == "Approval request is already approved");
}

TEST_CASE("the requester cannot decide its own request", "[storage][approval]") {
  fixture f{{{"", 1, {}}}};
  auto own = decide_approval(*f.db, approval_id, who("requester", "t9"), true, "", 10);
  REQUIRE_FALSE(own);
  CHECK(own.error().code == errc::permission_denied);
  CHECK(f.request_status_now() == request_status::pending_approval);
}

TEST_CASE("a rejection ends the request with the approver's comment", "[storage][approval]") {
  fixture f{{{"", 1, {}}}};
  auto no = decide_approval(*f.db, approval_id, who("carol", "t1"), false, "wrong team", 10);
  REQUIRE(no);
  REQUIRE(f.db->commit(std::move(no->tx)));
  auto r = *f.db->get_record<request_record>(column::requests, request_id);
  CHECK(r->status == request_status::rejected);
  CHECK(r->error_message == "Rejected by identity carol: wrong team");
}

TEST_CASE("two decisions on the same state: only the first applies", "[storage][approval]") {
  fixture f{{{"", 2, {}}}};
  auto a = decide_approval(*f.db, approval_id, who("a", "t1"), true, "", 10);
  auto b = decide_approval(*f.db, approval_id, who("b", "t2"), true, "", 10);
  REQUIRE(a);
  REQUIRE(b);
  std::vector<transaction> group;
  group.push_back(std::move(a->tx));
  group.push_back(std::move(b->tx));
  auto results = f.db->commit_group(group);
  CHECK(results[0]);
  REQUIRE_FALSE(results[1]);
  CHECK(results[1].error().code == errc::conflict);
}

TEST_CASE("expiry rejects a waiting request and leaves a decided one", "[storage][approval]") {
  fixture f{{{"", 1, {}}}, 100};
  auto early = decide_approval(*f.db, approval_id, who("a", "t1"), true, "", 100);
  REQUIRE_FALSE(early);
  CHECK(early.error().message == "Approval request has expired");
  auto key = approval_expiry_key(100, approval_id);
  CHECK(approval_expiry_time(key) == 100);
  auto tx = expire_approval(*f.db, approval_id, key, 101);
  REQUIRE(tx);
  REQUIRE(f.db->commit(std::move(*tx)));
  CHECK(f.request_status_now() == request_status::rejected);
  CHECK((*f.db->get_record<approval_request_record>(column::approvals, approval_id))->status
        == approval_status::expired);
  CHECK_FALSE(*f.db->get(column::approval_expiry, key));
  // A second sweep finds nothing to do but removing the entry.
  auto again = expire_approval(*f.db, approval_id, key, 102);
  REQUIRE(again);
  CHECK(again->conditions.empty());
}
