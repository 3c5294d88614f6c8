#pragma once

// Incremental HTTP/1.1 message parsers (RFC 9112): requests for the server,
// responses for clients (the load generator, and later the ACME client).
// Pure: they read the bytes a connection has received and say whether a
// message is complete, more bytes are needed, or the bytes cannot be one
// (for requests, with the status to answer). No I/O.

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gateway/http_message.hpp"

namespace certmint {

struct http_limits {
  size_t max_head_bytes = size_t{16} * 1024; ///< start line and header fields
  size_t max_header_fields = 100;
  size_t max_body_bytes = size_t{64} * 1024;
};

/// Why bytes are not a message: for a request, the status to answer (400,
/// 413, 414, 417, 431, 501, 505) and what was wrong. The connection is
/// closed after it.
struct http_parse_error {
  int status = 400;
  std::string message;
};

enum class http_parse_outcome { need_more, complete, failed };

/// Where the search for the end of a head stands between calls.
struct http_head_scan {
  size_t start = 0;     ///< after empty lines sent before the start line
  size_t scan_from = 0; ///< where the search resumes
  size_t body_start = 0;
};

/// Progress through a chunked body (RFC 9112 §7.1) between calls.
struct http_chunked_progress {
  size_t next = 0; ///< the next unread byte
  bool in_trailers = false;
};

class http_request_parser {
public:
  using outcome = http_parse_outcome;

  explicit http_request_parser(http_limits limits = {}) : limits_(limits) {}

  /// Parses the request at the start of `data`: the bytes received and not
  /// yet consumed. Between calls `data` only grows (new bytes appended).
  outcome parse(std::string_view data);

  /// After `complete`: how many bytes of `data` the request took.
  size_t consumed() const { return consumed_; }

  /// True once per request when its head asked `Expect: 100-continue` and
  /// its body has not fully arrived: the caller answers `100 Continue`.
  bool take_continue();

  /// The request, after `complete`.
  http_request& request() { return request_; }

  /// What was wrong, after `failed`.
  const http_parse_error& error() const { return error_; }

  /// Forgets the last request; the next `parse` starts a new one.
  void reset();

private:
  enum class phase { head, fixed_body, chunked_body };

  outcome fail(int status, std::string message);
  outcome parse_start_line(std::string_view line);
  outcome frame_body();

  http_limits limits_;
  phase phase_ = phase::head;
  http_request request_;
  http_parse_error error_;
  http_head_scan scan_;
  size_t body_length_ = 0;
  http_chunked_progress chunks_;
  bool expect_continue_ = false;
  size_t consumed_ = 0;
};

/// A response as a client reads it.
struct http_parsed_response {
  int status = 0;
  http_headers headers; ///< names lower-cased
  std::string body;
  bool keep_alive = true;

  std::string_view header(std::string_view lower_name) const {
    return find_header(headers, lower_name);
  }
};

class http_response_parser {
public:
  using outcome = http_parse_outcome;

  /// Responses may be larger than requests: bodies up to 64 MiB by default.
  explicit http_response_parser(http_limits limits = {size_t{16} * 1024, 100, size_t{64} << 20})
      : limits_(limits) {}

  /// Parses the response at the start of `data`. `peer_closed`: no more
  /// bytes will come (a body without length ends there).
  outcome parse(std::string_view data, bool peer_closed);

  size_t consumed() const { return consumed_; }
  http_parsed_response& response() { return response_; }
  const http_parse_error& error() const { return error_; }

  /// Forgets the last response. `no_body`: the next one answers a HEAD
  /// request, so it has no body whatever its headers say.
  void reset(bool no_body = false);

private:
  enum class phase { head, fixed_body, chunked_body, until_close };

  outcome fail(std::string message);
  outcome parse_status_line(std::string_view line);
  outcome frame_body();

  http_limits limits_;
  phase phase_ = phase::head;
  bool no_body_ = false;
  http_parsed_response response_;
  http_parse_error error_;
  http_head_scan scan_;
  size_t body_length_ = 0;
  http_chunked_progress chunks_;
  size_t consumed_ = 0;
};

} // namespace certmint
