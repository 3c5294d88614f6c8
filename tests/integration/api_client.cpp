#include "tests/integration/api_client.hpp"

#include <stdexcept>

namespace certmint::test {

http_reply to_reply(const httplib::Result& res) {
  if (!res)
    throw std::runtime_error("HTTP request failed: " + httplib::to_string(res.error()));
  http_reply reply;
  reply.status = res->status;
  reply.body = res->body;
  reply.content_type = res->get_header_value("Content-Type");
  if (reply.content_type.rfind("application/json", 0) == 0)
    if (reply.parser_->parse(reply.body).get(reply.json))
      throw std::runtime_error("server sent invalid JSON: " + reply.body);
  return reply;
}

std::string http_reply::str(const char* pointer) const {
  std::string_view out;
  if (json.at_pointer(pointer).get_string().get(out))
    return {};
  return std::string{out};
}

bool http_reply::is_null(const char* pointer) const {
  simdjson::dom::element el;
  return !json.at_pointer(pointer).get(el) && el.is_null();
}

http_reply post_json(httplib::Client& cli, const std::string& path, const std::string& body) {
  return to_reply(cli.Post(path.c_str(), body, "application/json"));
}

http_reply get(httplib::Client& cli, const std::string& path) {
  return to_reply(cli.Get(path.c_str()));
}

http_reply patch_json(httplib::Client& cli, const std::string& path, const std::string& body) {
  return to_reply(cli.Patch(path.c_str(), body, "application/json"));
}

http_reply del(httplib::Client& cli, const std::string& path) {
  return to_reply(cli.Delete(path.c_str()));
}

std::string default_profile_id(httplib::Client& cli) {
  auto reply = get(cli, api + "/certificate-profiles/slug/default");
  if (reply.status != 200)
    throw std::runtime_error("no default profile: " + reply.body);
  return reply.str("/certificateProfile/id");
}

std::string csr_body(const std::string& profile_id, const std::string& csr,
                     const std::string& extra) {
  std::string out = "{\"profileId\":";
  append_json_string(out, profile_id);
  out += ",\"csr\":";
  append_json_string(out, csr);
  if (!extra.empty())
    out += "," + extra;
  out += "}";
  return out;
}

} // namespace certmint::test
