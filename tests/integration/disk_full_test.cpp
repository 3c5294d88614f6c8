#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "tests/integration/api_client.hpp"
#include "tests/support/small_tmpfs.hpp"
#include "tests/support/test_pki.hpp"

using namespace certmint;
using namespace certmint::test;

namespace {

const std::string refusal = "Storage refuses writes since a synced write failed; retry later";

void check_refused(const http_reply& reply) {
  INFO(reply.body);
  CHECK(reply.status == 503);
  CHECK(reply.message() == refusal);
}

} // namespace

TEST_CASE("a full disk: writes get 503, reads go on, the server stays up",
          "[integration][storage]") {
  if (!small_tmpfs_available()) {
    WARN("skipped: no user namespaces on this machine, so no small tmpfs to fill without root");
    return;
  }
  temp_dir dir;
  // A fresh store takes ~4.4 MiB (RocksDB preallocates 4 MiB of MANIFEST):
  // a few hundred issuances fill the rest of 5 MiB. RocksDB 7.8's own LOG
  // writer used to abort the process here.
  server_process server{dir.path(), {"--key-pool", "none"}, test_admin_token, size_t{5} << 20};
  auto cli = server.client();
  auto profile = get(*cli, api + "/certificate-profiles/slug/default");
  auto profile_id = profile.str("/certificateProfile/id");
  auto body = csr_body(profile_id, make_csr(key_algorithm::ec_p256).csr_pem);

  // Before the disk fills: a second profile whose requests wait for an
  // approver, and one such request waiting.
  auto [approver_token, approver_id] = make_token(*cli, "approver", R"(["approve"])");
  auto gated = post_json(
      *cli, api + "/certificate-profiles",
      R"({"certificatePolicyId":")" + profile.str("/certificateProfile/certificatePolicyId")
          + R"(","caId":")" + profile.str("/certificateProfile/caId")
          + R"(","slug":"gated","enrollmentType":"api","apiConfig":{"autoRenew":false},)"
            R"("defaults":{"ttlDays":30}})");
  INFO(gated.body);
  REQUIRE(gated.status == 200);
  REQUIRE(post_json(*cli, approvals,
                    approval_policy({approver_id}, 1, R"(,"maxRequestTtl":"1h")", "gated"))
              .status
          == 200);
  auto waiting = post_json(
      *cli, api + "/certificates",
      csr_body(gated.str("/certificateProfile/id"), make_csr(key_algorithm::ec_p256).csr_pem));
  INFO(waiting.body);
  REQUIRE(waiting.str("/status") == "pending_approval");
  auto waiting_id = waiting.str("/certificateRequestId");
  auto approval_id = approval_of(*cli, waiting_id);

  std::vector<http_reply> issued;
  http_reply refused;
  for (int i = 0; i < 20000 && refused.status == 0; ++i) {
    auto reply = post_json(*cli, api + "/certificates", body);
    if (reply.status == 200)
      issued.push_back(std::move(reply));
    else
      refused = std::move(reply);
  }
  INFO(refused.body);
  REQUIRE(issued.size() > 10);
  REQUIRE(refused.status == 503);
  CHECK(refused.error() == "ServiceUnavailable");
  CHECK(refused.message() == refusal);
  CHECK(server.output_shows("a synced write failed: IO error: No space left on device"));

  // Every later write is refused the same way, without touching RocksDB:
  // issuance, identities, configuration and approvals alike.
  check_refused(post_json(*cli, api + "/certificates", body));
  check_refused(
      to_reply(cli->Post((api + "/certificates").c_str(),
                         httplib::Headers{{"Prefer", "respond-async"}}, body, "application/json")));
  check_refused(
      post_json(*cli, "/api/v1/identities/tokens", R"({"name":"late","roles":["read"]})"));
  check_refused(patch_json(*cli, api + "/certificate-profiles/" + profile_id,
                           R"({"defaults":{"ttlDays":7}})"));
  check_refused(post_json(*cli, api + "/certificate-policies", R"({"name":"late"})"));
  auto approver = server.client(approver_token);
  check_refused(post_json(*approver, approvals + "/requests/" + approval_id + "/approve", "{}"));
  check_refused(post_json(*approver, approvals + "/requests/" + approval_id + "/reject", "{}"));
  // Nothing of those took effect.
  CHECK(get(*cli, api + "/certificates/certificate-requests/" + waiting_id).str("/status")
        == "pending_approval");
  CHECK(get(*cli, approvals + "/requests/" + approval_id).str("/request/status") == "pending");
  auto unchanged = get(*cli, api + "/certificate-profiles/" + profile_id);
  int64_t ttl_days = 0;
  CHECK(!unchanged.json.at_pointer("/certificateProfile/defaults/ttlDays").get(ttl_days));
  CHECK(ttl_days != 7);

  // What was acknowledged is still served, and still verifies.
  for (const auto* reply : {&issued.front(), &issued.back()}) {
    auto stored = get(*cli, api + "/certificates/certificate-requests/"
                                + reply->str("/certificateRequestId"));
    INFO(stored.body);
    REQUIRE(stored.status == 200);
    CHECK(stored.str("/status") == "issued");
    CHECK(stored.str("/certificate") == reply->str("/certificate/certificate"));
    CHECK(verify_chain(stored.str("/certificate"), stored.str("/certificateChain")) == "");
  }
  // A health check sees it.
  auto status = get(*cli, "/api/status");
  CHECK(status.status == 503);
  CHECK(status.message() == refusal);
  // The destructor's SIGTERM must end in exit status 0.
}
