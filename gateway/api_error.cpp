#include "gateway/api_error.hpp"

#include "gateway/json_writer.hpp"

namespace certmint {

namespace {

void write_issue(json_writer& w, const validation_issue& issue) {
  w.begin_object().key("code").value(issue.code);
  if (!issue.extra_json.empty())
    w.raw(issue.extra_json); // complete "name":value members
  w.key("path").begin_array();
  for (const auto& element : issue.path) {
    if (std::holds_alternative<std::string>(element))
      w.value(std::get<std::string>(element));
    else
      w.value(static_cast<int64_t>(std::get<size_t>(element)));
  }
  w.end_array().key("message").value(issue.message).end_object();
}

} // namespace

std::string render_error_body(const std::string& request_id, const api_error& err) {
  if (err.code != errc::validation_failed)
    return render_error_body(request_id, http_status(err.code), http_error_name(err.code),
                             err.message);
  json_writer w;
  w.begin_object().key("reqId").value(request_id).key("statusCode").value(http_status(err.code));
  w.key("message").begin_array();
  if (err.issues.empty())
    write_issue(w, validation_issue{"custom", {}, err.message, {}});
  for (const auto& issue : err.issues)
    write_issue(w, issue);
  w.end_array();
  w.key("error").value(http_error_name(err.code)).end_object();
  return w.take();
}

std::string render_error_body(const std::string& request_id, int status,
                              std::string_view error_name, std::string_view message) {
  json_writer w;
  w.begin_object().key("reqId").value(request_id).key("statusCode").value(status);
  w.key("message").value(message).key("error").value(error_name).end_object();
  return w.take();
}

std::string_view protocol_error_name(int status) {
  switch (status) {
    case 404:
      return http_error_name(errc::not_found);
    case 408:
      return "RequestTimeout";
    case 413:
      return http_error_name(errc::payload_too_large);
    case 429:
      return http_error_name(errc::too_many_requests);
    case 503:
      return http_error_name(errc::unavailable);
    case 504:
      return http_error_name(errc::timeout);
    default:
      return status >= 500 ? http_error_name(errc::internal) : http_error_name(errc::bad_request);
  }
}

} // namespace certmint
