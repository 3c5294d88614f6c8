#pragma once

// HTTP/1.1 requests and responses as the gateway's handlers see them.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace certmint {

using http_headers = std::vector<std::pair<std::string, std::string>>;

/// The first field named `lower_name` (names are stored lower-cased), or ""
/// when absent.
std::string_view find_header(const http_headers& headers, std::string_view lower_name);

struct http_request {
  std::string method;
  std::string target; ///< the request-target as sent (path and query)
  std::string path;   ///< the path part of the target, still percent-encoded
  /// Query parameters in order, percent- and '+'-decoded.
  std::vector<std::pair<std::string, std::string>> query;
  /// Header fields in order; names are lower-cased.
  http_headers headers;
  std::string body;
  int minor_version = 1; ///< HTTP/1.<minor>
  bool keep_alive = true;
  /// The path segments a route captured (`:name` segments), decoded.
  std::vector<std::string> params;

  std::string_view header(std::string_view lower_name) const {
    return find_header(headers, lower_name);
  }
  bool has_query(std::string_view name) const;
  /// The first value of query parameter `name`, or "" when absent.
  std::string query_value(std::string_view name) const;
  /// Captured path segment `i` (0-based).
  const std::string& param(size_t i) const { return params.at(i); }
};

struct http_response {
  int status = 200;
  std::string content_type;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  void set_content(std::string content, std::string_view type) {
    body = std::move(content);
    content_type = std::string{type};
  }
  void set_header(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
  }
};

/// The reason phrase of a status code ("OK", "Not Found", ...).
std::string_view reason_phrase(int status);

/// Appends the response's bytes (status line, headers, body) to `out`.
/// `keep_alive` false adds `Connection: close`; `head` leaves the body out
/// but keeps its Content-Length.
void serialize_response(const http_response& res, bool keep_alive, bool head, std::string& out);

/// Percent-decodes `text`; with `plus_is_space` (query strings) '+' is a
/// space. Returns false for a '%' not followed by two hex digits.
bool percent_decode(std::string_view text, bool plus_is_space, std::string& out);

/// Splits `a=1&b=two` into decoded pairs; false on bad percent-encoding.
bool parse_query_string(std::string_view text,
                        std::vector<std::pair<std::string, std::string>>& out);

} // namespace certmint
