#pragma once

// An incremental HTTP/1.1 request parser (RFC 9112): the head, then a body
// framed by Content-Length or chunked transfer coding. Pure: it reads the
// bytes a connection has received and says whether a request is complete,
// more bytes are needed, or the bytes cannot be a request (with the status
// to answer). No I/O, no allocation beyond the request it builds.

#include <cstddef>
#include <string>
#include <string_view>

#include "gateway/http_message.hpp"

namespace certmint {

struct http_limits {
  size_t max_head_bytes = size_t{16} * 1024; ///< request line and header fields
  size_t max_header_fields = 100;
  size_t max_body_bytes = size_t{64} * 1024;
};

/// Why bytes are not a request: the status to answer (400, 413, 414, 417,
/// 431, 501, 505) and what was wrong. The connection is closed after it.
struct http_parse_error {
  int status = 400;
  std::string message;
};

class http_request_parser {
public:
  enum class outcome { need_more, complete, failed };

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

  /// Whether a head has been seen for the request being parsed.
  bool in_body() const { return phase_ != phase::head; }

  /// Forgets the last request; the next `parse` starts a new one.
  void reset();

private:
  enum class phase { head, fixed_body, chunked_body };

  outcome fail(int status, std::string message);
  outcome parse_head(std::string_view data);
  outcome parse_fields(std::string_view head);
  outcome frame_body();
  outcome parse_chunks(std::string_view data);

  http_limits limits_;
  phase phase_ = phase::head;
  http_request request_;
  http_parse_error error_;
  size_t head_start_ = 0; ///< after empty lines sent before the request line
  size_t scan_from_ = 0;  ///< where the search for the head's end resumes
  size_t body_start_ = 0;
  size_t body_length_ = 0;
  size_t chunk_pos_ = 0;        ///< chunked: the next unread byte
  bool chunk_trailers_ = false; ///< chunked: the last chunk was read
  bool expect_continue_ = false;
  size_t consumed_ = 0;
};

} // namespace certmint
