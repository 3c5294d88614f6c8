#include <catch2/catch.hpp>

#include "gateway/ca_parser.hpp"
#include "gateway/policy_parser.hpp"
#include "gateway/profile_parser.hpp"
#include "gateway/revocation_parser.hpp"
#include "tests/support/validation_issues.hpp"

using namespace certmint;
using certmint::test::has;
using certmint::test::issues_of;

TEST_CASE("policy bodies parse into rules", "[gateway][policy-parser]") {
  policy_body body;
  auto err = parse_policy_body(
      R"({"name":"Web","description":"d",
        "subject":[{"type":"common_name","allowed":["*.acme.com"],"denied":["bad.acme.com"]}],
        "sans":[{"type":"dns_name","required":["api.acme.com"]}],
        "keyUsages":{"required":["digital_signature"]},
        "extendedKeyUsages":{"allowed":["server_auth"]},
        "algorithms":{"signature":["SHA256-ECDSA"],"keyAlgorithm":["ECDSA-P256"]},
        "validity":{"max":"365d"},"basicConstraints":{"isCA":"allowed","maxPathLength":1}})",
      true, body);
  REQUIRE_FALSE(err);
  certificate_policy policy;
  body.apply_to(policy);
  REQUIRE(policy.subject.size() == 1);
  CHECK(policy.subject[0].values.denied == std::vector<std::string>{"bad.acme.com"});
  CHECK(policy.sans[0].values.required == std::vector<std::string>{"api.acme.com"});
  CHECK(policy.key_usages->required == std::vector<std::string>{"digital_signature"});
  CHECK(*policy.max_validity == "365d");
  CHECK(policy.basic_constraints->is_ca == ca_rule::allowed);
  CHECK(policy.basic_constraints->max_path_length == 1);

  policy_body patch;
  REQUIRE_FALSE(parse_policy_body(R"({"basicConstraints":null})", false, patch));
  patch.apply_to(policy);
  CHECK_FALSE(policy.basic_constraints);
  CHECK(policy.max_validity); // untouched by the patch
}

TEST_CASE("malformed policy bodies", "[gateway][policy-parser][malformed]") {
  policy_body body;
  CHECK(parse_policy_body("{", true, body)->code == errc::bad_request);
  CHECK(has(issues_of(parse_policy_body("{}", true, body)), "Required"));
  auto messages = issues_of(parse_policy_body(
      R"({"name":"x","subject":[{"type":"shoe_size","allowed":["a"]},{"type":"country"}],
        "sans":[{"type":"dns_name"}],
        "keyUsages":{},"extendedKeyUsages":{"allowed":["server_auth"],"denied":["server_auth"]},
        "algorithms":{"signature":[]},"validity":{"max":"forever"},
        "basicConstraints":{"isCA":"maybe","maxPathLength":-5}})",
      true, body));
  CHECK(has(messages, "Invalid enum value. Expected 'common_name' | 'organization' | "
                      "'organizational_unit' | 'country' | 'state' | 'locality', received "
                      "'shoe_size'"));
  CHECK(
      has(messages, "Subject attribute must have at least one allowed, required, or denied value"));
  CHECK(has(messages, "SAN must have at least one allowed, required, or denied value"));
  CHECK(has(messages, "Key usages must have at least one allowed, required, or denied value"));
  CHECK(has(messages, "An extended key usage cannot be both denied and present in the allowed or "
                      "required arrays."));
  CHECK(has(messages, "Array must contain at least 1 element(s)"));
  CHECK(has(messages, "Max validity must be in format like '365d', '12m', '1y', or '24h'"));
  CHECK(has(messages, "Invalid enum value. Expected 'allowed' | 'required' | 'denied', received "
                      "'maybe'"));
  CHECK(has(messages, "Path length must be -1 (unlimited) or a non-negative integer"));
  CHECK(has(issues_of(parse_policy_body(R"({"name":"x","colour":"red"})", true, body)),
            "Unrecognized key(s) in object: 'colour'"));
  CHECK(has(issues_of(parse_policy_body(R"({"name":""})", true, body)),
            "String must contain at least 1 character(s)"));
}

TEST_CASE("profile refinements", "[gateway][profile-parser]") {
  using messages = std::vector<std::string>;
  CHECK(profile_refinements("api", "ca", true, true, false, false).empty());
  CHECK(profile_refinements("est", "ca", true, false, false, false)
        == messages{"EST enrollment type requires EST configuration"});
  CHECK(profile_refinements("est", "ca", true, true, true, false)
        == messages{"EST enrollment type cannot have API or ACME configuration"});
  CHECK(profile_refinements("api", "ca", true, false, false, false)
        == messages{"API enrollment type requires API configuration"});
  CHECK(profile_refinements("api", "ca", true, true, true, false)
        == messages{"API enrollment type cannot have EST or ACME configuration"});
  CHECK(profile_refinements("acme", "ca", true, false, false, false)
        == messages{"ACME enrollment type requires ACME configuration"});
  CHECK(profile_refinements("acme", "ca", true, true, false, true)
        == messages{"ACME enrollment type cannot have EST or API configuration"});
  CHECK(profile_refinements("api", "ca", false, true, false, false)
        == messages{"CA issuer type requires a CA ID"});
  CHECK(profile_refinements("api", "self-signed", true, true, false, false)
        == messages{"Self-signed issuer type cannot have a CA ID"});
  CHECK(profile_refinements("acme", "self-signed", false, false, false, true)
        == messages{"Self-signed issuer type only supports API enrollment"});
}

TEST_CASE("profile bodies", "[gateway][profile-parser][malformed]") {
  const std::string policy = "01a201d8-861d-7e65-9229-edf72d610545";
  profile_body body;
  REQUIRE_FALSE(parse_profile_body(
      R"({"certificatePolicyId":")" + policy + R"(","caId":")" + policy
          + R"(","slug":"web-1","enrollmentType":"api","apiConfig":{"autoRenew":true,"renewBeforeDays":7},
          "defaults":{"ttlDays":30,"commonName":"x","keyUsages":["digital_signature"],
                      "basicConstraints":{"isCA":false}}})",
      true, body));
  CHECK(*body.slug == "web-1");
  CHECK(*body.auto_renew);
  CHECK(*body.renew_before_days == 7);
  REQUIRE(body.defaults);
  CHECK((*body.defaults)->ttl_days == 30);
  CHECK((*body.defaults)->common_name == std::string{"x"});

  auto messages = issues_of(parse_profile_body(
      R"({"certificatePolicyId":"nope","slug":"Bad Slug","enrollmentType":"scep",
        "apiConfig":{"renewBeforeDays":31},"defaults":{"ttlDays":0,"keyAlgorithm":"DSA"}})",
      true, body));
  CHECK(has(messages, "Invalid uuid"));
  CHECK(has(messages, "Slug must contain only lowercase letters, numbers, and hyphens"));
  CHECK(has(messages, "Invalid enum value. Expected 'api' | 'est' | 'acme', received 'scep'"));
  CHECK(has(messages, "Number must be less than or equal to 30"));
  CHECK(has(messages, "Number must be greater than or equal to 1"));
  auto skip_both = issues_of(parse_profile_body(
      R"({"certificatePolicyId":")" + policy + R"(","slug":"a","enrollmentType":"acme","caId":")"
          + policy
          + R"(","acmeConfig":{"skipDnsOwnershipVerification":true,"skipEabBinding":true}})",
      true, body));
  CHECK(has(skip_both, "Cannot skip both External Account Binding (EAB) and DNS ownership "
                       "verification at the same time."));
}

TEST_CASE("CA bodies", "[gateway][ca-parser][malformed]") {
  ca_create_body body;
  REQUIRE_FALSE(parse_ca_create_body(
      R"({"name":"acme-root","status":"active","configuration":{"type":"root","commonName":"Acme",
        "notAfter":"2040-01-01","maxPathLength":1,"keyAlgorithm":"RSA_3072"}})",
      body));
  CHECK(body.root);
  CHECK(body.key_alg == key_algorithm::rsa_3072);
  CHECK(body.max_path_length == 1);
  auto messages = issues_of(parse_ca_create_body(
      R"({"name":"Acme Root","status":"retired","configuration":{"type":"root",
        "maxPathLength":-2,"keyAlgorithm":"EC_secp256k1"}})",
      body));
  CHECK(has(messages, "Name must be a slug: lowercase letters, numbers and hyphens"));
  CHECK(has(messages, "Invalid enum value. Expected 'active' | 'disabled', received 'retired'"));
  CHECK(has(messages, "At least one of commonName, organization, ou, country, province or "
                      "locality must be non-empty"));
  CHECK(has(messages, "Number must be greater than or equal to -1"));
  CHECK(has(messages, "notAfter is required for a root CA"));
  CHECK(has(issues_of(parse_ca_create_body(R"({"name":"a"})", body)), "Required"));
  sign_intermediate_body sign;
  CHECK(has(issues_of(parse_sign_intermediate_body(R"({"csr":"x"})", sign)), "Required"));
  import_certificate_body import;
  CHECK(has(issues_of(parse_import_certificate_body(R"({"certificate":""})", import)),
            "String must contain at least 1 character(s)"));
  CHECK(parse_ca_patch_body("[", *std::make_unique<ca_patch_body>())->code == errc::bad_request);
}

TEST_CASE("revocation bodies name one of Infisical's reasons", "[gateway][revocation-parser]") {
  auto reason = revocation_reason::unspecified;
  REQUIRE_FALSE(parse_revocation_body(R"({"revocationReason":"KEY_COMPROMISE"})", reason));
  CHECK(reason == revocation_reason::key_compromise);
  REQUIRE_FALSE(parse_revocation_body(R"({"revocationReason":"A_A_COMPROMISE"})", reason));
  CHECK(reason == revocation_reason::aa_compromise);
}

TEST_CASE("malformed revocation bodies", "[gateway][revocation-parser][malformed]") {
  auto reason = revocation_reason::superseded;
  CHECK(parse_revocation_body("", reason)->code == errc::bad_request);
  CHECK(parse_revocation_body("{", reason)->code == errc::bad_request);
  CHECK(has(issues_of(parse_revocation_body("{}", reason)), "Required"));
  CHECK(has(issues_of(parse_revocation_body(R"({"revocationReason":1})", reason)),
            "Expected string, received number"));
  CHECK(has(issues_of(parse_revocation_body(R"({"revocationReason":null})", reason)),
            "Expected string, received null"));
  CHECK(has(issues_of(parse_revocation_body("[]", reason)), "Expected object, received array"));
  auto unknown =
      issues_of(parse_revocation_body(R"({"revocationReason":"REMOVE_FROM_CRL"})", reason));
  REQUIRE(unknown.size() == 1);
  CHECK(unknown[0].rfind("Invalid enum value. Expected 'UNSPECIFIED' | 'KEY_COMPROMISE'", 0) == 0);
  CHECK(has(issues_of(parse_revocation_body(
                R"({"revocationReason":"KEY_COMPROMISE","reason":"SUPERSEDED"})", reason)),
            "Unrecognized key(s) in object: 'reason'"));
  CHECK(has(
      issues_of(parse_revocation_body(
          R"({"revocationReason":"KEY_COMPROMISE","revocationReason":"CA_COMPROMISE"})", reason)),
      "Duplicate key 'revocationReason': a member may appear once"));
  // Nothing refused changed the reason the caller holds, though the last
  // two bodies above name a valid one.
  CHECK(reason == revocation_reason::superseded);
}
