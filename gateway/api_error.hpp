#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "engine/error.hpp"

namespace certmint {

/// One element of a JSON path: an object key or an array index.
using path_element = std::variant<std::string, size_t>;

/// A schema violation, rendered like a zod issue (Infisical's 422 bodies
/// carry the zod issue array as `message`, and clients read it).
struct validation_issue {
  std::string code; ///< zod issue code: invalid_type, too_big, custom, ...
  std::vector<path_element> path;
  std::string message;
  std::string extra_json; ///< further members, already serialized ("\"expected\":\"string\"")
};

/// An error as the gateway answers it.
struct api_error {
  errc code = errc::internal;
  std::string message;
  std::vector<validation_issue> issues; ///< for errc::validation_failed

  static api_error from(failure f) { return api_error{f.code, std::move(f.message), {}}; }
};

/// The Infisical error body `{reqId, statusCode, message, error}`. For 422
/// the message is the issue array (one `custom` issue when only a message
/// is known).
std::string render_error_body(const std::string& request_id, const api_error& err);

/// The same body for a status that has no `errc`: HTTP-level refusals the
/// transport makes (malformed request line, header fields too large, ...).
std::string render_error_body(const std::string& request_id, int status,
                              std::string_view error_name, std::string_view message);

/// The `error` name for an HTTP-level status (BadRequest, PayloadTooLarge,
/// RequestTimeout, ...).
std::string_view protocol_error_name(int status);

} // namespace certmint
