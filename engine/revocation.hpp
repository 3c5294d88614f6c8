#pragma once

// Why a certificate was revoked: RFC 5280 §5.3.1 CRLReason codes, named on
// the wire as in Infisical.

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace certmint {

/// The values are RFC 5280's codes, written into CRLs and stored. 7 is
/// unused; removeFromCRL (8) is left out, as in Infisical: a certificate on
/// hold stays revoked.
enum class revocation_reason : uint8_t {
  unspecified = 0,
  key_compromise = 1,
  ca_compromise = 2,
  affiliation_changed = 3,
  superseded = 4,
  cessation_of_operation = 5,
  certificate_hold = 6,
  privilege_withdrawn = 9,
  aa_compromise = 10,
};

/// The wire names (`KEY_COMPROMISE`, ...), in code order.
const std::vector<std::string_view>& revocation_reason_names();

std::optional<revocation_reason> parse_revocation_reason(std::string_view name);

} // namespace certmint
