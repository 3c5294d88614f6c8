#pragma once

// Schema of the approval policy bodies (POST and PATCH
// /api/v1/approval-policies/cert-request, Infisical §3.8).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/api_error.hpp"
#include "storage/records.hpp"

namespace certmint {

/// A parsed body; each optional says whether the body had the member.
struct approval_policy_body {
  std::optional<std::string> project_id;
  std::optional<std::string> name;
  /// Present: the member was sent; an empty text is JSON null (no expiry).
  std::optional<std::string> max_request_ttl;
  int64_t max_request_ttl_seconds = 0;
  std::optional<std::vector<approval_step>> steps;
  std::optional<bool> bypass_for_machine_identities;
  std::optional<std::vector<std::vector<std::string>>> profile_names;

  void apply_to(approval_policy_record& policy) const;
};

/// `create`: name, steps and conditions are required. `min_ttl_seconds`
/// is the shortest maxRequestTtl accepted (Infisical: one hour).
std::optional<api_error> parse_approval_policy_body(std::string_view body, bool create,
                                                    int64_t min_ttl_seconds,
                                                    approval_policy_body& out);

/// `{comment?}` of approve and reject.
std::optional<api_error> parse_approval_decision_body(std::string_view body, std::string& comment);

} // namespace certmint
