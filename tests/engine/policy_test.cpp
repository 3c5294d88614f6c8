#include <catch2/catch.hpp>

#include "engine/policy.hpp"
#include "engine/ttl.hpp"

using namespace certmint;

namespace {

constexpr int64_t now = 1795326231;

std::vector<std::string> evaluate(const certificate_policy& policy, const policy_request& req) {
  return evaluate_policy(policy, req, now);
}

policy_request with_cn(std::string cn) {
  policy_request r;
  r.subject.common_name = std::move(cn);
  return r;
}

certificate_policy cn_policy(value_rule rule) {
  certificate_policy p;
  p.subject.push_back({subject_attribute::common_name, std::move(rule)});
  return p;
}

using messages = std::vector<std::string>;

} // namespace

TEST_CASE("wildcard patterns", "[engine][policy][pattern]") {
  struct row {
    const char* pattern;
    const char* value;
    bool match;
  };
  const row rows[] = {
      {"*.acme.com", "a.acme.com", true},
      {"*.acme.com", "a.b.acme.com", true},
      {"*.acme.com", ".acme.com", true},
      {"*.acme.com", "acme.com", false},
      {"*", "anything at all", true},
      {"*", "", true},
      {"api.acme.com", "api.acme.com", true},
      {"api.acme.com", "api2.acme.com", false},
      {"API.Acme.com", "api.ACME.com", true},
      {"a*c", "abbbc", true},
      {"a*c", "ab", false},
      {"*-prod-*", "svc-prod-1", true},
      {"a.b", "aXb", false},
      {"**", "x", true},
  };
  for (const auto& r : rows) {
    CAPTURE(r.pattern, r.value);
    CHECK(pattern_matches(r.pattern, r.value) == r.match);
  }
  // URIs: scheme and authority ignore case, the path does not.
  CHECK(pattern_matches("spiffe://ACME.com/ns/*", "SPIFFE://acme.COM/ns/a", true));
  CHECK_FALSE(pattern_matches("https://acme.com/Path", "https://acme.com/path", true));
}

TEST_CASE("subject rules", "[engine][policy][subject]") {
  struct row {
    const char* name;
    value_rule rule;
    const char* cn;
    messages expected;
  };
  const row rows[] = {
      {"allowed wildcard ok", {{"*.acme.com"}, {}, {}}, "a.acme.com", {}},
      {"allowed wildcard miss",
       {{"*.acme.com"}, {}, {}},
       "acme.com",
       {"common_name value 'acme.com' does not match allowed patterns: *.acme.com"}},
      {"allowed literal miss",
       {{"a.acme.com", "b.acme.com"}, {}, {}},
       "c.acme.com",
       {"common_name value 'c.acme.com' is not in allowed values list"}},
      {"required ok", {{}, {"*.acme.com"}, {}}, "x.acme.com", {}},
      {"required missing",
       {{}, {"*.acme.com"}, {}},
       "",
       {"Missing required common_name attribute"}},
      {"required miss",
       {{}, {"*.acme.com", "acme.com"}, {}},
       "evil.com",
       {"common_name value 'evil.com' does not match any required patterns: *.acme.com, acme.com"}},
      {"denied",
       {{"*"}, {}, {"*.evil.com"}},
       "x.evil.com",
       {"common_name value 'x.evil.com' is denied by template policy"}},
      {"denied skips allowed",
       {{"*.acme.com"}, {}, {"bad"}},
       "bad",
       {"common_name value 'bad' is denied by template policy"}},
      {"required satisfied skips allowed", {{"nope"}, {"*.acme.com"}, {}}, "a.acme.com", {}},
      {"required missed then allowed",
       {{"nope"}, {"*.acme.com"}, {}},
       "other",
       {"common_name value 'other' does not match any required patterns: *.acme.com",
        "common_name value 'other' is not in allowed values list"}},
      {"case-insensitive", {{"API.ACME.COM"}, {}, {}}, "api.acme.com", {}},
      {"no value, only allowed", {{"*"}, {}, {}}, "", {}},
  };
  for (const auto& r : rows) {
    CAPTURE(r.name);
    CHECK(evaluate(cn_policy(r.rule), with_cn(r.cn)) == r.expected);
  }
}

TEST_CASE("subject attributes without a rule are denied", "[engine][policy][subject]") {
  policy_request req = with_cn("a");
  req.subject.organization = "Org";
  req.subject.country = "DE";
  CHECK(evaluate(certificate_policy{}, req)
        == messages{"common_name is not allowed by template policy (no subject policies defined)",
                    "organization is not allowed by template policy (no subject policies defined)",
                    "country is not allowed by template policy (no subject policies defined)"});
  CHECK(evaluate(cn_policy({{"*"}, {}, {}}), req)
        == messages{"organization is not allowed by template policy (not defined in template)",
                    "country is not allowed by template policy (not defined in template)"});
  CHECK(evaluate(certificate_policy{}, policy_request{}).empty());
}

TEST_CASE("SAN rules", "[engine][policy][san]") {
  auto policy_with = [](san_type type, value_rule rule) {
    certificate_policy p;
    p.sans.push_back({type, std::move(rule)});
    return p;
  };
  auto request_with = [](std::vector<subject_alt_name> sans) {
    policy_request r;
    r.sans = std::move(sans);
    return r;
  };
  using S = subject_alt_name;
  const auto dns = san_type::dns_name;
  CHECK(evaluate(policy_with(dns, {{"*.acme.com"}, {}, {}}),
                 request_with({S{dns, "a.acme.com"}, S{dns, "a.b.acme.com"}}))
            .empty());
  CHECK(evaluate(policy_with(dns, {{"*.acme.com"}, {}, {}}),
                 request_with({S{dns, "a.acme.com"}, S{dns, "acme.com"}}))
        == messages{"dns_name SAN value 'acme.com' does not match allowed patterns: *.acme.com"});
  CHECK(evaluate(policy_with(dns, {{"a.com"}, {}, {}}), request_with({S{dns, "b.com"}}))
        == messages{"dns_name SAN value 'b.com' is not in allowed values list"});
  CHECK(evaluate(policy_with(dns, {{}, {"*.acme.com", "api.acme.com"}, {}}),
                 request_with({S{dns, "x.acme.com"}}))
        == messages{"Required dns_name SAN matching pattern 'api.acme.com' not found in request"});
  CHECK(
      evaluate(policy_with(dns, {{"*"}, {}, {"*.evil.com"}}), request_with({S{dns, "a.evil.com"}}))
      == messages{"dns_name SAN matching denied pattern 'a.evil.com' found in request"});
  // Denied values are also checked against allowed (Infisical does not skip).
  CHECK(evaluate(policy_with(dns, {{"*.acme.com"}, {}, {"*.evil.com"}}),
                 request_with({S{dns, "a.evil.com"}}))
        == messages{"dns_name SAN matching denied pattern 'a.evil.com' found in request",
                    "dns_name SAN value 'a.evil.com' does not match allowed patterns: *.acme.com"});
  CHECK(
      evaluate(policy_with(dns, {{"*"}, {}, {}}),
               request_with({S{san_type::ip_address, "10.0.0.1"}, S{san_type::ip_address, "::1"}}))
      == messages{"ip_address SAN is not allowed by template policy (not defined in template)"});
  CHECK(evaluate(certificate_policy{}, request_with({S{dns, "a"}, S{san_type::email, "a@b.c"}}))
        == messages{"dns_name SAN is not allowed by template policy (no SAN policies defined)",
                    "email SAN is not allowed by template policy (no SAN policies defined)"});
  CHECK(evaluate(policy_with(san_type::uri, {{"spiffe://acme.com/*"}, {}, {}}),
                 request_with({S{san_type::uri, "SPIFFE://ACME.com/svc"}}))
            .empty());
}

TEST_CASE("key usage and extended key usage rules", "[engine][policy][usage]") {
  certificate_policy p;
  p.key_usages = usage_rule{{"key_encipherment"}, {"digital_signature"}, {"key_agreement"}};
  policy_request r;
  r.key_usages = ku_digital_signature | ku_key_encipherment;
  CHECK(evaluate(p, r).empty());
  r.key_usages = ku_key_encipherment;
  CHECK(evaluate(p, r) == messages{"Missing required key usages: digital_signature"});
  r.key_usages = ku_digital_signature | ku_key_agreement | ku_data_encipherment;
  CHECK(evaluate(p, r)
        == messages{"Denied key usages found in request: key_agreement",
                    "Invalid key usages: data_encipherment, key_agreement"});
  r.key_usages = 0;
  CHECK(evaluate(p, r) == messages{"Missing required key usages: digital_signature"});
  CHECK(evaluate(certificate_policy{}, policy_request{}).empty());
  policy_request with_ku;
  with_ku.key_usages = ku_digital_signature;
  CHECK(evaluate(certificate_policy{}, with_ku)
        == messages{"Key usages are not allowed by template policy (not defined in template)"});

  certificate_policy e;
  e.ext_key_usages = usage_rule{{"client_auth"}, {"server_auth"}, {"code_signing"}};
  policy_request er;
  er.ext_key_usages = eku_server_auth | eku_code_signing | eku_email_protection;
  CHECK(evaluate(e, er)
        == messages{"Denied extended key usages found in request: code_signing",
                    "Invalid extended key usages: code_signing, email_protection"});
  er.ext_key_usages = eku_client_auth;
  CHECK(evaluate(e, er) == messages{"Missing required extended key usages: server_auth"});
  policy_request with_eku;
  with_eku.ext_key_usages = eku_server_auth;
  CHECK(evaluate(certificate_policy{}, with_eku)
        == messages{"Extended key usages are not allowed by template policy (not defined in "
                    "template)"});
}

TEST_CASE("algorithm rules and their policy spellings", "[engine][policy][algorithms]") {
  certificate_policy p;
  p.signature_algorithms = std::vector<std::string>{"SHA256-ECDSA", "SHA384-RSA"};
  p.key_algorithms = std::vector<std::string>{"ECDSA-P256", "RSA-2048"};
  policy_request r;
  r.signature_alg = signature_algorithm{key_family::ecdsa, hash_algorithm::sha256};
  r.key_alg = key_algorithm::ec_p256;
  CHECK(evaluate(p, r).empty());
  r.signature_alg = signature_algorithm{key_family::rsa, hash_algorithm::sha384};
  r.key_alg = key_algorithm::rsa_2048;
  CHECK(evaluate(p, r).empty());
  r.signature_alg = signature_algorithm{key_family::ecdsa, hash_algorithm::sha512};
  r.key_alg = key_algorithm::ec_p384;
  CHECK(evaluate(p, r)
        == messages{"Signature algorithm 'ECDSA-SHA512' is not allowed by template policy",
                    "Key algorithm 'EC_secp384r1' is not allowed by template policy"});
  CHECK(evaluate(p, policy_request{})
        == messages{"Signature algorithm is required by this policy but not provided in request",
                    "Key algorithm is required by this policy but not provided in request"});
  CHECK(evaluate(certificate_policy{}, r)
        == messages{"Signature algorithm 'ECDSA-SHA512' is not allowed by template policy (not "
                    "defined in template)",
                    "Key algorithm 'EC_secp384r1' is not allowed by template policy (not defined "
                    "in template)"});
  CHECK(map_policy_signature_algorithm("SHA512-RSA") == "RSA-SHA512");
  CHECK(map_policy_key_algorithm("ECDSA-P521") == "EC_secp521r1");
  CHECK(map_policy_key_algorithm("ML-DSA-65") == "ML-DSA-65");
}

TEST_CASE("policy validity rules", "[engine][policy][validity]") {
  certificate_policy p;
  p.max_validity = "1y";
  policy_request r;
  r.ttl_seconds = 365 * seconds_per_day;
  CHECK(evaluate(p, r).empty());
  r.ttl_seconds = 366 * seconds_per_day;
  CHECK(evaluate(p, r) == messages{"Requested validity period exceeds maximum allowed duration"});
  policy_request dates;
  dates.not_after = now + 400 * seconds_per_day;
  CHECK(evaluate(p, dates)
        == messages{"Requested validity period (notBefore to notAfter) exceeds maximum allowed "
                    "duration of 1y"});
  dates.not_before = now + 100 * seconds_per_day;
  CHECK(evaluate(p, dates).empty());
  CHECK(*parse_policy_duration("12m") == 360 * seconds_per_day);
  CHECK(*parse_policy_duration("24h") == seconds_per_day);
  CHECK(*parse_policy_duration("365d") == 365 * seconds_per_day);
  CHECK_FALSE(parse_policy_duration("1w"));
  CHECK_FALSE(parse_policy_duration("d"));
  CHECK_FALSE(parse_policy_duration("1.5y"));
}

TEST_CASE("basic constraints rules", "[engine][policy][ca]") {
  policy_request leaf;
  policy_request ca;
  ca.wants_ca = true;
  CHECK(evaluate(certificate_policy{}, ca)
        == messages{"CA certificate issuance is denied by this policy. The policy does not allow "
                    "issuing CA certificates."});
  certificate_policy required;
  required.basic_constraints = basic_constraints_rule{ca_rule::required, -1};
  CHECK(evaluate(required, leaf)
        == messages{"CA certificate issuance is required by this policy. The request must include "
                    "basicConstraints with isCA set to true."});
  CHECK(evaluate(required, ca).empty());
  certificate_policy limited;
  limited.basic_constraints = basic_constraints_rule{ca_rule::allowed, 1};
  CHECK(evaluate(limited, ca)
        == messages{"Path length is required when issuing CA certificates because the policy "
                    "only allows a maximum path length of 1."});
  ca.path_length = 2;
  CHECK(evaluate(limited, ca)
        == messages{"Requested path length (2) exceeds maximum allowed by policy (1)."});
  ca.path_length = 1;
  CHECK(evaluate(limited, ca).empty());
  CHECK(evaluate(limited, leaf).empty());
}

TEST_CASE("checks against the issuing CA", "[engine][policy][issuer]") {
  certificate_policy p;
  p.signature_algorithms = std::vector<std::string>{"SHA256-RSA"};
  CHECK(evaluate_issuer(p, policy_request{}, key_algorithm::ec_p256, -1)
        == messages{"Signature algorithms (SHA256-RSA) are not compatible with CA key algorithm "
                    "(EC_prime256v1)"});
  CHECK(evaluate_issuer(p, policy_request{}, key_algorithm::rsa_2048, -1).empty());
  policy_request ca;
  ca.wants_ca = true;
  CHECK(evaluate_issuer(certificate_policy{}, ca, key_algorithm::ec_p256, 0)
        == messages{"Issuing CA cannot issue subordinate CA certificates (path length is 0)"});
  ca.path_length = 2;
  CHECK(evaluate_issuer(certificate_policy{}, ca, key_algorithm::ec_p256, 2)
        == messages{"Path length (2) must be less than issuing CA's path length (2)"});
  ca.path_length = 1;
  CHECK(evaluate_issuer(certificate_policy{}, ca, key_algorithm::ec_p256, 2).empty());
  CHECK(evaluate_issuer(certificate_policy{}, ca, key_algorithm::ec_p256, -1).empty());
}

TEST_CASE("policy consistency (403 service errors)", "[engine][policy][consistency]") {
  auto message = [](const certificate_policy& p) {
    auto ok = check_policy_consistency(p);
    REQUIRE_FALSE(ok);
    CHECK(ok.error().code == errc::forbidden);
    return ok.error().message;
  };
  certificate_policy p;
  p.subject = {{subject_attribute::common_name, {{"*"}, {}, {}}},
               {subject_attribute::common_name, {{"a"}, {}, {}}}};
  CHECK(message(p)
        == "Duplicate attribute type 'common_name' found in request. Each attribute "
           "type must appear only once.");
  p.subject = {{subject_attribute::organization, {{}, {"a", "a"}, {}}}};
  CHECK(message(p)
        == "Duplicate values found in required list for subject attribute type 'organization'");
  p.subject.clear();
  p.sans = {{san_type::dns_name, {{}, {}, {"x", "x"}}}};
  CHECK(message(p) == "Duplicate values found in denied list for SAN type 'dns_name'");
  p.sans.clear();
  p.key_usages = usage_rule{{"crl_sign", "crl_sign"}, {}, {}};
  CHECK(message(p) == "Duplicate values found in allowed key usages list");
  p.key_usages.reset();
  p.ext_key_usages = usage_rule{{}, {"server_auth", "server_auth"}, {}};
  CHECK(message(p) == "Duplicate values found in required extended key usages list");
  CHECK(check_policy_consistency(certificate_policy{}));
}

TEST_CASE("every violation is reported, in order", "[engine][policy]") {
  certificate_policy p = cn_policy({{"*.acme.com"}, {}, {}});
  p.max_validity = "30d";
  policy_request r = with_cn("evil.com");
  r.sans = {{san_type::dns_name, "evil.com"}};
  r.key_usages = ku_digital_signature;
  r.ttl_seconds = 90 * seconds_per_day;
  r.wants_ca = true;
  const std::string ca_denied = "CA certificate issuance is denied by this policy. The policy "
                                "does not allow issuing CA certificates.";
  CHECK(evaluate(p, r)
        == messages{
            "common_name value 'evil.com' does not match allowed patterns: *.acme.com",
            "dns_name SAN is not allowed by template policy (no SAN policies defined)",
            "Key usages are not allowed by template policy (not defined in template)",
            "Requested validity period exceeds maximum allowed duration",
            ca_denied,
        });
}
