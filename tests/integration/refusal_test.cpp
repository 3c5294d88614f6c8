#include <catch2/catch.hpp>

#include "tests/integration/api_client.hpp"
#include "tests/support/test_pki.hpp"

using namespace certmint;
using namespace certmint::test;

namespace {

void check_error_body(const http_reply& reply, int status, const std::string& error) {
  INFO(reply.body);
  CHECK(reply.status == status);
  CHECK(reply.content_type.rfind("application/json", 0) == 0);
  CHECK(reply.str("/reqId").rfind("req-", 0) == 0);
  int64_t code = 0;
  CHECK_FALSE(reply.json.at_pointer("/statusCode").get_int64().get(code));
  CHECK(code == status);
  CHECK(reply.error() == error);
}

// The server still issues after whatever came before.
void check_still_serving(server_process& server, const std::string& profile) {
  auto cli = server.client();
  auto made = make_csr(key_algorithm::ec_p256);
  auto reply = post_json(*cli, api + "/certificates", csr_body(profile, made.csr_pem));
  REQUIRE(reply.status == 200);
  CHECK(verify_chain(reply.str("/certificate/certificate"),
                     reply.str("/certificate/certificateChain"))
        == "");
}

} // namespace

TEST_CASE("bad input is refused with the error body and loses nothing", "[integration][refusal]") {
  temp_dir dir;
  server_process server{dir.path(), {"--max-body-bytes", "16384"}};
  auto cli = server.client();
  auto profile = default_profile_id(*cli);
  const auto path = api + "/certificates";

  SECTION("malformed JSON") {
    auto reply = post_json(*cli, path, R"({"profileId": )");
    check_error_body(reply, 400, "BadRequest");
    CHECK(reply.message().rfind("Body is not valid JSON", 0) == 0);
  }
  SECTION("wrong types") {
    auto reply = post_json(*cli, path, R"({"profileId": 7, "csr": ["x"]})");
    check_error_body(reply, 422, "ValidationFailure");
    simdjson::dom::array issues;
    REQUIRE_FALSE(reply.json.at_pointer("/message").get_array().get(issues));
    CHECK(issues.size() == 2);
    CHECK(reply.str("/message/0/path/0") == "profileId");
    CHECK(reply.str("/message/0/message") == "Expected string, received number");
  }
  SECTION("unknown fields") {
    auto reply = post_json(*cli, path, csr_body(profile, "x", R"("friendlyName":"x")"));
    check_error_body(reply, 422, "ValidationFailure");
    CHECK(reply.str("/message/0/code") == "unrecognized_keys");
    CHECK(reply.str("/message/0/keys/0") == "friendlyName");
  }
  SECTION("oversized body") {
    auto reply = post_json(*cli, path, csr_body(profile, std::string(20000, 'A')));
    check_error_body(reply, 413, "PayloadTooLarge");
    CHECK(reply.message() == "Request body is too large (limit 16384 bytes)");
  }
  SECTION("CSR that is not PEM") {
    auto reply = post_json(*cli, path, csr_body(profile, "MIIBszCCAVkCAQAwGjEYMBYGA1UEAwwP"));
    check_error_body(reply, 400, "BadRequest");
    CHECK(reply.message().rfind("Invalid CSR: expected a PEM-encoded PKCS#10 request", 0) == 0);
  }
  SECTION("CSR whose signature is broken") {
    auto tampered = tamper_csr(make_csr(key_algorithm::ec_p256).csr_pem);
    auto reply = post_json(*cli, path, csr_body(profile, tampered));
    check_error_body(reply, 400, "BadRequest");
    CHECK(reply.message().rfind("Invalid CSR: signature verification failed", 0) == 0);
  }
  SECTION("CSR with an unsupported key") {
    auto weak = make_rsa_key(1024);
    auto reply = post_json(*cli, path, csr_body(profile, make_csr_for(weak.get())));
    check_error_body(reply, 400, "BadRequest");
    CHECK(reply.message() == "Unsupported RSA key size in CSR: 1024. Supported: 2048, 3072, 4096");
  }
  SECTION("CSR subject with what no policy rule judges") {
    // The subject is copied into the certificate as encoded; a second CN
    // would get into it unjudged, even under a policy that allows only
    // *.acme.com for the first.
    csr_options twice;
    twice.more_subject = {{"CN", "evil.example"}};
    auto reply =
        post_json(*cli, path, csr_body(profile, make_csr(key_algorithm::ec_p256, twice).csr_pem));
    check_error_body(reply, 400, "BadRequest");
    CHECK(reply.message()
          == "Invalid CSR: subject attribute CN appears more than once; a policy judges one value "
             "of each attribute");
    csr_options email;
    email.more_subject = {{"emailAddress", "ops@example.com"}};
    reply =
        post_json(*cli, path, csr_body(profile, make_csr(key_algorithm::ec_p256, email).csr_pem));
    check_error_body(reply, 400, "BadRequest");
    CHECK(reply.message()
          == "Invalid CSR: subject attribute emailAddress is not supported; a subject may hold C, "
             "ST, L, O, OU and CN");
  }
  SECTION("a subject attribute with a control character") {
    auto reply = post_json(*cli, path,
                           R"({"profileId":")" + profile
                               + R"(","attributes":{"commonName":"evil.example\u0000.acme.com"}})");
    check_error_body(reply, 400, "BadRequest");
    CHECK(reply.message()
          == "Certificate request validation failed: commonName must not contain control "
             "characters");
  }
  SECTION("policy violation") {
    csr_options ca;
    ca.basic_constraints = "critical,CA:TRUE";
    auto reply =
        post_json(*cli, path, csr_body(profile, make_csr(key_algorithm::ec_p256, ca).csr_pem));
    check_error_body(reply, 400, "BadRequest");
    CHECK(reply.message().rfind("Certificate request validation failed: CA certificate issuance "
                                "is denied by this policy",
                                0)
          == 0);
  }
  SECTION("unknown profile") {
    auto reply = post_json(
        *cli, path,
        csr_body("00000000-0000-7000-8000-000000000000", make_csr(key_algorithm::ec_p256).csr_pem));
    check_error_body(reply, 404, "NotFound");
  }
  SECTION("missing token") {
    auto anonymous = server.client("");
    auto reply = post_json(*anonymous, path, csr_body(profile, "x"));
    check_error_body(reply, 401, "UnauthorizedError");
    CHECK(reply.message() == "Authentication required: send 'Authorization: Bearer <token>'");
  }
  SECTION("wrong token") {
    auto intruder =
        server.client("cm_0000000000000000000000000000000000000000000000000000000000000000");
    auto reply = get(*intruder, api + "/certificate-profiles/slug/default");
    check_error_body(reply, 401, "UnauthorizedError");
    CHECK(reply.message() == "Invalid or revoked token");
    httplib::Headers basic = {{"Authorization", "Basic YWRtaW46YWRtaW4="}};
    auto raw = server.client("");
    auto res = raw->Get((api + "/certificate-profiles/slug/default").c_str(), basic);
    check_error_body(to_reply(res), 401, "UnauthorizedError");
  }
  SECTION("ids that are not UUIDs and ids that do not exist") {
    check_error_body(get(*cli, api + "/certificates/certificate-requests/123"), 422,
                     "ValidationFailure");
    check_error_body(get(*cli, api
                                   + "/certificates/certificate-requests/"
                                     "00000000-0000-7000-8000-000000000000"),
                     404, "NotFound");
    check_error_body(get(*cli, api + "/certificates/00000000-0000-7000-8000-000000000000"), 404,
                     "NotFound");
    check_error_body(get(*cli, api
                                   + "/ca/internal/00000000-0000-7000-8000-000000000000/"
                                     "certificate"),
                     404, "NotFound");
    check_error_body(get(*cli, api + "/certificate-profiles/slug/nope"), 404, "NotFound");
    check_error_body(get(*cli, "/api/v1/no/such/route"), 404, "NotFound");
  }
  SECTION("a garbage request line") {
    httplib::Client raw{"127.0.0.1", server.port()};
    auto res = raw.Get("/api/status\x01\x02");
    REQUIRE(res);
    CHECK(res->status >= 400);
  }
  check_still_serving(server, profile);
}

TEST_CASE("health needs no token", "[integration][status]") {
  temp_dir dir;
  server_process server{dir.path()};
  auto anonymous = server.client("");
  auto reply = get(*anonymous, "/api/status");
  REQUIRE(reply.status == 200);
  CHECK(reply.str("/message") == "Ok");
}

TEST_CASE("every interface: refused without a public URL, warned about with one",
          "[integration][listen]") {
  temp_dir dir;
  // Certificates carry AIA and CRL URLs; http://0.0.0.0 reaches no one.
  CHECK_THROWS_WITH((server_process{dir.path(), {"--listen", "0.0.0.0:0"}}),
                    Catch::Contains("exited during start with status 1")
                        && Catch::Contains("listening on every interface (0.0.0.0) needs "
                                           "--public-url"));
  server_process server{dir.path(),
                        {"--listen", "0.0.0.0:0", "--public-url", "http://ca.test.invalid:80/"}};
  CHECK_THAT(server.output(), Catch::Contains("listening on http://0.0.0.0:")
                                  && Catch::Contains("warning: plain HTTP beyond this machine"));
  auto cli = server.client();
  auto profile = get(*cli, api + "/certificate-profiles/slug/default");
  REQUIRE(profile.status == 200);
  auto made = make_csr(key_algorithm::ec_p256);
  auto leaf = post_json(*cli, api + "/certificates",
                        csr_body(profile.str("/certificateProfile/id"), made.csr_pem));
  REQUIRE(leaf.status == 200);
  CHECK(ca_issuers_url(leaf.str("/certificate/certificate"))
            .rfind("http://ca.test.invalid:80/api/", 0)
        == 0);
}
