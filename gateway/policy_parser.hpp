#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "engine/policy.hpp"
#include "gateway/api_error.hpp"

namespace certmint {

/// A certificate policy body (create: name required; patch: all optional).
/// Each optional says whether the body had the member.
struct policy_body {
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::optional<std::vector<subject_rule>> subject;
  std::optional<std::vector<san_rule>> sans;
  std::optional<std::optional<usage_rule>> key_usages;
  std::optional<std::optional<usage_rule>> ext_key_usages;
  std::optional<std::optional<std::vector<std::string>>> signature_algorithms;
  std::optional<std::optional<std::vector<std::string>>> key_algorithms;
  std::optional<std::optional<std::string>> max_validity;
  std::optional<std::optional<basic_constraints_rule>> basic_constraints;

  /// Applies the members present to `policy`.
  void apply_to(certificate_policy& policy) const;
};

/// Parses and schema-checks a policy body (Infisical §3.6); 400 for
/// malformed JSON, 422 with every issue otherwise.
std::optional<api_error> parse_policy_body(std::string_view body, bool create, policy_body& out);

} // namespace certmint
