#include "gateway/http_parser.hpp"

#include <cstdint>

namespace certmint {

namespace {

// RFC 9110 §5.6.2 tchar.
bool is_tchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
    return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

bool is_token(std::string_view text) {
  if (text.empty())
    return false;
  for (char c : text)
    if (!is_tchar(c))
      return false;
  return true;
}

// Field values: visible characters, obs-text, SP and HTAB; no other
// control characters (a bare CR or NUL in a value is refused).
bool is_field_value(std::string_view text) {
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7f)
      return false;
  }
  return true;
}

std::string_view trim_ows(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
    text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
    text.remove_suffix(1);
  return text;
}

char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size())
    return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i]))
      return false;
  return true;
}

// Whether a comma-separated list (Connection) holds `token`.
bool list_has(std::string_view list, std::string_view token) {
  while (!list.empty()) {
    auto comma = list.find(',');
    if (iequals(trim_ows(list.substr(0, comma)), token))
      return true;
    if (comma == std::string_view::npos)
      break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

// The line starting at `from`: its end (exclusive, without CR) and where the
// next line starts; npos when no LF has arrived yet.
struct line_bounds {
  size_t end = std::string_view::npos;
  size_t next = std::string_view::npos;
};

line_bounds find_line(std::string_view data, size_t from) {
  auto lf = data.find('\n', from);
  if (lf == std::string_view::npos)
    return {};
  auto end = lf > from && data[lf - 1] == '\r' ? lf - 1 : lf;
  return {end, lf + 1};
}

bool parse_decimal(std::string_view text, size_t& out) {
  if (text.empty() || text.size() > 18)
    return false;
  size_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9')
      return false;
    value = value * 10 + static_cast<size_t>(c - '0');
  }
  out = value;
  return true;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  c = lower(c);
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

constexpr size_t max_chunk_line = 1024;

} // namespace

void http_request_parser::reset() {
  phase_ = phase::head;
  request_ = http_request{};
  error_ = http_parse_error{};
  head_start_ = 0;
  scan_from_ = 0;
  body_start_ = 0;
  body_length_ = 0;
  chunk_pos_ = 0;
  chunk_trailers_ = false;
  expect_continue_ = false;
  consumed_ = 0;
}

bool http_request_parser::take_continue() {
  bool out = expect_continue_;
  expect_continue_ = false;
  return out;
}

http_request_parser::outcome http_request_parser::fail(int status, std::string message) {
  error_ = {status, std::move(message)};
  return outcome::failed;
}

http_request_parser::outcome http_request_parser::parse(std::string_view data) {
  if (phase_ == phase::head) {
    auto head = parse_head(data);
    if (head != outcome::complete)
      return head;
    auto framed = frame_body();
    if (framed != outcome::complete)
      return framed;
  }
  if (phase_ == phase::chunked_body)
    return parse_chunks(data);
  if (data.size() - body_start_ < body_length_)
    return outcome::need_more;
  request_.body.assign(data.substr(body_start_, body_length_));
  consumed_ = body_start_ + body_length_;
  expect_continue_ = false;
  return outcome::complete;
}

http_request_parser::outcome http_request_parser::parse_head(std::string_view data) {
  // RFC 9112 §2.2: empty lines before the request line are ignored.
  while (head_start_ < data.size() && (data[head_start_] == '\r' || data[head_start_] == '\n')) {
    if (data[head_start_] == '\r') {
      if (head_start_ + 1 == data.size())
        return outcome::need_more;
      if (data[head_start_ + 1] != '\n')
        return fail(400, "Malformed HTTP request: a bare CR before the request line");
      ++head_start_;
    }
    ++head_start_;
    if (head_start_ > 64)
      return fail(400, "Malformed HTTP request: empty lines instead of a request line");
  }
  if (scan_from_ < head_start_)
    scan_from_ = head_start_;
  // The head ends at the first empty line.
  for (;;) {
    auto line = find_line(data, scan_from_);
    if (line.next == std::string_view::npos)
      break;
    if (line.end == scan_from_ && scan_from_ > head_start_) {
      body_start_ = line.next;
      return parse_fields(data.substr(head_start_, scan_from_ - head_start_));
    }
    scan_from_ = line.next;
    if (scan_from_ - head_start_ > limits_.max_head_bytes)
      break;
  }
  if (data.size() - head_start_ > limits_.max_head_bytes) {
    auto first = find_line(data, head_start_);
    if (first.next == std::string_view::npos || first.end - head_start_ > limits_.max_head_bytes)
      return fail(414, "Request line is too long (limit " + std::to_string(limits_.max_head_bytes)
                           + " bytes)");
    return fail(431, "Request header fields are too large (limit "
                         + std::to_string(limits_.max_head_bytes) + " bytes)");
  }
  return outcome::need_more;
}

http_request_parser::outcome http_request_parser::parse_fields(std::string_view head) {
  auto first = find_line(head, 0);
  auto request_line = head.substr(0, first.end);
  // method SP request-target SP HTTP-version
  auto sp1 = request_line.find(' ');
  auto sp2 = sp1 == std::string_view::npos ? sp1 : request_line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || request_line.find(' ', sp2 + 1) != std::string_view::npos)
    return fail(400, "Malformed HTTP request line");
  auto method = request_line.substr(0, sp1);
  auto target = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
  auto version = request_line.substr(sp2 + 1);
  if (!is_token(method))
    return fail(400, "Malformed HTTP request line: invalid method");
  if (target.empty())
    return fail(400, "Malformed HTTP request line: empty request target");
  for (char c : target) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f)
      return fail(400, "Malformed HTTP request line: invalid character in the request target");
  }
  if (version.size() != 8 || version.substr(0, 5) != "HTTP/" || version[6] != '.'
      || version[5] < '0' || version[5] > '9' || version[7] < '0' || version[7] > '9')
    return fail(400, "Malformed HTTP request line: invalid HTTP version");
  if (version[5] != '1')
    return fail(505, "HTTP version " + std::string{version.substr(5)} + " is not supported");
  request_.method = std::string{method};
  request_.minor_version = version[7] - '0';
  request_.target = std::string{target};

  // Absolute form (RFC 9112 §3.2.2): the path starts after the authority.
  std::string_view path_and_query = target;
  if (target.front() != '/') {
    auto scheme_end = target.find("://");
    if (scheme_end == std::string_view::npos) {
      if (!(target == "*" && method == "OPTIONS"))
        return fail(400, "Malformed HTTP request line: the request target is not a path");
    } else {
      auto slash = target.find('/', scheme_end + 3);
      path_and_query =
          slash == std::string_view::npos ? std::string_view{"/"} : target.substr(slash);
    }
  }
  auto question = path_and_query.find('?');
  request_.path = std::string{path_and_query.substr(0, question)};
  if (question != std::string_view::npos
      && !parse_query_string(path_and_query.substr(question + 1), request_.query))
    return fail(400, "Malformed query string: invalid percent-encoding");

  size_t pos = first.next;
  while (pos < head.size()) {
    auto line = find_line(head, pos);
    auto text =
        head.substr(pos, (line.end == std::string_view::npos ? head.size() : line.end) - pos);
    pos = line.next == std::string_view::npos ? head.size() : line.next;
    if (text.empty())
      continue;
    if (text.front() == ' ' || text.front() == '\t')
      return fail(400, "Malformed HTTP header: folded header lines are not accepted");
    auto colon = text.find(':');
    if (colon == std::string_view::npos)
      return fail(400, "Malformed HTTP header: a line without ':'");
    auto name = text.substr(0, colon);
    if (!is_token(name))
      return fail(400, "Malformed HTTP header: invalid field name");
    auto value = trim_ows(text.substr(colon + 1));
    if (!is_field_value(value))
      return fail(400, "Malformed HTTP header: invalid character in the value of '"
                           + std::string{name} + "'");
    if (request_.headers.size() >= limits_.max_header_fields)
      return fail(431, "Too many header fields (limit " + std::to_string(limits_.max_header_fields)
                           + ")");
    std::string lowered(name.size(), '\0');
    for (size_t i = 0; i < name.size(); ++i)
      lowered[i] = lower(name[i]);
    request_.headers.emplace_back(std::move(lowered), std::string{value});
  }
  phase_ = phase::fixed_body;
  return outcome::complete;
}

http_request_parser::outcome http_request_parser::frame_body() {
  auto& req = request_;
  size_t hosts = 0;
  bool has_length = false;
  bool has_transfer_encoding = false;
  size_t length = 0;
  std::string_view connection;
  for (const auto& [name, value] : req.headers) {
    if (name == "host") {
      ++hosts;
    } else if (name == "content-length") {
      size_t this_length = 0;
      if (!parse_decimal(value, this_length))
        return fail(400, "Malformed HTTP header: invalid Content-Length");
      if (has_length && this_length != length)
        return fail(400, "Malformed HTTP header: conflicting Content-Length values");
      has_length = true;
      length = this_length;
    } else if (name == "transfer-encoding") {
      if (has_transfer_encoding || !iequals(value, "chunked"))
        return fail(501, "Transfer-Encoding '" + value + "' is not supported (only chunked)");
      has_transfer_encoding = true;
    } else if (name == "connection") {
      connection = value;
    } else if (name == "expect") {
      if (!iequals(value, "100-continue"))
        return fail(417, "Expectation '" + value + "' cannot be met");
      expect_continue_ = true;
    }
  }
  // RFC 9112 §3.2 and §6.1: one Host in HTTP/1.1; Transfer-Encoding with
  // Content-Length, or in HTTP/1.0, is how requests are smuggled.
  if (req.minor_version >= 1 && hosts != 1)
    return fail(400, hosts == 0 ? "Malformed HTTP request: no Host header"
                                : "Malformed HTTP request: more than one Host header");
  if (has_transfer_encoding && (has_length || req.minor_version == 0))
    return fail(400,
                "Malformed HTTP request: Transfer-Encoding with Content-Length or in HTTP/1.0");
  req.keep_alive =
      req.minor_version >= 1 ? !list_has(connection, "close") : list_has(connection, "keep-alive");
  if (has_length && length > limits_.max_body_bytes)
    return fail(413, "Request body is too large (limit " + std::to_string(limits_.max_body_bytes)
                         + " bytes)");
  if (has_transfer_encoding) {
    phase_ = phase::chunked_body;
    chunk_pos_ = body_start_;
  } else {
    phase_ = phase::fixed_body;
    body_length_ = length;
    if (length == 0)
      expect_continue_ = false;
  }
  return outcome::complete;
}

http_request_parser::outcome http_request_parser::parse_chunks(std::string_view data) {
  auto& body = request_.body;
  for (;;) {
    auto line = find_line(data, chunk_pos_);
    if (line.next == std::string_view::npos)
      return data.size() - chunk_pos_ > max_chunk_line
                 ? fail(400, "Malformed chunked body: a chunk line is too long")
                 : outcome::need_more;
    auto text = data.substr(chunk_pos_, line.end - chunk_pos_);
    if (chunk_trailers_) {
      // Trailer fields are read and dropped; an empty line ends the body.
      chunk_pos_ = line.next;
      if (text.empty()) {
        consumed_ = chunk_pos_;
        expect_continue_ = false;
        return outcome::complete;
      }
      if (chunk_pos_ - body_start_ > limits_.max_body_bytes + limits_.max_head_bytes)
        return fail(431, "Chunked trailer fields are too large");
      continue;
    }
    auto size_text = text.substr(0, text.find(';'));
    size_text = trim_ows(size_text);
    if (size_text.empty() || size_text.size() > 15)
      return fail(400, "Malformed chunked body: invalid chunk size");
    uint64_t size = 0;
    for (char c : size_text) {
      int d = hex_digit(c);
      if (d < 0)
        return fail(400, "Malformed chunked body: invalid chunk size");
      size = size * 16 + static_cast<uint64_t>(d);
    }
    if (size == 0) {
      chunk_trailers_ = true;
      chunk_pos_ = line.next;
      continue;
    }
    if (body.size() + size > limits_.max_body_bytes)
      return fail(413, "Request body is too large (limit " + std::to_string(limits_.max_body_bytes)
                           + " bytes)");
    auto data_start = line.next;
    auto n = static_cast<size_t>(size);
    if (data.size() < data_start + n + 1)
      return outcome::need_more;
    size_t after = data_start + n;
    if (data[after] == '\r') {
      if (data.size() < after + 2)
        return outcome::need_more;
      if (data[after + 1] != '\n')
        return fail(400, "Malformed chunked body: chunk data not followed by CRLF");
      after += 2;
    } else if (data[after] == '\n') {
      after += 1;
    } else {
      return fail(400, "Malformed chunked body: chunk data not followed by CRLF");
    }
    body.append(data.substr(data_start, n));
    chunk_pos_ = after;
  }
}

} // namespace certmint
