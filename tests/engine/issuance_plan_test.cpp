#include <catch2/catch.hpp>

#include "engine/issuance.hpp"
#include "engine/time_format.hpp"
#include "engine/ttl.hpp"
#include "tests/support/test_pki.hpp"

using namespace certmint;

namespace {

constexpr int64_t now = 1795326231;

issuer_facts ec_issuer() {
  return issuer_facts{key_algorithm::ec_p256, now - 3600, now + 3650 * seconds_per_day, true};
}

profile_defaults tls_defaults() {
  profile_defaults d;
  d.ttl_days = 90;
  d.key_usages = ku_digital_signature | ku_key_encipherment;
  d.ext_key_usages = eku_server_auth;
  return d;
}

std::string plan_error(const issuance_input& input, const parsed_csr* csr,
                       const issuer_facts& issuer = ec_issuer()) {
  auto plan = plan_issuance(input, csr, tls_defaults(), issuer, now);
  REQUIRE_FALSE(plan);
  return plan.error().message;
}

} // namespace

TEST_CASE("managed-key plans take attributes, then profile defaults", "[engine][plan]") {
  issuance_input input;
  input.attributes.common_name = "svc.example.com";
  input.attributes.alt_names = std::vector<subject_alt_name>{{san_type::dns_name, "svc"}};
  input.attributes.ttl = "1d";
  auto plan = plan_issuance(input, nullptr, tls_defaults(), ec_issuer(), now);
  REQUIRE(plan);
  CHECK(plan->key_alg == key_algorithm::ec_p256);  // the CA's algorithm by default
  CHECK(plan->key_usages == ku_digital_signature); // keyEncipherment dropped for EC
  CHECK(plan->ext_key_usages == eku_server_auth);
  CHECK(plan->not_before == now);
  CHECK(plan->not_after == now + seconds_per_day - 1);
  CHECK(plan->signature_alg == signature_algorithm{key_family::ecdsa, hash_algorithm::sha256});
  CHECK(plan->public_key_der.empty());

  input.attributes.key_alg = key_algorithm::rsa_2048;
  input.attributes.key_usages = ku_key_encipherment | ku_digital_signature;
  input.attributes.ttl.reset();
  plan = plan_issuance(input, nullptr, tls_defaults(), ec_issuer(), now);
  REQUIRE(plan);
  CHECK(plan->key_usages == (ku_key_encipherment | ku_digital_signature)); // RSA keeps it
  CHECK(plan->not_after == now + 90 * seconds_per_day - 1);                // profile default TTL
}

TEST_CASE("CSR plans take the CSR as the source of truth", "[engine][plan]") {
  auto made = test::make_csr(key_algorithm::rsa_3072);
  auto csr = parse_csr(made.csr_pem);
  REQUIRE(csr);
  issuance_input input;
  input.attributes.ttl = "30d";
  auto plan = plan_issuance(input, &*csr, tls_defaults(), ec_issuer(), now);
  REQUIRE(plan);
  CHECK(plan->key_alg == key_algorithm::rsa_3072);
  CHECK(plan->subject_der == csr->subject_der);
  CHECK(plan->public_key_der == csr->public_key_der);
  CHECK(plan->key_usages == (ku_digital_signature | ku_key_encipherment));
  // The CA signs with its own family whatever the CSR was signed with.
  CHECK(plan->signature_alg.family == key_family::ecdsa);

  input.attributes.common_name = "other";
  input.attributes.alt_names = std::vector<subject_alt_name>{};
  CHECK(plan_error(input, &*csr)
        == "Certificate request validation failed: attributes commonName, altNames cannot be "
           "used with a CSR; the CSR is the source of truth for the subject, SANs, key usages "
           "and algorithms");
}

TEST_CASE("validity rules", "[engine][plan]") {
  issuance_input input;
  input.attributes.common_name = "x";
  input.attributes.ttl = "1d";
  input.attributes.not_after = now + 10;
  CHECK(plan_error(input, nullptr)
        == "Certificate request validation failed: Cannot specify both TTL and "
           "notBefore/notAfter. Use either TTL for duration-based validity or notBefore/notAfter "
           "for explicit date range.");
  input.attributes.ttl.reset();
  input.attributes.not_before = now + 20;
  CHECK(plan_error(input, nullptr)
        == "Certificate request validation failed: notBefore date is after notAfter date");
  input.attributes.not_before = now + 10;
  CHECK(plan_error(input, nullptr)
        == "Certificate request validation failed: notBefore date is after notAfter date");
  input.attributes.not_before = now - 7200;
  CHECK(plan_error(input, nullptr)
        == "Certificate request validation failed: notBefore date is before CA certificate's "
           "notBefore date");
  input.attributes.not_before.reset();
  input.attributes.not_after = now + 4000 * seconds_per_day;
  CHECK(plan_error(input, nullptr)
        == "Certificate request validation failed: notAfter date is after CA certificate's "
           "notAfter date");
  input.attributes.not_after = now + 3600;
  auto plan = plan_issuance(input, nullptr, tls_defaults(), ec_issuer(), now);
  REQUIRE(plan);
  CHECK(plan->not_after == now + 3600);

  // The shortest TTL: notAfter is notBefore, the one second that both
  // inclusive ends cover (explicit dates must differ, above).
  issuance_input one_second;
  one_second.attributes.common_name = "x";
  one_second.attributes.ttl = "1s";
  auto shortest = plan_issuance(one_second, nullptr, tls_defaults(), ec_issuer(), now);
  REQUIRE(shortest);
  CHECK(shortest->not_before == now);
  CHECK(shortest->not_after == now);

  issuance_input no_ttl;
  no_ttl.attributes.common_name = "x";
  auto plan2 = plan_issuance(no_ttl, nullptr, profile_defaults{}, ec_issuer(), now);
  REQUIRE_FALSE(plan2);
  CHECK(plan2.error().message
        == "Certificate request validation failed: Certificate issuance requires a valid TTL");
}

TEST_CASE("CA state and signature compatibility", "[engine][plan]") {
  issuance_input input;
  input.attributes.common_name = "x";
  auto inactive = ec_issuer();
  inactive.active = false;
  CHECK(plan_error(input, nullptr, inactive) == "CA is not active");
  auto expired = ec_issuer();
  expired.not_after = now - 1;
  CHECK(plan_error(input, nullptr, expired) == "CA is expired");
  input.attributes.signature_alg = signature_algorithm{key_family::rsa, hash_algorithm::sha256};
  CHECK(plan_error(input, nullptr)
        == "Certificate request validation failed: Requested signature algorithm RSA-SHA256 is "
           "not compatible with CA key algorithm EC_prime256v1. CA can only sign with "
           "ECDSA-based signature algorithms.");
  input.attributes.signature_alg = signature_algorithm{key_family::ecdsa, hash_algorithm::sha512};
  auto plan = plan_issuance(input, nullptr, tls_defaults(), ec_issuer(), now);
  REQUIRE(plan);
  CHECK(plan->signature_alg.hash == hash_algorithm::sha512);
}

TEST_CASE("CA certificates are planned when asked for", "[engine][plan]") {
  issuance_input input;
  input.attributes.common_name = "sub CA";
  input.attributes.is_ca = true;
  auto issuer = ec_issuer();
  issuer.path_length = 2;
  auto plan = plan_issuance(input, nullptr, tls_defaults(), issuer, now);
  REQUIRE(plan);
  CHECK(plan->is_ca);
  CHECK(plan->path_length == 1); // unspecified: the issuer's minus one
  input.attributes.path_length = 0;
  plan = plan_issuance(input, nullptr, tls_defaults(), issuer, now);
  REQUIRE(plan);
  CHECK(plan->path_length == 0);

  test::csr_options ca;
  ca.basic_constraints = "critical,CA:TRUE";
  auto csr = parse_csr(test::make_csr(key_algorithm::ec_p256, ca).csr_pem);
  REQUIRE(csr);
  plan = plan_issuance(issuance_input{}, &*csr, tls_defaults(), ec_issuer(), now);
  REQUIRE(plan);
  CHECK(plan->is_ca);
  CHECK(plan->path_length == -1);
}

TEST_CASE("empty requests and bad SANs are refused", "[engine][plan]") {
  issuance_input empty;
  CHECK(plan_error(empty, nullptr)
        == "Certificate request validation failed: a certificate needs a subject attribute or "
           "at least one subject alternative name");
  issuance_input bad_san;
  bad_san.attributes.alt_names = std::vector<subject_alt_name>{{san_type::email, "nope"}};
  CHECK(plan_error(bad_san, nullptr)
        == "Certificate request validation failed: Invalid email SAN value 'nope'");
}

TEST_CASE("profile defaults fill what the request leaves out", "[engine][plan][defaults]") {
  profile_defaults d = tls_defaults();
  d.organization = "Acme";
  d.country = "DE";
  d.key_alg = key_algorithm::ec_p384;
  issuance_input input;
  input.attributes.common_name = "svc";
  input.attributes.organization = "Override";
  input.attributes.ext_key_usages = uint8_t{0}; // present and empty: replaces the default
  input.attributes.country = std::string{};     // null in JSON: clears the default
  auto plan = plan_issuance(input, nullptr, d, ec_issuer(), now);
  REQUIRE(plan);
  CHECK(plan->subject.organization == "Override");
  CHECK(plan->subject.country.empty());
  CHECK(plan->key_alg == key_algorithm::ec_p384);
  CHECK(plan->ext_key_usages == 0);
  auto view = make_policy_request(input, nullptr, d);
  CHECK(view.subject.country.empty());
  CHECK(view.key_alg == key_algorithm::ec_p384);
  CHECK(view.ttl_seconds == 90 * seconds_per_day);

  // CSR path: the CSR's subject wins, defaults fill its gaps.
  auto csr = parse_csr(test::make_csr(key_algorithm::ec_p256).csr_pem);
  REQUIRE(csr);
  plan = plan_issuance(issuance_input{}, &*csr, d, ec_issuer(), now);
  REQUIRE(plan);
  CHECK(plan->subject.common_name == "app.example.com");
  CHECK(plan->subject.organization == "Acme");
  CHECK(plan->subject_der != csr->subject_der);
  view = make_policy_request(issuance_input{}, &*csr, d);
  CHECK(view.signature_alg == csr->signature);
  CHECK(view.key_alg == key_algorithm::ec_p256);
}

TEST_CASE("self-signed plans sign with the certificate's own key", "[engine][plan]") {
  issuer_facts self;
  self.self_signed = true;
  issuance_input input;
  input.attributes.common_name = "local";
  input.attributes.ttl = "1d";
  auto plan = plan_issuance(input, nullptr, profile_defaults{}, self, now);
  REQUIRE(plan);
  CHECK(plan->key_alg == key_algorithm::rsa_2048);
  CHECK(plan->signature_alg == signature_algorithm{key_family::rsa, hash_algorithm::sha256});
  input.attributes.key_alg = key_algorithm::ec_p384;
  plan = plan_issuance(input, nullptr, profile_defaults{}, self, now);
  REQUIRE(plan);
  CHECK(plan->signature_alg == signature_algorithm{key_family::ecdsa, hash_algorithm::sha384});
}
