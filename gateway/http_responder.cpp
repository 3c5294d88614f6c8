#include "gateway/http_responder.hpp"

#include "engine/hex.hpp"
#include "engine/identifiers.hpp"

namespace certmint {

namespace {

constexpr const char* json_type = "application/json; charset=utf-8";

} // namespace

http_responder::http_responder(std::shared_ptr<const store> db)
    : auth_(std::move(db)), request_id_prefix_("req-" + to_hex(random_bytes(6))) {}

std::string http_responder::next_request_id() {
  return request_id_prefix_ + std::to_string(request_counter_.fetch_add(1) + 1);
}

void http_responder::json(http_response& res, int status, const std::string& body) {
  res.status = status;
  res.set_content(body, json_type);
}

void http_responder::error(http_response& res, const api_error& err) {
  json(res, http_status(err.code), render_error_body(next_request_id(), err));
}

bool http_responder::uuid_param(http_response& res, const std::string& value, const char* name) {
  if (is_uuid(value))
    return true;
  error(res, api_error{errc::validation_failed,
                       {},
                       {validation_issue{"invalid_string",
                                         {std::string{name}},
                                         "Invalid uuid",
                                         "\"validation\":\"uuid\""}}});
  return false;
}

http_response http_responder::error_response(const api_error& err) {
  http_response res;
  error(res, err);
  return res;
}

http_response http_responder::protocol_error(int status, const std::string& message) {
  http_response res;
  res.status = status;
  res.set_content(
      render_error_body(next_request_id(), status, protocol_error_name(status), message),
      json_type);
  return res;
}

result<identity_record> http_responder::authorize(const http_request& req, uint8_t roles,
                                                  const char* action, const char* subject) const {
  auto identity = auth_.authenticate(req.header("authorization"));
  if (!identity)
    return identity;
  if ((identity->roles & (roles | role_admin)) == 0)
    return make_failure(errc::permission_denied,
                        std::string{"You are not allowed to "} + action + " on " + subject);
  return identity;
}

deferred_handler http_responder::authenticated_deferred(uint8_t roles, const char* action,
                                                        const char* subject,
                                                        authed_deferred_handler inner) {
  return [this, inner = std::move(inner), roles, action, subject](http_request& req,
                                                                  const http_exchange& exchange) {
    auto identity = authorize(req, roles, action, subject);
    if (!identity)
      return exchange.respond(error_response(api_error::from(std::move(identity).error())));
    inner(req, exchange, *identity);
  };
}

http_handler http_responder::authenticated(uint8_t roles, const char* action, const char* subject,
                                           authed_handler inner) {
  return [this, inner = std::move(inner), roles, action, subject](const http_request& req,
                                                                  http_response& res) {
    auto identity = authorize(req, roles, action, subject);
    if (!identity)
      return fail(res, std::move(identity).error());
    inner(req, res, *identity);
  };
}

} // namespace certmint
