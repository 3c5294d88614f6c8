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

void http_responder::json(httplib::Response& res, int status, const std::string& body) {
  res.status = status;
  res.set_content(body, json_type);
}

void http_responder::error(httplib::Response& res, const api_error& err) {
  json(res, http_status(err.code), render_error_body(next_request_id(), err));
}

bool http_responder::uuid_param(httplib::Response& res, const std::string& value,
                                const char* name) {
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

http_responder::handler http_responder::authenticated(uint8_t roles, const char* action,
                                                      const char* subject, authed_handler inner) {
  return [this, inner = std::move(inner), roles, action, subject](const httplib::Request& req,
                                                                  httplib::Response& res) {
    auto identity = auth_.authenticate(req.get_header_value("Authorization"));
    if (!identity) {
      fail(res, std::move(identity).error());
      return;
    }
    if ((identity->roles & (roles | role_admin)) == 0) {
      fail(res, make_failure(errc::permission_denied,
                             std::string{"You are not allowed to "} + action + " on " + subject));
      return;
    }
    inner(req, res, *identity);
  };
}

} // namespace certmint
