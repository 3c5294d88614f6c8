#include "tests/integration/api_client.hpp"

#include <chrono>
#include <stdexcept>
#include <thread>

#include <catch2/catch.hpp>

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

void check_denied(const http_reply& reply, const std::string& message) {
  INFO(reply.body);
  CHECK(reply.status == 403);
  CHECK(reply.error() == "PermissionDenied");
  CHECK(reply.message() == message);
}

http_reply wait_terminal(httplib::Client& cli, const std::string& request_id) {
  http_reply reply;
  const auto poll_path = api + "/certificates/certificate-requests/" + request_id;
  for (int i = 0; i < 200; ++i) {
    reply = get(cli, poll_path);
    auto status = reply.str("/status");
    if (reply.status != 200 || (status != "pending" && status != "pending_approval"))
      return reply;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return reply;
}

std::pair<std::string, std::string> make_token(httplib::Client& admin, const std::string& name,
                                               const std::string& roles, const std::string& extra) {
  auto reply = post_json(admin, "/api/v1/identities/tokens",
                         R"({"name":")" + name + R"(","roles":)" + roles + extra + "}");
  if (reply.status != 200 || reply.str("/token").rfind("cm_", 0) != 0)
    throw std::runtime_error("token creation failed: " + reply.body);
  return {reply.str("/token"), reply.str("/tokenId")};
}

std::string approval_policy(const std::vector<std::string>& approver_ids, int required,
                            const std::string& extra, const std::string& profile_slug) {
  std::string approvers;
  for (const auto& id : approver_ids)
    approvers +=
        (approvers.empty() ? "" : ",") + std::string{R"({"type":"user","id":")"} + id + "\"}";
  return R"({"name":"production","steps":[{"name":"security","requiredApprovals":)"
         + std::to_string(required) + R"(,"approvers":[)" + approvers
         + R"(]}],"conditions":[{"profileNames":[")" + profile_slug + R"("]}])" + extra + "}";
}

std::string approval_of(httplib::Client& cli, const std::string& request_id) {
  return get(cli, api + "/certificates/certificate-requests/" + request_id)
      .str("/approvalRequestId");
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
