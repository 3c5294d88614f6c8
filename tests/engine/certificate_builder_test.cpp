#include <catch2/catch.hpp>

#include <openssl/x509v3.h>

#include "engine/certificate_builder.hpp"
#include "engine/identifiers.hpp"
#include "engine/key_encoding.hpp"
#include "engine/key_generator.hpp"
#include "engine/pem.hpp"
#include "engine/time_format.hpp"
#include "engine/ttl.hpp"
#include "tests/support/test_pki.hpp"

using namespace certmint;

namespace {

struct test_ca {
  std::string root_pem;
  issuer_material intermediate;
  std::string intermediate_pem;

  std::string chain() const { return intermediate_pem + root_pem; }
};

test_ca make_ca(key_algorithm alg) {
  auto now = unix_now();
  auto root_key = generate_key(alg);
  REQUIRE(root_key);
  ca_certificate_spec root_spec;
  root_spec.subject.common_name = "Test Root";
  root_spec.not_before = now - 60;
  root_spec.not_after = now + 3650 * seconds_per_day;
  root_spec.hash = default_hash(alg);
  auto root_der = sign_root(root_key->get(), make_serial(), root_spec);
  REQUIRE(root_der);
  auto root =
      make_issuer_material(certificate_from_der(*root_der).value(), std::move(*root_key), alg,
                           "http://127.0.0.1:1/crl/root", "http://127.0.0.1:1/ca/root");
  auto inter_key = generate_key(alg);
  REQUIRE(inter_key);
  ca_certificate_spec inter_spec = root_spec;
  inter_spec.subject.common_name = "Test Intermediate";
  inter_spec.path_length = 0;
  inter_spec.not_after = now + 1825 * seconds_per_day;
  auto inter_der =
      sign_intermediate(root, public_key_to_der(inter_key->get()), make_serial(), inter_spec);
  REQUIRE(inter_der);
  test_ca ca;
  ca.root_pem = pem_encode("CERTIFICATE", *root_der);
  ca.intermediate_pem = pem_encode("CERTIFICATE", *inter_der);
  ca.intermediate = make_issuer_material(
      certificate_from_der(*inter_der).value(), std::move(*inter_key), alg,
      "http://127.0.0.1:1/crl/intermediate", "http://127.0.0.1:1/ca/intermediate");
  return ca;
}

issuance_plan plan_for(EVP_PKEY* key, key_algorithm alg, int64_t now) {
  issuance_plan plan;
  plan.subject.common_name = "svc.example.com";
  plan.subject_der = *encode_subject(plan.subject);
  plan.sans = {{san_type::dns_name, "svc.example.com"}, {san_type::ip_address, "192.0.2.7"}};
  plan.key_usages = ku_digital_signature;
  plan.ext_key_usages = eku_server_auth | eku_client_auth;
  plan.key_alg = alg;
  plan.public_key_der = public_key_to_der(key);
  plan.not_before = now;
  plan.not_after = now + seconds_per_day - 1;
  return plan;
}

} // namespace

TEST_CASE("leaves verify against their chain with OpenSSL", "[engine][builder]") {
  for (auto ca_alg : {key_algorithm::ec_p256, key_algorithm::ec_p384, key_algorithm::rsa_2048}) {
    CAPTURE(to_string(ca_alg));
    auto ca = make_ca(ca_alg);
    auto now = unix_now();
    auto leaf_key = generate_key(key_algorithm::ec_p256);
    REQUIRE(leaf_key);
    auto plan = plan_for(leaf_key->get(), key_algorithm::ec_p256, now);
    plan.signature_alg = {family_of(ca_alg), default_hash(ca_alg)};
    auto serial = make_serial();
    auto der = sign_leaf(ca.intermediate, serial, plan);
    REQUIRE(der);
    auto pem = pem_encode("CERTIFICATE", *der);
    CHECK(test::verify_chain(pem, ca.chain()) == "");
    CHECK(test::verify_chain(pem, ca.chain(), "sslclient") == "");

    auto cert = certificate_from_der(*der);
    REQUIRE(cert);
    auto* x = cert->get();
    CHECK(X509_get_version(x) == X509_VERSION_3);
    CHECK((X509_get_extension_flags(x) & EXFLAG_CA) == 0);
    CHECK(X509_get_key_usage(x) == KU_DIGITAL_SIGNATURE);
    CHECK(X509_get_extended_key_usage(x) == (XKU_SSL_SERVER | XKU_SSL_CLIENT));
    CHECK(X509_check_host(x, "svc.example.com", 0, 0, nullptr) == 1);
    CHECK(X509_check_ip_asc(x, "192.0.2.7", 0) == 1);
    CHECK(X509_get0_subject_key_id(x) != nullptr);
    CHECK(X509_get0_authority_key_id(x) != nullptr);
    int crit = -1;
    auto* eku = X509_get_ext_d2i(x, NID_ext_key_usage, &crit, nullptr);
    CHECK(crit == 0); // EKU non-critical (RFC 5280 practice)
    sk_ASN1_OBJECT_pop_free(static_cast<EXTENDED_KEY_USAGE*>(eku), ASN1_OBJECT_free);
    auto* ku = X509_get_ext_d2i(x, NID_key_usage, &crit, nullptr);
    CHECK(crit == 1);
    ASN1_BIT_STRING_free(static_cast<ASN1_BIT_STRING*>(ku));
    auto* aia =
        static_cast<AUTHORITY_INFO_ACCESS*>(X509_get_ext_d2i(x, NID_info_access, nullptr, nullptr));
    REQUIRE(aia != nullptr);
    CHECK(sk_ACCESS_DESCRIPTION_num(aia) == 1);
    AUTHORITY_INFO_ACCESS_free(aia);
    auto* cdp = static_cast<CRL_DIST_POINTS*>(
        X509_get_ext_d2i(x, NID_crl_distribution_points, nullptr, nullptr));
    REQUIRE(cdp != nullptr);
    CRL_DIST_POINTS_free(cdp);
    // Serial: the bytes we reserved, positive.
    auto* sn = X509_get0_serialNumber(x);
    CHECK(sn->type == V_ASN1_INTEGER);
    CHECK(sn->length == 20);
    CHECK(std::string(reinterpret_cast<const char*>(sn->data), 20) == serial);
    // Validity exactly as planned.
    CHECK(ASN1_TIME_cmp_time_t(X509_get0_notBefore(x), plan.not_before) == 0);
    CHECK(ASN1_TIME_cmp_time_t(X509_get0_notAfter(x), plan.not_after) == 0);
  }
}

TEST_CASE("a leaf with an empty subject gets a critical SAN", "[engine][builder]") {
  auto ca = make_ca(key_algorithm::ec_p256);
  auto key = generate_key(key_algorithm::ec_p256);
  auto plan = plan_for(key->get(), key_algorithm::ec_p256, unix_now());
  plan.subject = {};
  plan.subject_der = *encode_subject(plan.subject);
  auto der = sign_leaf(ca.intermediate, make_serial(), plan);
  REQUIRE(der);
  auto cert = certificate_from_der(*der);
  int crit = -1;
  auto* san = X509_get_ext_d2i(cert->get(), NID_subject_alt_name, &crit, nullptr);
  CHECK(crit == 1);
  GENERAL_NAMES_free(static_cast<GENERAL_NAMES*>(san));
  CHECK(test::verify_chain(pem_encode("CERTIFICATE", *der), ca.chain()) == "");
}

TEST_CASE("CA certificates carry CA constraints", "[engine][builder]") {
  auto ca = make_ca(key_algorithm::ec_p256);
  auto inter = certificate_from_pem(ca.intermediate_pem);
  REQUIRE(inter);
  CHECK((X509_get_extension_flags(inter->get()) & EXFLAG_CA) != 0);
  CHECK(X509_get_pathlen(inter->get()) == 0);
  CHECK((X509_get_key_usage(inter->get()) & KU_KEY_CERT_SIGN) != 0);
  CHECK(test::verify_chain(ca.intermediate_pem, ca.root_pem, nullptr) == "");
  auto root = certificate_from_pem(ca.root_pem);
  CHECK(X509_get_pathlen(root->get()) == -1);
}

TEST_CASE("a CA's CRL verifies with OpenSSL and clears its certificates",
          "[engine][builder][crl]") {
  for (auto ca_alg : {key_algorithm::ec_p256, key_algorithm::ec_p384, key_algorithm::rsa_2048}) {
    CAPTURE(to_string(ca_alg));
    auto ca = make_ca(ca_alg);
    auto now = unix_now();
    auto der = sign_crl(ca.intermediate, {300, now, now + 7 * seconds_per_day, {}});
    REQUIRE(der);
    const auto* p = reinterpret_cast<const unsigned char*>(der->data());
    X509_CRL* crl = d2i_X509_CRL(nullptr, &p, static_cast<long>(der->size()));
    REQUIRE(crl != nullptr);
    CHECK(p == reinterpret_cast<const unsigned char*>(der->data() + der->size()));
    CHECK(X509_CRL_get_version(crl) == X509_CRL_VERSION_2);
    auto* ca_cert = ca.intermediate.certificate.get();
    CHECK(X509_CRL_verify(crl, X509_get0_pubkey(ca_cert)) == 1);
    CHECK(X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(ca_cert)) == 0);
    CHECK(ASN1_TIME_cmp_time_t(X509_CRL_get0_lastUpdate(crl), now) == 0);
    CHECK(ASN1_TIME_cmp_time_t(X509_CRL_get0_nextUpdate(crl), now + 7 * seconds_per_day) == 0);
    CHECK(sk_X509_REVOKED_num(X509_CRL_get_REVOKED(crl)) <= 0);
    int crit = -1;
    auto* number =
        static_cast<ASN1_INTEGER*>(X509_CRL_get_ext_d2i(crl, NID_crl_number, &crit, nullptr));
    REQUIRE(number != nullptr);
    CHECK(crit == 0);
    CHECK(ASN1_INTEGER_get(number) == 300);
    ASN1_INTEGER_free(number);
    auto* akid = static_cast<AUTHORITY_KEYID*>(
        X509_CRL_get_ext_d2i(crl, NID_authority_key_identifier, nullptr, nullptr));
    REQUIRE(akid != nullptr);
    CHECK(ASN1_OCTET_STRING_cmp(akid->keyid, X509_get0_subject_key_id(ca_cert)) == 0);
    AUTHORITY_KEYID_free(akid);
    X509_CRL_free(crl);

    auto leaf_key = generate_key(key_algorithm::ec_p256);
    auto plan = plan_for(leaf_key->get(), key_algorithm::ec_p256, now);
    plan.signature_alg = {family_of(ca_alg), default_hash(ca_alg)};
    auto leaf = sign_leaf(ca.intermediate, make_serial(), plan);
    REQUIRE(leaf);
    auto leaf_pem = pem_encode("CERTIFICATE", *leaf);
    CHECK(test::verify_chain_with_crls(leaf_pem, ca.chain(), {*der}, false) == "");
    // Without the CRL, a CRL check fails: the check above used it.
    CHECK(test::verify_chain_with_crls(leaf_pem, ca.chain(), {}, false)
          == "unable to get certificate CRL");
  }
}

TEST_CASE("a CRL lists revoked serials with their date and reason", "[engine][builder][crl]") {
  auto ca = make_ca(key_algorithm::ec_p256);
  auto now = unix_now();
  auto leaf_key = generate_key(key_algorithm::ec_p256);
  auto plan = plan_for(leaf_key->get(), key_algorithm::ec_p256, now);
  auto revoked_serial = make_serial();
  auto revoked = sign_leaf(ca.intermediate, revoked_serial, plan);
  auto kept = sign_leaf(ca.intermediate, make_serial(), plan);
  REQUIRE(revoked);
  REQUIRE(kept);
  // A serial whose top bit is set needs a leading zero; one with leading
  // zero bytes loses them (INTEGER's shortest form).
  const std::string high_serial("\x80\x01", 2);
  const std::string padded_serial("\x00\x00\x05", 3);
  crl_contents contents{7, now, now + 3600, {}};
  contents.revoked = {{revoked_serial, now - 30, revocation_reason::key_compromise},
                      {high_serial, now - 20, revocation_reason::unspecified},
                      {padded_serial, now - 10, revocation_reason::aa_compromise}};
  auto der = sign_crl(ca.intermediate, contents);
  REQUIRE(der);
  const auto* p = reinterpret_cast<const unsigned char*>(der->data());
  X509_CRL* crl = d2i_X509_CRL(nullptr, &p, static_cast<long>(der->size()));
  REQUIRE(crl != nullptr);
  CHECK(X509_CRL_verify(crl, X509_get0_pubkey(ca.intermediate.certificate.get())) == 1);
  auto* entries = X509_CRL_get_REVOKED(crl);
  REQUIRE(sk_X509_REVOKED_num(entries) == 3);
  auto reason_of = [](X509_REVOKED* entry) {
    int crit = -1;
    auto* reason = static_cast<ASN1_ENUMERATED*>(
        X509_REVOKED_get_ext_d2i(entry, NID_crl_reason, &crit, nullptr));
    if (reason == nullptr)
      return -1L;
    CHECK(crit == 0);
    auto code = ASN1_ENUMERATED_get(reason);
    ASN1_ENUMERATED_free(reason);
    return code;
  };
  auto* first = sk_X509_REVOKED_value(entries, 0);
  CHECK(ASN1_TIME_cmp_time_t(X509_REVOKED_get0_revocationDate(first), now - 30) == 0);
  CHECK(reason_of(first) == 1);
  auto* second = sk_X509_REVOKED_value(entries, 1);
  CHECK(reason_of(second) == -1); // unspecified: no reasonCode (RFC 5280 §5.3.1)
  CHECK(ASN1_INTEGER_get(X509_REVOKED_get0_serialNumber(second)) == 0x8001);
  auto* third = sk_X509_REVOKED_value(entries, 2);
  CHECK(reason_of(third) == 10);
  CHECK(ASN1_INTEGER_get(X509_REVOKED_get0_serialNumber(third)) == 5);
  X509_CRL_free(crl);

  CHECK(test::verify_chain_with_crls(pem_encode("CERTIFICATE", *revoked), ca.chain(), {*der},
                                     false)
        == "certificate revoked");
  CHECK(test::verify_chain_with_crls(pem_encode("CERTIFICATE", *kept), ca.chain(), {*der}, false)
        == "");
}

TEST_CASE("revocation reasons are read by their Infisical names", "[engine][crl]") {
  CHECK(parse_revocation_reason("KEY_COMPROMISE") == revocation_reason::key_compromise);
  CHECK(parse_revocation_reason("A_A_COMPROMISE") == revocation_reason::aa_compromise);
  CHECK(static_cast<int>(*parse_revocation_reason("PRIVILEGE_WITHDRAWN")) == 9);
  CHECK_FALSE(parse_revocation_reason("REMOVE_FROM_CRL"));
  CHECK_FALSE(parse_revocation_reason("key_compromise"));
  CHECK_FALSE(parse_revocation_reason(""));
  CHECK(revocation_reason_names().size() == 9);
}

TEST_CASE("a CRL number is encoded as a positive INTEGER of any size", "[engine][builder][crl]") {
  auto ca = make_ca(key_algorithm::ec_p256);
  auto now = unix_now();
  for (uint64_t n :
       {uint64_t{1}, uint64_t{127}, uint64_t{128}, uint64_t{65536}, uint64_t{0xffffffffffffffff}}) {
    CAPTURE(n);
    auto der = sign_crl(ca.intermediate, {n, now, now + 60, {}});
    REQUIRE(der);
    const auto* p = reinterpret_cast<const unsigned char*>(der->data());
    X509_CRL* crl = d2i_X509_CRL(nullptr, &p, static_cast<long>(der->size()));
    REQUIRE(crl != nullptr);
    auto* number =
        static_cast<ASN1_INTEGER*>(X509_CRL_get_ext_d2i(crl, NID_crl_number, nullptr, nullptr));
    REQUIRE(number != nullptr);
    uint64_t read = 0;
    CHECK(ASN1_INTEGER_get_uint64(&read, number) == 1);
    CHECK(read == n);
    ASN1_INTEGER_free(number);
    X509_CRL_free(crl);
  }
}

TEST_CASE("subject encoding enforces RFC 5280 bounds", "[engine][builder][malformed]") {
  auto refusal = [](std::string subject_fields::*member, std::string_view value) {
    subject_fields s;
    s.*member = std::string{value};
    auto der = encode_subject(s);
    REQUIRE_FALSE(der);
    return der.error().message;
  };
  CHECK(refusal(&subject_fields::common_name, std::string(65, 'a'))
        == "commonName must be at most 64 characters (RFC 5280 upper bound)");
  CHECK(refusal(&subject_fields::country, "USA")
        == "country must be a two-letter ISO 3166 code in upper case, got 'USA'");
  CHECK(refusal(&subject_fields::organization, "\xff\xfe")
        == "organization is not valid UTF-8 text");
  // Control characters: a NUL would let "evil.example\0.acme.com" pass a
  // "*.acme.com" rule and be read as "evil.example" by C-string code.
  for (std::string_view value :
       {std::string_view{"evil.example\0.acme.com", 22}, std::string_view{"a\r\nb"},
        std::string_view{"a\x7f"}, std::string_view{"a\xc2\x9b"}}) {
    CAPTURE(value);
    CHECK(refusal(&subject_fields::common_name, value)
          == "commonName must not contain control characters");
  }
  CHECK(refusal(&subject_fields::locality, "tab\there")
        == "locality must not contain control characters");
  subject_fields s;
  // What looks like a C1 control but is another character passes: U+00A0
  // (0xC2 0xA0) and U+0100 (0xC4 0x80).
  s.common_name = "a\xc2\xa0"
                  "b\xc4\x80";
  CHECK(encode_subject(s));
  // A profile default appended to a CSR's subject is held to the same rule.
  subject_fields present;
  present.common_name = "app.example.com";
  auto present_der = encode_subject(present);
  REQUIRE(present_der);
  auto wanted = present;
  wanted.organization = std::string{"Acme\0Evil", 9};
  auto appended = append_subject_attributes(*present_der, present, wanted);
  REQUIRE_FALSE(appended);
  CHECK(appended.error().message == "organization must not contain control characters");
}

TEST_CASE("SAN syntax checks", "[engine][names][malformed]") {
  auto ok = [](san_type t, const char* v) { return bool(validate_san({t, v})); };
  CHECK(ok(san_type::dns_name, "localhost"));
  CHECK(ok(san_type::dns_name, "*.example.com"));
  CHECK(ok(san_type::dns_name, "a-b.example.com"));
  CHECK_FALSE(ok(san_type::dns_name, "a.*.example.com"));
  CHECK_FALSE(ok(san_type::dns_name, "-a.example.com"));
  CHECK_FALSE(ok(san_type::dns_name, "a..example.com"));
  CHECK_FALSE(ok(san_type::dns_name, "a,b.example.com"));
  CHECK_FALSE(ok(san_type::dns_name, std::string(64, 'a').c_str()));
  CHECK(ok(san_type::ip_address, "10.0.0.1"));
  CHECK(ok(san_type::ip_address, "2001:db8::1"));
  CHECK_FALSE(ok(san_type::ip_address, "10.0.0.256"));
  CHECK(ok(san_type::email, "a@example.com"));
  CHECK_FALSE(ok(san_type::email, "@example.com"));
  CHECK_FALSE(ok(san_type::email, "a b@example.com"));
  CHECK(ok(san_type::uri, "spiffe://trust/ns/a"));
  CHECK_FALSE(ok(san_type::uri, "no-scheme"));
  CHECK_FALSE(ok(san_type::uri, "1http://x"));
  CHECK(validate_san({san_type::dns_name, "bad host"}).error().message
        == "Invalid dns_name SAN value 'bad host'");
}
