#include <catch2/catch.hpp>

#include <set>
#include <thread>

#include <openssl/x509v3.h>

#include "engine/pem.hpp"
#include "engine/time_format.hpp"
#include "engine/ttl.hpp"
#include "tests/integration/api_client.hpp"
#include "tests/support/test_pki.hpp"

using namespace certmint;
using namespace certmint::test;

namespace {

// Checks a leaf with OpenSSL: chain verification for TLS server and client
// use, the SANs, key usage, EKU and the validity span.
void check_leaf(const http_reply& reply, const std::string& host, int64_t ttl_seconds) {
  REQUIRE(reply.status == 200);
  auto leaf = reply.str("/certificate/certificate");
  auto chain = reply.str("/certificate/certificateChain");
  CHECK(split_pem_blocks(chain).size() == 2);
  CHECK(reply.str("/certificate/issuingCaCertificate") == split_pem_blocks(chain).front());
  CHECK(verify_chain(leaf, chain, "sslserver") == "");
  CHECK(verify_chain(leaf, chain, "sslclient") == "");
  auto cert = certificate_from_pem(leaf);
  REQUIRE(cert);
  CHECK(X509_check_host(cert->get(), host.c_str(), 0, 0, nullptr) == 1);
  CHECK((X509_get_key_usage(cert->get()) & KU_DIGITAL_SIGNATURE) != 0);
  CHECK(X509_get_extended_key_usage(cert->get()) == (XKU_SSL_SERVER | XKU_SSL_CLIENT));
  int days = 0;
  int seconds = 0;
  ASN1_TIME_diff(&days, &seconds, X509_get0_notBefore(cert->get()),
                 X509_get0_notAfter(cert->get()));
  CHECK(days * seconds_per_day + seconds == ttl_seconds - 1);
  // Against the precise clock the server issues with (time() is coarse).
  auto now = static_cast<time_t>(unix_now());
  CHECK(X509_cmp_time(X509_get0_notBefore(cert->get()), &now) <= 0);
  CHECK(reply.str("/status") == "issued");
  CHECK(reply.str("/certificate/serialNumber").size() == 40);
}

} // namespace

TEST_CASE("CSRs of every supported key algorithm are issued and verify", "[integration][issue]") {
  temp_dir dir;
  server_process server{dir.path()};
  auto cli = server.client();
  auto profile = default_profile_id(*cli);
  for (auto alg : {key_algorithm::rsa_2048, key_algorithm::rsa_3072, key_algorithm::rsa_4096,
                   key_algorithm::ec_p256, key_algorithm::ec_p384, key_algorithm::ec_p521}) {
    CAPTURE(to_string(alg));
    csr_options opts;
    opts.common_name = "svc.example.com";
    opts.sans = {"DNS:svc.example.com", "IP:127.0.0.1"};
    auto made = make_csr(alg, opts);
    auto reply = post_json(*cli, api + "/certificates",
                           csr_body(profile, made.csr_pem, R"("attributes":{"ttl":"7d"})"));
    INFO(reply.body);
    check_leaf(reply, "svc.example.com", 7 * seconds_per_day);
    auto cert = certificate_from_pem(reply.str("/certificate/certificate"));
    CHECK(X509_check_ip_asc(cert->get(), "127.0.0.1", 0) == 1);
    CHECK(X509_check_private_key(cert->get(), made.key.get()) == 1);
    CHECK(reply.body.find("privateKey") == std::string::npos);
  }
}

TEST_CASE("managed keys are generated, returned once and match", "[integration][issue]") {
  temp_dir dir;
  server_process server{dir.path()};
  auto cli = server.client();
  auto profile = default_profile_id(*cli);
  std::string body = R"({"profileId":")" + profile + R"(","attributes":{
      "commonName":"managed.example.com","organization":"Example",
      "altNames":[{"type":"dns_name","value":"managed.example.com"}],
      "keyAlgorithm":"RSA_2048","ttl":"1d"}})";
  auto reply = post_json(*cli, api + "/certificates", body);
  INFO(reply.body);
  check_leaf(reply, "managed.example.com", seconds_per_day);
  auto key = reply.str("/certificate/privateKey");
  CHECK(key.rfind("-----BEGIN PRIVATE KEY-----", 0) == 0);
  CHECK(key_matches_certificate(key, reply.str("/certificate/certificate")));
  auto cert = certificate_from_pem(reply.str("/certificate/certificate"));
  CHECK(EVP_PKEY_get_base_id(X509_get0_pubkey(cert->get())) == EVP_PKEY_RSA);
  // RSA keeps keyEncipherment from the profile defaults.
  CHECK((X509_get_key_usage(cert->get()) & KU_KEY_ENCIPHERMENT) != 0);

  // The poll never returns the key: it was handed out once and not stored.
  auto poll =
      get(*cli, api + "/certificates/certificate-requests/" + reply.str("/certificateRequestId"));
  REQUIRE(poll.status == 200);
  CHECK(poll.is_null("/privateKey"));
}

TEST_CASE("a burst of managed RSA requests past the key pool: all served, keys distinct",
          "[integration][issue][key-pool]") {
  temp_dir dir;
  server_process server{dir.path(), {"--key-pool", "RSA_2048=3"}};
  auto cli = server.client();
  auto profile = default_profile_id(*cli);
  std::string body = R"({"profileId":")" + profile + R"(","attributes":{
      "commonName":"pooled.example.com","keyAlgorithm":"RSA_2048","ttl":"1d",
      "altNames":[{"type":"dns_name","value":"pooled.example.com"}]}})";
  std::vector<http_reply> replies(8);
  std::vector<std::thread> clients;
  clients.reserve(replies.size());
  for (auto& reply : replies)
    clients.emplace_back([&server, &body, &reply] {
      auto own = server.client();
      reply = post_json(*own, api + "/certificates", body);
    });
  for (auto& t : clients)
    t.join();
  // Checked after the join: Catch2's assertions are not thread-safe.
  std::set<std::string> keys;
  for (const auto& reply : replies) {
    INFO(reply.body);
    REQUIRE(reply.status == 200);
    auto key = reply.str("/certificate/privateKey");
    CHECK(key_matches_certificate(key, reply.str("/certificate/certificate")));
    CHECK(verify_chain(reply.str("/certificate/certificate"),
                       reply.str("/certificate/certificateChain"))
          == "");
    keys.insert(key);
  }
  CHECK(keys.size() == 8);
  CHECK(server.stop() == 0);
}

TEST_CASE("polling the request id returns the same certificate", "[integration][poll]") {
  temp_dir dir;
  server_process server{dir.path()};
  auto cli = server.client();
  auto profile = default_profile_id(*cli);
  auto made = make_csr(key_algorithm::ec_p256);
  auto issued = post_json(*cli, api + "/certificates", csr_body(profile, made.csr_pem));
  REQUIRE(issued.status == 200);
  auto request_id = issued.str("/certificateRequestId");
  auto poll = get(*cli, api + "/certificates/certificate-requests/" + request_id);
  INFO(poll.body);
  REQUIRE(poll.status == 200);
  CHECK(poll.str("/status") == "issued");
  CHECK(poll.str("/certificate") == issued.str("/certificate/certificate"));
  CHECK(poll.str("/serialNumber") == issued.str("/certificate/serialNumber"));
  CHECK(poll.str("/certificateId") == issued.str("/certificate/certificateId"));
  CHECK(poll.str("/certificateChain") == issued.str("/certificate/certificateChain"));
  CHECK(poll.str("/commonName") == "app.example.com");
  CHECK(poll.is_null("/errorMessage"));

  auto cert_id = issued.str("/certificate/certificateId");
  auto row = get(*cli, api + "/certificates/" + cert_id);
  INFO(row.body);
  REQUIRE(row.status == 200);
  CHECK(row.str("/certificate/id") == cert_id);
  CHECK(row.str("/certificate/serialNumber") == issued.str("/certificate/serialNumber"));
  CHECK(row.str("/certificate/status") == "active");
  CHECK(row.str("/certificate/commonName") == "app.example.com");
  CHECK(row.str("/certificate/altNames") == "app.example.com");
  CHECK(row.str("/certificate/keyAlgorithm") == "EC_prime256v1");
  CHECK(row.str("/certificate/signatureAlgorithm") == "ECDSA-SHA256");
  CHECK(row.str("/certificate/profileName") == "default");

  auto body = get(*cli, api + "/certificates/" + cert_id + "/certificate");
  REQUIRE(body.status == 200);
  CHECK(body.str("/certificate") == issued.str("/certificate/certificate"));
  CHECK(body.str("/serialNumber") == issued.str("/certificate/serialNumber"));
  CHECK(body.body.find("privateKey") == std::string::npos);
}

TEST_CASE("removeRootsFromChain drops the root", "[integration][issue]") {
  temp_dir dir;
  server_process server{dir.path()};
  auto cli = server.client();
  auto profile = default_profile_id(*cli);
  auto made = make_csr(key_algorithm::ec_p256);
  auto reply = post_json(*cli, api + "/certificates",
                         csr_body(profile, made.csr_pem, R"("removeRootsFromChain":true)"));
  REQUIRE(reply.status == 200);
  auto chain = split_pem_blocks(reply.str("/certificate/certificateChain"));
  REQUIRE(chain.size() == 1);
  CHECK(chain.front() == reply.str("/certificate/issuingCaCertificate"));
}

TEST_CASE("CA documents: chain, AIA target and profile", "[integration][ca]") {
  temp_dir dir;
  server_process server{dir.path()};
  auto cli = server.client();
  auto profile = get(*cli, api + "/certificate-profiles/slug/default");
  REQUIRE(profile.status == 200);
  auto ca_id = profile.str("/certificateProfile/caId");
  CHECK(profile.str("/certificateProfile/enrollmentType") == "api");
  CHECK(profile.str("/certificateProfile/issuerType") == "ca");
  auto by_id = get(*cli, api + "/certificate-profiles/" + profile.str("/certificateProfile/id"));
  CHECK(by_id.status == 200);
  auto ca = get(*cli, api + "/ca/internal/" + ca_id + "/certificate");
  REQUIRE(ca.status == 200);
  auto ca_pem = ca.str("/certificate");
  auto root_pem = ca.str("/certificateChain");
  CHECK(verify_chain(ca_pem, root_pem, nullptr) == "");

  // Issue one leaf and follow its AIA URL without a token.
  auto made = make_csr(key_algorithm::ec_p256);
  auto leaf = post_json(*cli, api + "/certificates",
                        csr_body(profile.str("/certificateProfile/id"), made.csr_pem));
  REQUIRE(leaf.status == 200);
  auto url = ca_issuers_url(leaf.str("/certificate/certificate"));
  REQUIRE(url.rfind(server.base_url(), 0) == 0);
  auto anonymous = server.client("");
  auto der = anonymous->Get(url.substr(server.base_url().size()).c_str());
  REQUIRE(der);
  CHECK(der->status == 200);
  CHECK(der->get_header_value("Content-Type") == "application/pkix-cert");
  CHECK(pem_encode("CERTIFICATE", der->body) == ca_pem);
}

TEST_CASE("the server restarts on the same data directory", "[integration][restart]") {
  temp_dir dir;
  std::string token;
  std::string cert_id;
  std::string request_id;
  std::string chain;
  std::string pem;
  {
    // No CERTMINT_ADMIN_TOKEN: the server generates one and prints it once.
    server_process server{dir.path(), {}, ""};
    auto out = server.output();
    const std::string marker = "admin token (shown once; store it now):\n  ";
    auto pos = out.find(marker);
    REQUIRE(pos != std::string::npos);
    token = out.substr(pos + marker.size(), 67);
    REQUIRE(token.rfind("cm_", 0) == 0);
    auto cli = server.client(token);
    auto made = make_csr(key_algorithm::ec_p384);
    auto reply =
        post_json(*cli, api + "/certificates", csr_body(default_profile_id(*cli), made.csr_pem));
    REQUIRE(reply.status == 200);
    cert_id = reply.str("/certificate/certificateId");
    request_id = reply.str("/certificateRequestId");
    chain = reply.str("/certificate/certificateChain");
    pem = reply.str("/certificate/certificate");
    CHECK(server.stop() == 0);
    CHECK(server.output().find("shutting down") != std::string::npos);
  }
  server_process again{dir.path(), {}, ""};
  CHECK(again.output().find("admin token") == std::string::npos);
  CHECK(again.output().find("bootstrapped") == std::string::npos);
  auto cli = again.client(token);
  auto poll = get(*cli, api + "/certificates/certificate-requests/" + request_id);
  REQUIRE(poll.status == 200);
  CHECK(poll.str("/status") == "issued");
  CHECK(poll.str("/certificate") == pem);
  auto body = get(*cli, api + "/certificates/" + cert_id + "/certificate");
  REQUIRE(body.status == 200);
  CHECK(body.str("/certificate") == pem);
  // Same CAs: a new leaf chains to the same intermediate and root.
  auto made = make_csr(key_algorithm::ec_p256);
  auto reply =
      post_json(*cli, api + "/certificates", csr_body(default_profile_id(*cli), made.csr_pem));
  REQUIRE(reply.status == 200);
  CHECK(reply.str("/certificate/certificateChain") == chain);
  CHECK(verify_chain(reply.str("/certificate/certificate"), chain) == "");
}

TEST_CASE("concurrent clients get distinct, valid certificates", "[integration][concurrency]") {
  temp_dir dir;
  server_process server{dir.path()};
  auto profile = default_profile_id(*server.client());
  constexpr int clients = 8;
  constexpr int per_client = 15;
  std::vector<std::string> csrs;
  csrs.reserve(clients);
  for (int i = 0; i < clients; ++i)
    csrs.push_back(make_csr(key_algorithm::ec_p256).csr_pem);
  std::vector<std::vector<http_reply>> replies(clients);
  std::vector<std::thread> threads;
  threads.reserve(clients);
  for (int c = 0; c < clients; ++c)
    threads.emplace_back([&, c] {
      auto cli = server.client();
      for (int i = 0; i < per_client; ++i)
        replies[c].push_back(post_json(*cli, api + "/certificates", csr_body(profile, csrs[c])));
    });
  for (auto& t : threads)
    t.join();
  std::set<std::string> serials;
  std::set<std::string> request_ids;
  for (const auto& batch : replies)
    for (const auto& reply : batch) {
      REQUIRE(reply.status == 200);
      serials.insert(reply.str("/certificate/serialNumber"));
      request_ids.insert(reply.str("/certificateRequestId"));
      CHECK(verify_chain(reply.str("/certificate/certificate"),
                         reply.str("/certificate/certificateChain"))
            == "");
    }
  CHECK(serials.size() == size_t{clients} * per_client);
  CHECK(request_ids.size() == size_t{clients} * per_client);
}
