#pragma once

#include <optional>
#include <string_view>

#include "engine/revocation.hpp"
#include "gateway/api_error.hpp"

namespace certmint {

/// POST /certificates/:id/revoke: `{revocationReason}`, one of Infisical's
/// names (`KEY_COMPROMISE`, ...), required. 422 with zod's issues otherwise,
/// and then `out` is left as it was.
std::optional<api_error> parse_revocation_body(std::string_view body, revocation_reason& out);

} // namespace certmint
