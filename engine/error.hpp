#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace certmint {

/// Stable error codes shared by every layer. The numeric values are part of
/// the actor protocol (they travel inside caf::error), so never renumber.
enum class errc : uint8_t {
  none = 0,
  bad_request = 1,        ///< 400: the input is well-formed but unacceptable
  validation_failed = 2,  ///< 422: the input violates the request schema
  unauthorized = 3,       ///< 401
  forbidden = 4,          ///< 403
  not_found = 5,          ///< 404
  conflict = 6,           ///< 409
  payload_too_large = 7,  ///< 413
  too_many_requests = 8,  ///< 429
  unavailable = 9,        ///< 503: shutting down or overloaded
  internal = 10,          ///< 500
  storage_failure = 11,   ///< 500: RocksDB refused a read or write
  serial_collision = 12,  ///< internal: retried with a fresh serial
  not_pending = 13,       ///< 500: a request left `pending` under our feet
  timeout = 14,           ///< 504: an internal stage did not answer in time
  permission_denied = 15, ///< 403: the identity lacks the role
};

/// The HTTP status an error code maps to at the gateway.
int http_status(errc code);

/// The `error` field of the Infisical error body for a code.
std::string_view http_error_name(errc code);

/// A stable, lower-case name of the code, for logs and caf::error rendering.
std::string_view to_string(errc code);

/// An error as a value: a stable code and a message meant for humans (and,
/// for Infisical-compatible messages, for clients that match on it).
struct failure {
  errc code = errc::internal;
  std::string message;
};

inline failure make_failure(errc code, std::string message) {
  return failure{code, std::move(message)};
}

/// A value or a failure; the std::expected we do not have in C++17.
template <class T> class result {
public:
  // Not one by-value constructor: that costs a second move, and records
  // of thirty strings pass through several results per request.
  result(T&& value) : data_(std::in_place_index<0>, std::move(value)) {}
  result(const T& value) : data_(std::in_place_index<0>, value) {}
  result(failure err) : data_(std::move(err)) {}

  explicit operator bool() const noexcept { return data_.index() == 0; }
  bool has_value() const noexcept { return data_.index() == 0; }

  T& value() & { return std::get<0>(data_); }
  const T& value() const& { return std::get<0>(data_); }
  T&& value() && { return std::get<0>(std::move(data_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const failure& error() const& { return std::get<1>(data_); }
  failure&& error() && { return std::get<1>(std::move(data_)); }

private:
  std::variant<T, failure> data_;
};

/// Success or a failure, without a value.
template <> class result<void> {
public:
  result() = default;
  result(failure err) : err_(std::move(err)), ok_(false) {}

  explicit operator bool() const noexcept { return ok_; }
  bool has_value() const noexcept { return ok_; }
  const failure& error() const& { return err_; }
  failure&& error() && { return std::move(err_); }

private:
  failure err_;
  bool ok_ = true;
};

using status = result<void>;

} // namespace certmint
