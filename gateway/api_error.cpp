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
  json_writer w;
  auto status = http_status(err.code);
  w.begin_object().key("reqId").value(request_id).key("statusCode").value(status);
  w.key("message");
  if (err.code == errc::validation_failed) {
    w.begin_array();
    if (err.issues.empty())
      write_issue(w, validation_issue{"custom", {}, err.message, {}});
    for (const auto& issue : err.issues)
      write_issue(w, issue);
    w.end_array();
  } else {
    w.value(err.message);
  }
  w.key("error").value(http_error_name(err.code)).end_object();
  return w.take();
}

} // namespace certmint
