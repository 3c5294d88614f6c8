#pragma once

// Small helpers for integration tests: JSON bodies in and out.

#include <string>
#include <utility>
#include <vector>

#include <simdjson.h>

#include "gateway/json_writer.hpp"
#include "tests/support/server_process.hpp"

namespace certmint::test {

struct http_reply {
  int status = 0;
  std::string body;
  simdjson::dom::element json; ///< valid while this reply lives
  std::string content_type;

  std::string str(const char* pointer) const;
  bool is_null(const char* pointer) const;
  /// For error bodies: the `error` and `message` fields.
  std::string error() const { return str("/error"); }
  std::string message() const { return str("/message"); }

private:
  friend http_reply to_reply(const httplib::Result& res);
  std::shared_ptr<simdjson::dom::parser> parser_ = std::make_shared<simdjson::dom::parser>();
};

http_reply to_reply(const httplib::Result& res);
http_reply post_json(httplib::Client& cli, const std::string& path, const std::string& body);
http_reply get(httplib::Client& cli, const std::string& path);
http_reply patch_json(httplib::Client& cli, const std::string& path, const std::string& body);
http_reply del(httplib::Client& cli, const std::string& path);

/// The id of the bootstrapped `default` profile.
std::string default_profile_id(httplib::Client& cli);

/// `{"profileId": ..., "csr": ...}` plus extra members (already JSON).
std::string csr_body(const std::string& profile_id, const std::string& csr,
                     const std::string& extra = "");

inline const std::string api = "/api/v1/cert-manager";
inline const std::string approvals = "/api/v1/approval-policies/cert-request";

/// An approval policy body: one step of `required` approvals from the
/// given user ids, for requests of the profile `profile_slug`. `extra` adds
/// JSON members.
std::string approval_policy(const std::vector<std::string>& approver_ids, int required,
                            const std::string& extra = R"(,"maxRequestTtl":"1h")",
                            const std::string& profile_slug = "default");

/// The approval request id of a certificate request waiting for approval.
std::string approval_of(httplib::Client& cli, const std::string& request_id);

/// Checks a 403 PermissionDenied with `message`.
void check_denied(const http_reply& reply, const std::string& message);

/// Polls a request until it is neither `pending` nor `pending_approval`
/// (bounded: about ten seconds).
http_reply wait_terminal(httplib::Client& cli, const std::string& request_id);

/// Creates a token; returns (token, tokenId). `extra` adds JSON members.
std::pair<std::string, std::string> make_token(httplib::Client& admin, const std::string& name,
                                               const std::string& roles,
                                               const std::string& extra = "");

} // namespace certmint::test
