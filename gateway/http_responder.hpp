#pragma once

// What every route handler needs: the Infisical error body, request ids,
// path-parameter checks and bearer authentication.

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include <httplib.h>

#include "gateway/api_error.hpp"
#include "gateway/authenticator.hpp"

namespace certmint {

class http_responder {
public:
  using handler = std::function<void(const httplib::Request&, httplib::Response&)>;
  using authed_handler =
      std::function<void(const httplib::Request&, httplib::Response&, const identity_record&)>;

  explicit http_responder(std::shared_ptr<const store> db);

  void json(httplib::Response& res, int status, const std::string& body);
  void error(httplib::Response& res, const api_error& err);
  void fail(httplib::Response& res, failure f) { error(res, api_error::from(std::move(f))); }

  /// Path parameters are UUIDs; anything else is a 422 as in Infisical.
  bool uuid_param(httplib::Response& res, const std::string& value, const char* name);

  /// Wraps a handler so that it runs only for a valid bearer token whose
  /// identity holds one of `roles` (admin always does); otherwise 401, or
  /// 403 `You are not allowed to <action> on <subject>`.
  handler authenticated(uint8_t roles, const char* action, const char* subject,
                        authed_handler inner);

  /// Renders a result with `render`, or answers with its error.
  template <class T, class Render>
  void reply(httplib::Response& res, result<T> outcome, Render&& render, int status = 200) {
    if (!outcome)
      fail(res, std::move(outcome).error());
    else
      json(res, status, render(*outcome));
  }

private:
  std::string next_request_id();

  authenticator auth_;
  std::string request_id_prefix_;
  std::atomic<uint64_t> request_counter_{0};
};

} // namespace certmint
