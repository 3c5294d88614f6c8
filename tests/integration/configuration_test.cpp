#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include <openssl/pem.h>

#include "engine/pem.hpp"
#include "storage/store.hpp"
#include "tests/integration/api_client.hpp"
#include "tests/support/test_pki.hpp"

using namespace certmint;
using namespace certmint::test;

namespace {

const std::string policies = api + "/certificate-policies";
const std::string profiles = api + "/certificate-profiles";
const std::string cas = api + "/ca/internal";

// The seed example: common name under *.acme.com, one year at most, TLS
// server usages.
const std::string acme_policy = R"({"name":"Acme Web Servers",
  "subject":[{"type":"common_name","allowed":["*.acme.com"]}],
  "sans":[{"type":"dns_name","allowed":["*.acme.com"]}],
  "keyUsages":{"allowed":["digital_signature","key_encipherment"]},
  "extendedKeyUsages":{"allowed":["server_auth"]},
  "algorithms":{"signature":["SHA256-ECDSA","SHA384-ECDSA","SHA256-RSA"],
                "keyAlgorithm":["ECDSA-P256","ECDSA-P384","RSA-2048"]},
  "validity":{"max":"1y"}})";

std::string create(httplib::Client& cli, const std::string& path, const std::string& body,
                   const char* id_pointer) {
  auto reply = post_json(cli, path, body);
  INFO(reply.body);
  REQUIRE(reply.status == 200);
  return reply.str(id_pointer);
}

std::string profile_body(const std::string& policy_id, const std::string& ca_id,
                         const std::string& slug, const std::string& extra = "") {
  return R"({"certificatePolicyId":")" + policy_id + R"(","caId":")" + ca_id + R"(","slug":")"
         + slug + R"(","enrollmentType":"api","apiConfig":{"autoRenew":false},)"
         + (extra.empty() ? R"("defaults":{"ttlDays":30})" : extra) + "}";
}

std::string root_body(const std::string& name, const char* alg) {
  return R"({"name":")" + name + R"(","status":"active","configuration":{"type":"root",
    "commonName":")"
         + name + R"( root","organization":"Acme","notAfter":"2040-01-01T00:00:00Z",
    "maxPathLength":-1,"keyAlgorithm":")"
         + alg + R"("}})";
}

std::string intermediate_body(const std::string& name, const char* alg, const std::string& parent) {
  return R"({"name":")" + name + R"(","status":"active","configuration":{"type":"intermediate",
    "commonName":")"
         + name + R"(","organization":"Acme","notAfter":"2035-01-01T00:00:00Z",
    "maxPathLength":0,"keyAlgorithm":")"
         + alg + R"(")" + (parent.empty() ? "" : R"(,"parentCaId":")" + parent + "\"") + "}}";
}

http_reply issue_csr(httplib::Client& cli, const std::string& profile, key_algorithm alg,
                     const std::string& cn) {
  csr_options opts;
  opts.common_name = cn;
  opts.sans = {"DNS:" + cn};
  return post_json(cli, api + "/certificates", csr_body(profile, make_csr(alg, opts).csr_pem));
}

size_t stored_requests(const std::string& data_dir) {
  auto db = store::open(data_dir);
  REQUIRE(db);
  auto all = (*db)->load_all<request_record>(column::requests);
  REQUIRE(all);
  return all->size();
}

} // namespace

TEST_CASE("a root -> intermediate -> leaf hierarchy built through the API",
          "[integration][ca][policy]") {
  temp_dir dir;
  size_t issued = 0;
  {
    server_process server{dir.path()};
    auto cli = server.client();
    auto policy = create(*cli, policies, acme_policy, "/certificatePolicy/id");
    for (auto [alg_name, alg] : {std::pair{"EC_prime256v1", key_algorithm::ec_p256},
                                 std::pair{"RSA_2048", key_algorithm::rsa_2048}}) {
      CAPTURE(alg_name);
      std::string suffix = alg == key_algorithm::rsa_2048 ? "rsa" : "ec";
      auto root = create(*cli, cas, root_body("acme-root-" + suffix, alg_name), "/id");
      auto inter =
          create(*cli, cas, intermediate_body("acme-issuing-" + suffix, alg_name, root), "/id");
      auto ca_path = cas + "/";
      ca_path += inter;
      auto ca_doc = get(*cli, ca_path + "/certificate");
      REQUIRE(ca_doc.status == 200);
      CHECK(verify_chain(ca_doc.str("/certificate"), ca_doc.str("/certificateChain"), nullptr)
            == "");
      auto history = get(*cli, ca_path + "/ca-certificates");
      REQUIRE(history.status == 200);
      CHECK(history.str("/0/certificate") == ca_doc.str("/certificate"));
      auto row = get(*cli, ca_path);
      CHECK(row.str("/status") == "active");
      CHECK(row.str("/configuration/parentCaId") == root);
      auto profile = create(*cli, profiles, profile_body(policy, inter, "acme-web-" + suffix),
                            "/certificateProfile/id");

      auto ok = issue_csr(*cli, profile, alg, "api.acme.com");
      INFO(ok.body);
      REQUIRE(ok.status == 200);
      ++issued;
      CHECK(
          verify_chain(ok.str("/certificate/certificate"), ok.str("/certificate/certificateChain"))
          == "");
      CHECK(split_pem_blocks(ok.str("/certificate/certificateChain")).size() == 2);

      auto bad_cn = issue_csr(*cli, profile, alg, "evil.com");
      CHECK(bad_cn.status == 400);
      CHECK(bad_cn.message()
            == "Certificate request validation failed: common_name value 'evil.com' does not "
               "match allowed patterns: *.acme.com, dns_name SAN value 'evil.com' does not match "
               "allowed patterns: *.acme.com");
      auto apex = issue_csr(*cli, profile, alg, "acme.com");
      CHECK(apex.status == 400);
      auto too_long = post_json(
          *cli, api + "/certificates",
          csr_body(
              profile,
              make_csr(alg, {"x.acme.com", "", {"DNS:x.acme.com"}, "", "", "", nullptr, {}, {}})
                  .csr_pem,
              R"("attributes":{"ttl":"2y"})"));
      CHECK(too_long.status == 400);
      CHECK(too_long.message()
            == "Certificate request validation failed: Requested validity period exceeds "
               "maximum allowed duration");
      auto wrong_key = issue_csr(*cli, profile, key_algorithm::ec_p521, "k.acme.com");
      CHECK(wrong_key.status == 400);
      CHECK(wrong_key.message().find("Key algorithm 'EC_secp521r1' is not allowed by template "
                                     "policy")
            != std::string::npos);
    }
    // The default profile and the two made here.
    auto listed = get(*cli, profiles + "?limit=100");
    REQUIRE(listed.status == 200);
    int64_t total = 0;
    CHECK_FALSE(listed.json.at_pointer("/totalCount").get_int64().get(total));
    CHECK(total == 3);
  }
  // Refused requests left no record: only the issued ones are stored.
  CHECK(stored_requests(dir.path()) == issued);
}

TEST_CASE("an intermediate for an external parent: CSR, then import", "[integration][ca]") {
  temp_dir dir;
  server_process server{dir.path()};
  auto cli = server.client();
  // The "external" parent is another certmint root, used through
  // sign-intermediate as an outside CA would be.
  auto outside = create(*cli, cas, root_body("outside-root", "EC_secp384r1"), "/id");
  auto pending = create(*cli, cas, intermediate_body("waiting", "EC_prime256v1", ""), "/id");
  CHECK(get(*cli, cas + "/" + pending).str("/status") == "pending-certificate");
  auto no_cert = get(*cli, cas + "/" + pending + "/certificate");
  CHECK(no_cert.status == 400);
  CHECK(no_cert.message() == "CA does not have a certificate installed");
  auto csr = get(*cli, cas + "/" + pending + "/csr");
  REQUIRE(csr.status == 200);
  CHECK(get(*cli, cas + "/" + outside + "/csr").message() == "Root CA cannot generate CSR");

  std::string sign_body = "{\"csr\":";
  append_json_string(sign_body, csr.str("/csr"));
  sign_body += R"(,"notAfter":"2034-01-01T00:00:00Z","maxPathLength":0})";
  auto signed_ca = post_json(*cli, cas + "/" + outside + "/sign-intermediate", sign_body);
  INFO(signed_ca.body);
  REQUIRE(signed_ca.status == 200);
  CHECK(verify_chain(signed_ca.str("/certificate"), signed_ca.str("/certificateChain"), nullptr)
        == "");

  // An outside subordinate's subject is kept as its CSR has it: no policy
  // judges it, so DC components and two OUs are not refused as they are
  // under a profile.
  csr_options directory;
  directory.common_name = "Example Issuing CA";
  directory.more_subject = {{"DC", "example"}, {"OU", "Issuing"}, {"OU", "Europe"}};
  directory.sans = {};
  std::string directory_body = "{\"csr\":";
  append_json_string(directory_body, make_csr(key_algorithm::ec_p256, directory).csr_pem);
  directory_body += R"(,"notAfter":"2034-01-01T00:00:00Z","maxPathLength":0})";
  auto directory_ca = post_json(*cli, cas + "/" + outside + "/sign-intermediate", directory_body);
  INFO(directory_ca.body);
  REQUIRE(directory_ca.status == 200);
  auto directory_cert = certificate_from_pem(directory_ca.str("/certificate"));
  REQUIRE(directory_cert);
  CHECK(X509_NAME_entry_count(X509_get_subject_name(directory_cert->get())) == 4);

  // A certificate for another key is refused; the right one is imported.
  auto stranger = create(*cli, cas, root_body("stranger", "EC_prime256v1"), "/id");
  auto stranger_cert = get(*cli, cas + "/" + stranger + "/certificate").str("/certificate");
  std::string wrong = "{\"certificate\":";
  append_json_string(wrong, stranger_cert);
  wrong += ",\"certificateChain\":";
  append_json_string(wrong, stranger_cert);
  wrong += "}";
  auto refused = post_json(*cli, cas + "/" + pending + "/import-certificate", wrong);
  CHECK(refused.status == 400);
  CHECK(refused.message().rfind("Imported certificate does not match CA configuration", 0) == 0);

  // A full chain pasted into `certificate` is refused, not cut to its first
  // block.
  std::string full_chain = "{\"certificate\":";
  append_json_string(full_chain,
                     signed_ca.str("/certificate") + signed_ca.str("/certificateChain"));
  full_chain += ",\"certificateChain\":";
  append_json_string(full_chain, signed_ca.str("/certificateChain"));
  full_chain += "}";
  auto two_blocks = post_json(*cli, cas + "/" + pending + "/import-certificate", full_chain);
  CHECK(two_blocks.status == 400);
  CHECK(two_blocks.message()
        == "Invalid certificate: send the CA's certificate as one PEM block; its issuers go in "
           "certificateChain");
  CHECK(get(*cli, cas + "/" + pending).str("/status") == "pending-certificate");

  std::string import = "{\"certificate\":";
  append_json_string(import, signed_ca.str("/certificate"));
  import += ",\"certificateChain\":";
  append_json_string(import, signed_ca.str("/certificateChain"));
  import += "}";
  auto imported = post_json(*cli, cas + "/" + pending + "/import-certificate", import);
  INFO(imported.body);
  REQUIRE(imported.status == 200);
  CHECK(imported.str("/message") == "Successfully imported certificate to CA");
  CHECK(get(*cli, cas + "/" + pending).str("/status") == "active");

  auto policy = create(*cli, policies, acme_policy, "/certificatePolicy/id");
  auto profile = create(*cli, profiles, profile_body(policy, pending, "via-external"),
                        "/certificateProfile/id");
  auto leaf = issue_csr(*cli, profile, key_algorithm::ec_p256, "app.acme.com");
  INFO(leaf.body);
  REQUIRE(leaf.status == 200);
  CHECK(
      verify_chain(leaf.str("/certificate/certificate"), leaf.str("/certificate/certificateChain"))
      == "");
}

TEST_CASE("disabled CAs refuse to issue; CAs in use cannot be deleted", "[integration][ca]") {
  temp_dir dir;
  server_process server{dir.path()};
  auto cli = server.client();
  auto root = create(*cli, cas, root_body("lifecycle-root", "EC_prime256v1"), "/id");
  auto inter = create(*cli, cas, intermediate_body("lifecycle", "EC_prime256v1", root), "/id");
  auto policy = create(*cli, policies, acme_policy, "/certificatePolicy/id");
  auto profile =
      create(*cli, profiles, profile_body(policy, inter, "lifecycle"), "/certificateProfile/id");
  REQUIRE(issue_csr(*cli, profile, key_algorithm::ec_p256, "a.acme.com").status == 200);
  auto disabled = patch_json(*cli, cas + "/" + inter, R"({"status":"disabled"})");
  REQUIRE(disabled.status == 200);
  CHECK(disabled.str("/status") == "disabled");
  auto refused = issue_csr(*cli, profile, key_algorithm::ec_p256, "a.acme.com");
  CHECK(refused.status == 400);
  CHECK(refused.message() == "CA is not active");
  REQUIRE(patch_json(*cli, cas + "/" + inter, R"({"status":"active"})").status == 200);
  CHECK(issue_csr(*cli, profile, key_algorithm::ec_p256, "a.acme.com").status == 200);

  auto in_use = del(*cli, cas + "/" + inter);
  CHECK(in_use.status == 400);
  CHECK(in_use.message().find("CA is used by certificate profiles (lifecycle)") == 0);
  auto policy_in_use = del(*cli, policies + "/" + policy);
  CHECK(policy_in_use.status == 400);
  auto certs = get(*cli, profiles + "/" + profile + "/certificates");
  REQUIRE(certs.status == 200);
  int64_t total = 0;
  CHECK_FALSE(certs.json.at_pointer("/totalCount").get_int64().get(total));
  CHECK(total == 2);
  REQUIRE(del(*cli, profiles + "/" + profile).status == 200);
  CHECK(del(*cli, cas + "/" + inter).status == 200);
  CHECK(get(*cli, cas + "/" + inter).status == 404);
  CHECK(del(*cli, policies + "/" + policy).status == 200);
}

namespace {

// GETs a CRL distribution point the way a relying party does: no token.
std::string fetch_crl(const server_process& server, const std::string& url) {
  REQUIRE(url.rfind(server.base_url(), 0) == 0);
  auto anonymous = server.client("");
  auto res = anonymous->Get(url.substr(server.base_url().size()).c_str());
  REQUIRE(res);
  INFO(res->body);
  REQUIRE(res->status == 200);
  CHECK(res->get_header_value("Content-Type") == "application/pkix-crl");
  return res->body;
}

// A new CA's CRL is signed as its signers start, just after the reply.
http_reply await_crls(httplib::Client& cli, const std::string& ca_id) {
  auto path = cas + "/" + ca_id;
  path += "/crls";
  for (int i = 0; i < 500; ++i) {
    auto crls = get(cli, path);
    REQUIRE(crls.status == 200);
    if (crls.body != "[]")
      return crls;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  FAIL("no CRL within 5 s of the CA's creation");
  return {};
}

} // namespace

TEST_CASE("CRL distribution points serve signed CRLs that OpenSSL checks the chain with",
          "[integration][crl]") {
  temp_dir dir;
  std::string crl_path;
  std::string crl_der;
  {
    server_process server{dir.path()};
    auto cli = server.client();
    auto made = make_csr(key_algorithm::ec_p256);
    auto leaf =
        post_json(*cli, api + "/certificates", csr_body(default_profile_id(*cli), made.csr_pem));
    REQUIRE(leaf.status == 200);
    auto leaf_pem = leaf.str("/certificate/certificate");
    auto chain = leaf.str("/certificate/certificateChain");
    auto crl_url = crl_distribution_url(leaf_pem);
    crl_path = crl_url.substr(server.base_url().size());
    crl_der = fetch_crl(server, crl_url);
    auto root_crl = fetch_crl(server, crl_distribution_url(split_pem_blocks(chain).front()));
    // Every certificate of the chain checked against its issuer's CRL.
    CHECK(verify_chain_with_crls(leaf_pem, chain, {crl_der, root_crl}, true) == "");
    CHECK(verify_chain_with_crls(leaf_pem, chain, {crl_der}, true)
          == "unable to get certificate CRL");
    // Infisical's older path serves the same CRL.
    CHECK(fetch_crl(server, crl_url.substr(0, crl_url.size() - 4)) == crl_der);

    // The issuing CA lists it, as PEM, under the id in the URL.
    auto crl_id = crl_url.substr(crl_url.size() - 40, 36);
    auto ca_id =
        get(*cli, api + "/certificate-profiles/slug/default").str("/certificateProfile/caId");
    auto listed = get(*cli, cas + "/" + ca_id + "/crls");
    REQUIRE(listed.status == 200);
    CHECK(listed.str("/0/id") == crl_id);
    CHECK(listed.str("/0/crl") == pem_encode("X509 CRL", crl_der));
    CHECK(server.client("")->Get((cas + "/" + ca_id + "/crls").c_str())->status == 401);

    // Unknown and malformed ids.
    auto anonymous = server.client("");
    auto unknown = anonymous->Get((api + "/crl/01a2530b-553c-7005-8c16-b837e5f27300/der").c_str());
    REQUIRE(unknown);
    CHECK(unknown->status == 404);
    CHECK(to_reply(unknown).message()
          == "CRL with ID '01a2530b-553c-7005-8c16-b837e5f27300' not found");
    CHECK(anonymous->Get((api + "/crl/not-a-uuid/der").c_str())->status == 422);

    // A CA created through the API gets its CRL as its signers start.
    auto root = create(*cli, cas, root_body("crl-root", "EC_secp384r1"), "/id");
    auto root_crls = await_crls(*cli, root);
    auto root_cert =
        certificate_from_pem(get(*cli, cas + "/" + root + "/certificate").str("/certificate"));
    REQUIRE(root_cert);
    auto root_crl_pem = root_crls.str("/0/crl");
    bio_ptr bio{BIO_new_mem_buf(root_crl_pem.data(), static_cast<int>(root_crl_pem.size()))};
    X509_CRL* parsed = PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr);
    REQUIRE(parsed != nullptr);
    CHECK(X509_CRL_verify(parsed, X509_get0_pubkey(root_cert->get())) == 1);
    X509_CRL_free(parsed);
  }
  // A restart serves the CRL it stored: a fresh CRL is not signed again.
  server_process server{dir.path()};
  CHECK(fetch_crl(server, server.base_url() + crl_path) == crl_der);
}

namespace {

// The CRL at `url` once it lists `count` certificates (up to 5 s: the CA's
// CRL is signed again just after a revocation is answered).
std::string await_listing(const server_process& server, const std::string& url, int count) {
  for (int i = 0; i < 500; ++i) {
    auto der = fetch_crl(server, url);
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    X509_CRL* crl = d2i_X509_CRL(nullptr, &p, static_cast<long>(der.size()));
    REQUIRE(crl != nullptr);
    auto listed = sk_X509_REVOKED_num(X509_CRL_get_REVOKED(crl));
    X509_CRL_free(crl);
    if (listed == count)
      return der;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  FAIL("the CRL did not list " << count << " certificates within 5 s");
  return {};
}

std::string revoke_body(const char* reason) {
  return std::string{R"({"revocationReason":")"} + reason + R"("})";
}

} // namespace

TEST_CASE("a revoked certificate is listed on its CA's CRL and OpenSSL refuses it",
          "[integration][revoke]") {
  temp_dir dir;
  std::string revoked_id;
  std::string crl_path;
  {
    server_process server{dir.path()};
    auto admin = server.client();
    auto profile = default_profile_id(*admin);
    auto [issuer_token, issuer_id] = make_token(*admin, "pipeline", R"(["issue"])");
    auto [other_token, other_id] = make_token(*admin, "other-pipeline", R"(["issue"])");
    auto [reader_token, reader_id] = make_token(*admin, "auditor", R"(["read"])");
    auto [manager_token, manager_id] = make_token(*admin, "operator", R"(["manage"])");
    auto issuer = server.client(issuer_token);
    auto issue = [&](httplib::Client& cli) {
      auto reply = post_json(cli, api + "/certificates",
                             csr_body(profile, make_csr(key_algorithm::ec_p256).csr_pem));
      REQUIRE(reply.status == 200);
      return reply;
    };
    auto leaf = issue(*issuer);
    auto leaf_pem = leaf.str("/certificate/certificate");
    auto chain = leaf.str("/certificate/certificateChain");
    auto id = leaf.str("/certificate/certificateId");
    auto crl_url = crl_distribution_url(leaf_pem);
    crl_path = crl_url.substr(server.base_url().size());
    auto root_crl = fetch_crl(server, crl_distribution_url(split_pem_blocks(chain).front()));
    CHECK(verify_chain_with_crls(leaf_pem, chain, {fetch_crl(server, crl_url), root_crl}, true)
          == "");

    // Who may: the identity whose request it was, `manage`, `admin`.
    auto path = api + "/certificates/" + id + "/revoke";
    check_denied(post_json(*server.client(other_token), path, revoke_body("SUPERSEDED")),
                 "You are not allowed to revoke on Certificates");
    check_denied(post_json(*server.client(reader_token), path, revoke_body("SUPERSEDED")),
                 "You are not allowed to revoke on Certificates");
    auto bad = post_json(*issuer, path, revoke_body("REMOVE_FROM_CRL"));
    CHECK(bad.status == 422);
    auto revoked = post_json(*issuer, path, revoke_body("KEY_COMPROMISE"));
    INFO(revoked.body);
    REQUIRE(revoked.status == 200);
    CHECK(revoked.str("/message") == "Successfully revoked certificate");
    CHECK(revoked.str("/serialNumber") == leaf.str("/certificate/serialNumber"));
    auto again = post_json(*issuer, path, revoke_body("KEY_COMPROMISE"));
    CHECK(again.status == 400);
    CHECK(again.message() == "The certificate has already been revoked");

    // The CRL lists it, and OpenSSL refuses the certificate.
    auto listing = await_listing(server, crl_url, 1);
    CHECK(verify_chain_with_crls(leaf_pem, chain, {listing, root_crl}, true)
          == "certificate revoked");
    auto shown = get(*issuer, api + "/certificates/" + id);
    CHECK(shown.str("/certificate/status") == "revoked");
    CHECK(shown.str("/certificate/revokedAt") == revoked.str("/revokedAt"));
    CHECK(shown.json.at_pointer("/certificate/revocationReason").get_int64().value() == 1);
    auto listed = get(*admin, api + "/certificate-profiles/" + profile + "/certificates");
    CHECK(listed.str("/certificates/0/status") == "revoked");
    CHECK(listed.str("/certificates/0/revokedAt") == revoked.str("/revokedAt"));

    // `manage` revokes anyone's; a disabled CA still signs its CRL.
    auto second = issue(*admin);
    auto ca_id =
        get(*admin, api + "/certificate-profiles/" + profile).str("/certificateProfile/caId");
    REQUIRE(patch_json(*admin, cas + "/" + ca_id, R"({"status":"disabled"})").status == 200);
    auto by_manager =
        post_json(*server.client(manager_token),
                  api + "/certificates/" + second.str("/certificate/certificateId") + "/revoke",
                  revoke_body("CESSATION_OF_OPERATION"));
    CHECK(by_manager.status == 200);
    await_listing(server, crl_url, 2);

    // A certificate whose CA was deleted: no CRL could list it.
    auto policy = create(*admin, policies, acme_policy, "/certificatePolicy/id");
    auto gone_ca = create(*admin, cas, root_body("gone-root", "EC_prime256v1"), "/id");
    auto gone_profile =
        create(*admin, profiles, profile_body(policy, gone_ca, "gone"), "/certificateProfile/id");
    auto orphan = issue_csr(*admin, gone_profile, key_algorithm::ec_p256, "api.acme.com");
    REQUIRE(orphan.status == 200);
    REQUIRE(del(*admin, profiles + "/" + gone_profile).status == 200);
    REQUIRE(del(*admin, cas + "/" + gone_ca).status == 200);
    auto orphan_revoke = post_json(
        *admin, api + "/certificates/" + orphan.str("/certificate/certificateId") + "/revoke",
        revoke_body("KEY_COMPROMISE"));
    CHECK(orphan_revoke.status == 400);
    CHECK(orphan_revoke.message()
          == "The certificate's CA was deleted: no CRL can list the revocation");

    // Unknown and malformed ids.
    auto unknown =
        post_json(*admin, api + "/certificates/01a2530b-553c-7005-8c16-b837e5f27300/revoke",
                  revoke_body("UNSPECIFIED"));
    CHECK(unknown.status == 404);
    CHECK(post_json(*admin, api + "/certificates/x/revoke", revoke_body("UNSPECIFIED")).status
          == 422);
    revoked_id = id;
  }
  // After a restart: still revoked, still listed.
  server_process server{dir.path()};
  CHECK(get(*server.client(), api + "/certificates/" + revoked_id).str("/certificate/status")
        == "revoked");
  await_listing(server, server.base_url() + crl_path, 2);
}

TEST_CASE("self-signed profiles", "[integration][self-signed]") {
  temp_dir dir;
  server_process server{dir.path()};
  auto cli = server.client();
  auto default_policy =
      get(*cli, profiles + "/slug/default").str("/certificateProfile/certificatePolicyId");
  auto profile =
      create(*cli, profiles,
             R"({"certificatePolicyId":")" + default_policy
                 + R"(","slug":"local-dev","enrollmentType":"api","issuerType":"self-signed",
                             "apiConfig":{"autoRenew":false},
                             "defaults":{"ttlDays":30,"keyAlgorithm":"RSA_2048","signatureAlgorithm":"RSA-SHA256"}})",
             "/certificateProfile/id");
  auto reply =
      post_json(*cli, api + "/certificates",
                R"({"profileId":")" + profile + R"(","attributes":{"commonName":"localhost",
                            "altNames":[{"type":"dns_name","value":"localhost"}]}})");
  INFO(reply.body);
  REQUIRE(reply.status == 200);
  auto cert = reply.str("/certificate/certificate");
  CHECK(reply.str("/certificate/issuingCaCertificate").empty());
  CHECK(reply.str("/certificate/certificateChain") == cert);
  CHECK(verify_chain(cert, cert, nullptr) == "");
  CHECK(key_matches_certificate(reply.str("/certificate/privateKey"), cert));
  auto csr = post_json(*cli, api + "/certificates",
                       csr_body(profile, make_csr(key_algorithm::ec_p256).csr_pem));
  CHECK(csr.status == 400);
  CHECK(csr.message() == "Self-signed certificates are not supported for CSR signing");
  // No CA publishes a CRL for a self-signed certificate.
  auto revoke =
      post_json(*cli, api + "/certificates/" + reply.str("/certificate/certificateId") + "/revoke",
                revoke_body("KEY_COMPROMISE"));
  CHECK(revoke.status == 400);
  CHECK(revoke.message()
        == "A self-signed certificate cannot be revoked: no CA publishes a CRL for it");
}

TEST_CASE("policy and profile validation errors", "[integration][policy][profile]") {
  temp_dir dir;
  server_process server{dir.path()};
  auto cli = server.client();
  auto schema = post_json(*cli, policies,
                          R"({"name":"x","subject":[{"type":"common_name"}],"validity":{"max":"1w"},
                              "keyUsages":{"allowed":["crl_sign"],"denied":["crl_sign"]},
                              "basicConstraints":{"isCA":"denied","maxPathLength":-2}})");
  CHECK(schema.status == 422);
  CHECK(schema.body.find("Subject attribute must have at least one allowed, required, or denied "
                         "value")
        != std::string::npos);
  CHECK(schema.body.find("Max validity must be in format like '365d', '12m', '1y', or '24h'")
        != std::string::npos);
  CHECK(schema.body.find("A key usage cannot be both denied and present in the allowed or "
                         "required arrays.")
        != std::string::npos);
  CHECK(schema.body.find("Path length must be -1 (unlimited) or a non-negative integer")
        != std::string::npos);
  auto duplicate = post_json(*cli, policies,
                             R"({"name":"dup","sans":[{"type":"dns_name","allowed":["a"]},
                                 {"type":"dns_name","allowed":["b"]}]})");
  CHECK(duplicate.status == 403);
  CHECK(duplicate.message()
        == "Duplicate attribute type 'dns_name' found in request. Each "
           "attribute type must appear only once.");

  auto first = create(*cli, policies, acme_policy, "/certificatePolicy/name");
  CHECK(first == "acme-web-servers");
  auto second = create(*cli, policies, acme_policy, "/certificatePolicy/name");
  CHECK(second.rfind("acme-web-servers-", 0) == 0);
  auto listed = get(*cli, policies + "?search=acme&limit=1");
  REQUIRE(listed.status == 200);
  int64_t total = 0;
  CHECK_FALSE(listed.json.at_pointer("/totalCount").get_int64().get(total));
  CHECK(total == 2);
  CHECK(get(*cli, policies + "?limit=0").status == 422);

  auto policy = create(*cli, policies, acme_policy, "/certificatePolicy/id");
  auto patched = patch_json(*cli, policies + "/" + policy, R"({"validity":{"max":"90d"}})");
  REQUIRE(patched.status == 200);
  CHECK(patched.str("/certificatePolicy/validity/max") == "90d");

  auto ca = get(*cli, profiles + "/slug/default").str("/certificateProfile/caId");
  auto refinements =
      post_json(*cli, profiles,
                R"({"certificatePolicyId":")" + policy
                    + R"(","slug":"p","enrollmentType":"api","issuerType":"self-signed","caId":")"
                    + ca + "\"}");
  CHECK(refinements.status == 422);
  CHECK(refinements.body.find("API enrollment type requires API configuration")
        != std::string::npos);
  CHECK(refinements.body.find("Self-signed issuer type cannot have a CA ID") != std::string::npos);
  auto est =
      post_json(*cli, profiles,
                R"({"certificatePolicyId":")" + policy + R"(","caId":")" + ca
                    + R"(","slug":"e","enrollmentType":"est","estConfig":{"passphrase":"x"}})");
  CHECK(est.status == 400);
  CHECK(est.message() == "Enrollment type 'est' is not supported yet; use 'api'");
  auto ttl = post_json(*cli, profiles,
                       profile_body(policy, ca, "too-long", R"("defaults":{"ttlDays":120})"));
  CHECK(ttl.status == 400);
  CHECK(ttl.message().find("Profile's default TTL (120 days) exceeds the policy's maximum "
                           "validity (90d). Please update the profile or policy to fix this "
                           "configuration mismatch.")
        != std::string::npos);
  // "a\0.acme.com" matches the policy's *.acme.com; the subject encoder
  // refuses it, and a profile whose default fails every issuance is not
  // saved.
  auto control = post_json(*cli, profiles,
                           profile_body(policy, ca, "control-character",
                                        R"("defaults":{"commonName":"a\u0000.acme.com"})"));
  CHECK(control.status == 400);
  CHECK(control.message()
        == "Certificate profile defaults violate the certificate policy: commonName must not "
           "contain control characters");
  auto bad_slug = post_json(*cli, profiles, profile_body(policy, ca, "Not A Slug"));
  CHECK(bad_slug.status == 422);
  create(*cli, profiles, profile_body(policy, ca, "unique"), "/certificateProfile/id");
  auto taken = post_json(*cli, profiles, profile_body(policy, ca, "unique"));
  CHECK(taken.status == 400);
  CHECK(taken.message() == "Certificate profile with slug 'unique' already exists");
  CHECK(post_json(*cli, profiles, profile_body("00000000-0000-7000-8000-000000000000", ca, "z"))
            .status
        == 404);
}
