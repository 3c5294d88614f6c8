#pragma once

// Certificate policies (Infisical's "certificate templates v2"): what a
// request may ask for. Pure functions; every message is Infisical's, since
// clients match on them.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/algorithms.hpp"
#include "engine/error.hpp"
#include "engine/x509_names.hpp"

namespace certmint {

enum class subject_attribute : uint8_t {
  common_name = 1,
  organization = 2,
  organizational_unit = 3,
  country = 4,
  state = 5,
  locality = 6,
};

std::string_view to_string(subject_attribute type);
std::optional<subject_attribute> parse_subject_attribute(std::string_view name);
const std::string& subject_value(const subject_fields& subject, subject_attribute type);

/// Patterns: `*` matches any run of characters (dots and nothing included);
/// everything else is literal.
struct value_rule {
  std::vector<std::string> allowed;
  std::vector<std::string> required;
  std::vector<std::string> denied;
};

struct subject_rule {
  subject_attribute type = subject_attribute::common_name;
  value_rule values;
};

struct san_rule {
  san_type type = san_type::dns_name;
  value_rule values;
};

/// Key usage or extended key usage rules, by wire name.
struct usage_rule {
  std::vector<std::string> allowed;
  std::vector<std::string> required;
  std::vector<std::string> denied;
};

enum class ca_rule : uint8_t { allowed = 1, required = 2, denied = 3 };
std::string_view to_string(ca_rule rule);
std::optional<ca_rule> parse_ca_rule(std::string_view name);

struct basic_constraints_rule {
  ca_rule is_ca = ca_rule::denied;
  int max_path_length = -1; ///< -1: unlimited
};

struct certificate_policy {
  std::vector<subject_rule> subject;
  std::vector<san_rule> sans;
  std::optional<usage_rule> key_usages;
  std::optional<usage_rule> ext_key_usages;
  std::optional<std::vector<std::string>> signature_algorithms; ///< policy spelling (SHA256-RSA)
  std::optional<std::vector<std::string>> key_algorithms;       ///< policy spelling (RSA-2048)
  std::optional<std::string> max_validity;                      ///< "365d", "12m", "1y", "24h"
  std::optional<basic_constraints_rule> basic_constraints;
};

/// Case-insensitive match of one pattern (URI SANs: only scheme and
/// authority are case-insensitive).
bool pattern_matches(std::string_view pattern, std::string_view value, bool is_uri = false);

/// The policy spellings Infisical maps before comparing (unmapped names are
/// compared as they are).
std::string map_policy_signature_algorithm(std::string_view name);
std::string map_policy_key_algorithm(std::string_view name);

/// `validity.max` of a policy: `^\d+[dhmy]$` with m = 30 days, y = 365.
std::optional<int64_t> parse_policy_duration(std::string_view text);

/// A request as a policy sees it, after profile defaults. Empty strings and
/// absent optionals are values the request does not carry.
struct policy_request {
  subject_fields subject;
  std::vector<subject_alt_name> sans;
  uint16_t key_usages = 0;
  uint8_t ext_key_usages = 0;
  std::optional<key_algorithm> key_alg;
  std::optional<signature_algorithm> signature_alg;
  std::optional<int64_t> ttl_seconds;
  std::optional<int64_t> not_before;
  std::optional<int64_t> not_after;
  bool wants_ca = false;
  std::optional<int> path_length;
};

/// Every violation, in Infisical's order (subject, SANs, key usages,
/// extended key usages, algorithms, validity, basic constraints) and words.
std::vector<std::string> evaluate_policy(const certificate_policy& policy,
                                         const policy_request& request, int64_t now);

/// Checks against the issuing CA (§5.5, §5.6): signature algorithm families
/// and path lengths. `ca_path_length` -1 means unlimited.
std::vector<std::string> evaluate_issuer(const certificate_policy& policy,
                                         const policy_request& request, key_algorithm ca_alg,
                                         int ca_path_length);

/// The service-level checks of a policy body (Infisical answers them with
/// 403): duplicate attribute types and duplicate values in a list.
status check_policy_consistency(const certificate_policy& policy);

} // namespace certmint
