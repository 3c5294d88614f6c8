#include "engine/error.hpp"

namespace certmint {

int http_status(errc code) {
  switch (code) {
    case errc::none:
      return 200;
    case errc::bad_request:
      return 400;
    case errc::validation_failed:
      return 422;
    case errc::unauthorized:
      return 401;
    case errc::forbidden:
    case errc::permission_denied:
      return 403;
    case errc::not_found:
      return 404;
    case errc::conflict:
      return 409;
    case errc::payload_too_large:
      return 413;
    case errc::too_many_requests:
      return 429;
    case errc::unavailable:
      return 503;
    case errc::timeout:
      return 504;
    case errc::internal:
    case errc::storage_failure:
    case errc::serial_collision:
    case errc::not_pending:
      return 500;
  }
  return 500;
}

std::string_view http_error_name(errc code) {
  switch (code) {
    case errc::bad_request:
      return "BadRequest";
    case errc::validation_failed:
      return "ValidationFailure";
    case errc::unauthorized:
      return "UnauthorizedError";
    case errc::forbidden:
      return "Forbidden";
    case errc::permission_denied:
      return "PermissionDenied";
    case errc::not_found:
      return "NotFound";
    case errc::conflict:
      return "Conflict";
    case errc::payload_too_large:
      return "PayloadTooLarge";
    case errc::too_many_requests:
      return "RateLimitExceeded";
    case errc::unavailable:
      return "ServiceUnavailable";
    case errc::timeout:
      return "GatewayTimeout";
    default:
      return "InternalServerError";
  }
}

std::string_view to_string(errc code) {
  switch (code) {
    case errc::none:
      return "none";
    case errc::bad_request:
      return "bad_request";
    case errc::validation_failed:
      return "validation_failed";
    case errc::unauthorized:
      return "unauthorized";
    case errc::forbidden:
      return "forbidden";
    case errc::not_found:
      return "not_found";
    case errc::conflict:
      return "conflict";
    case errc::payload_too_large:
      return "payload_too_large";
    case errc::too_many_requests:
      return "too_many_requests";
    case errc::unavailable:
      return "unavailable";
    case errc::internal:
      return "internal";
    case errc::storage_failure:
      return "storage_failure";
    case errc::serial_collision:
      return "serial_collision";
    case errc::not_pending:
      return "not_pending";
    case errc::timeout:
      return "timeout";
    case errc::permission_denied:
      return "permission_denied";
  }
  return "unknown";
}

} // namespace certmint
