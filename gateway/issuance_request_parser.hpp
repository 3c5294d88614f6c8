#pragma once

#include <optional>
#include <string_view>

#include "engine/issuance.hpp"
#include "gateway/api_error.hpp"

namespace certmint {

/// Limits of the issuance body (Infisical §3.1).
inline constexpr size_t max_csr_length = 4096;
inline constexpr size_t max_subject_field_length = 255;
inline constexpr size_t max_alt_names = 100;
inline constexpr size_t max_alt_names_joined = 4096;

/// Parses and schema-checks the body of POST /api/v1/cert-manager/certificates
/// into `out`. Returns the error to answer with, if any: 400 for malformed
/// JSON, 422 with every schema issue found otherwise.
std::optional<api_error> parse_issuance_request(std::string_view body, issuance_input& out);

} // namespace certmint
