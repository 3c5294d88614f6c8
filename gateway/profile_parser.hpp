#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "engine/issuance.hpp"
#include "gateway/api_error.hpp"

namespace certmint {

/// A certificate profile body (Infisical §3.7). Create requires
/// certificatePolicyId, slug and enrollmentType; patch takes any subset.
struct profile_body {
  std::optional<std::string> policy_id;
  std::optional<std::string> ca_id;
  std::optional<std::string> slug;
  std::optional<std::string> description;
  std::optional<std::string> enrollment_type;
  std::optional<std::string> issuer_type;
  std::optional<bool> auto_renew;
  std::optional<int> renew_before_days;
  bool has_api_config = false;
  bool has_est_config = false;
  bool has_acme_config = false;
  std::optional<std::optional<profile_defaults>> defaults; ///< outer: present; inner: null
};

/// Parses and schema-checks a profile body: 400 for malformed JSON, 422
/// with every issue (the refinements of §3.7 included) otherwise.
std::optional<api_error> parse_profile_body(std::string_view body, bool create, profile_body& out);

/// The §3.7 refinements over the effective profile (after a patch):
/// enrollment configuration and issuer type consistency. Empty when fine.
std::vector<std::string> profile_refinements(const std::string& enrollment_type,
                                             const std::string& issuer_type, bool has_ca_id,
                                             bool has_api_config, bool has_est_config,
                                             bool has_acme_config);

} // namespace certmint
