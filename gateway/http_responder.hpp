#pragma once

// What every route handler needs: the Infisical error body, request ids,
// path-parameter checks and bearer authentication.

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "gateway/api_error.hpp"
#include "gateway/authenticator.hpp"
#include "gateway/http_router.hpp"

namespace certmint {

class http_responder {
public:
  using authed_handler =
      std::function<void(const http_request&, http_response&, const identity_record&)>;
  using authed_deferred_handler =
      std::function<void(http_request&, const http_exchange&, const identity_record&)>;

  explicit http_responder(std::shared_ptr<const store> db);

  void json(http_response& res, int status, const std::string& body);
  void error(http_response& res, const api_error& err);
  void fail(http_response& res, failure f) { error(res, api_error::from(std::move(f))); }

  /// Path parameters are UUIDs; anything else is a 422 as in Infisical.
  bool uuid_param(http_response& res, const std::string& value, const char* name);

  /// Wraps a handler so that it runs only for a valid bearer token whose
  /// identity holds one of `roles` (admin always does); otherwise 401, or
  /// 403 `You are not allowed to <action> on <subject>`.
  http_handler authenticated(uint8_t roles, const char* action, const char* subject,
                             authed_handler inner);
  /// The same for a deferred route: `inner` answers through the exchange.
  deferred_handler authenticated_deferred(uint8_t roles, const char* action, const char* subject,
                                          authed_deferred_handler inner);

  /// An error answer as a response (for answers sent through an exchange).
  http_response error_response(const api_error& err);

  /// The error body for a status the transport answers on its own.
  http_response protocol_error(int status, const std::string& message);

  /// Renders a result with `render`, or answers with its error.
  template <class T, class Render>
  void reply(http_response& res, result<T> outcome, Render&& render, int status = 200) {
    if (!outcome)
      fail(res, std::move(outcome).error());
    else
      json(res, status, render(*outcome));
  }

private:
  std::string next_request_id();
  /// The identity of the bearer token if it holds one of `roles`.
  result<identity_record> authorize(const http_request& req, uint8_t roles, const char* action,
                                    const char* subject) const;

  authenticator auth_;
  std::string request_id_prefix_;
  std::atomic<uint64_t> request_counter_{0};
};

} // namespace certmint
