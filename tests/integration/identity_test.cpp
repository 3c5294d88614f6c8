#include <catch2/catch.hpp>

#include "tests/integration/api_client.hpp"
#include "tests/support/test_pki.hpp"

using namespace certmint;
using namespace certmint::test;

namespace {

const std::string tokens = "/api/v1/identities/tokens";

} // namespace

TEST_CASE("scoped tokens: every endpoint checks its role", "[integration][identity]") {
  temp_dir dir;
  server_process server{dir.path()};
  auto admin = server.client();
  auto profile = default_profile_id(*admin);
  auto [issuer_token, issuer_id] = make_token(*admin, "pipeline", R"(["issue"])");
  auto [other_token, other_id] = make_token(*admin, "other-pipeline", R"(["issue"])");
  auto [reader_token, reader_id] = make_token(*admin, "auditor", R"(["read"])");
  auto [manager_token, manager_id] = make_token(*admin, "pki-team", R"(["manage"])");
  auto issuer = server.client(issuer_token);
  auto other = server.client(other_token);
  auto reader = server.client(reader_token);
  auto manager = server.client(manager_token);

  // issue: submits and reads its own requests and certificates.
  auto issued = post_json(*issuer, api + "/certificates",
                          csr_body(profile, make_csr(key_algorithm::ec_p256).csr_pem));
  REQUIRE(issued.status == 200);
  auto request = api + "/certificates/certificate-requests/" + issued.str("/certificateRequestId");
  auto certificate = api + "/certificates/" + issued.str("/certificate/certificateId");
  CHECK(get(*issuer, request).status == 200);
  CHECK(get(*issuer, certificate).status == 200);
  CHECK(get(*issuer, api + "/certificate-profiles/slug/default").status == 200);
  check_denied(post_json(*issuer, api + "/ca/internal", "{}"),
               "You are not allowed to create on CertificateAuthorities");
  check_denied(post_json(*issuer, api + "/certificate-policies", "{}"),
               "You are not allowed to create on CertificatePolicies");
  check_denied(get(*issuer, tokens), "You are not allowed to read on Identities");

  // Another issuing identity sees none of it.
  check_denied(get(*other, request), "You are not allowed to read on CertificateRequests");
  check_denied(get(*other, certificate), "You are not allowed to read on Certificates");
  check_denied(post_json(*other, request + "/cancel", "{}"),
               "You are not allowed to cancel on CertificateRequests");

  // read: reads everything, submits nothing.
  CHECK(get(*reader, request).status == 200);
  CHECK(get(*reader, certificate).status == 200);
  check_denied(post_json(*reader, api + "/certificates",
                         csr_body(profile, make_csr(key_algorithm::ec_p256).csr_pem)),
               "You are not allowed to create on Certificates");
  check_denied(post_json(*reader, request + "/cancel", "{}"),
               "You are not allowed to cancel on CertificateRequests");

  // manage: configuration, but no issuance and no tokens.
  auto policy = post_json(*manager, api + "/certificate-policies", R"({"name":"team"})");
  CHECK(policy.status == 200);
  check_denied(post_json(*manager, api + "/certificates",
                         csr_body(profile, make_csr(key_algorithm::ec_p256).csr_pem)),
               "You are not allowed to create on Certificates");
  check_denied(post_json(*manager, tokens, R"({"name":"x","roles":["admin"]})"),
               "You are not allowed to create on Identities");

  // The admin lists tokens (never their secrets) and revokes them.
  auto listed = get(*admin, tokens);
  REQUIRE(listed.status == 200);
  CHECK(listed.body.find("cm_") == std::string::npos);
  simdjson::dom::array entries;
  REQUIRE_FALSE(listed.json.at_pointer("/tokens").get_array().get(entries));
  CHECK(entries.size() == 5);
  CHECK(del(*admin, tokens + "/" + other_id).status == 200);
  auto revoked = get(*other, api + "/certificate-profiles/slug/default");
  CHECK(revoked.status == 401);
  CHECK(revoked.message() == "Invalid or revoked token");
  CHECK(del(*admin, tokens + "/" + other_id).status == 404);
  auto admin_id = std::string{};
  for (auto entry : entries) {
    std::string_view name;
    std::string_view id;
    if (!entry["name"].get_string().get(name) && name == "admin"
        && !entry["tokenId"].get_string().get(id))
      admin_id = std::string{id};
  }
  REQUIRE_FALSE(admin_id.empty());
  auto last = del(*admin, tokens + "/" + admin_id);
  CHECK(last.status == 400);
  CHECK(last.message() == "Cannot revoke the last admin token; create another first");
  auto bad = post_json(*admin, tokens, R"({"name":"x","roles":["superuser"]})");
  CHECK(bad.status == 422);
  auto control = post_json(*admin, tokens, R"({"name":"ci\npipeline","roles":["issue"]})");
  CHECK(control.status == 422);
  CHECK(control.body.find("name must not contain control characters") != std::string::npos);
}
