#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "tests/integration/api_client.hpp"
#include "tests/support/small_tmpfs.hpp"
#include "tests/support/test_pki.hpp"

using namespace certmint;
using namespace certmint::test;

namespace {

const std::string refusal = "Storage refuses writes since a synced write failed; retry later";

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
  auto body = csr_body(default_profile_id(*cli), make_csr(key_algorithm::ec_p256).csr_pem);
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
  CHECK(server.output().find("a synced write failed: IO error: No space left on device")
        != std::string::npos);

  // Every later write is refused the same way, without touching RocksDB.
  auto again = post_json(*cli, api + "/certificates", body);
  CHECK(again.status == 503);
  CHECK(again.message() == refusal);
  auto async =
      to_reply(cli->Post((api + "/certificates").c_str(),
                         httplib::Headers{{"Prefer", "respond-async"}}, body, "application/json"));
  CHECK(async.status == 503);
  auto token = post_json(*cli, "/api/v1/identities/tokens", R"({"name":"late","roles":["read"]})");
  CHECK(token.status == 503);

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
