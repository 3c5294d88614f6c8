#include "gateway/http_parser.hpp"

#include <cstdint>

namespace certmint {

namespace {

using outcome = http_parse_outcome;

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

// Finds the head (start line and fields) at the start of `data`; on
// `complete`, `head` holds it without the empty line that ends it.
outcome find_head(std::string_view data, http_head_scan& scan, const http_limits& limits,
                  std::string_view& head, http_parse_error& error) {
  // RFC 9112 §2.2: empty lines before the start line are ignored.
  while (scan.start < data.size() && (data[scan.start] == '\r' || data[scan.start] == '\n')) {
    if (data[scan.start] == '\r') {
      if (scan.start + 1 == data.size())
        return outcome::need_more;
      if (data[scan.start + 1] != '\n') {
        error = {400, "Malformed HTTP request: a bare CR before the request line"};
        return outcome::failed;
      }
      ++scan.start;
    }
    ++scan.start;
    if (scan.start > 64) {
      error = {400, "Malformed HTTP request: empty lines instead of a request line"};
      return outcome::failed;
    }
  }
  if (scan.scan_from < scan.start)
    scan.scan_from = scan.start;
  for (;;) {
    auto line = find_line(data, scan.scan_from);
    if (line.next == std::string_view::npos)
      break;
    if (line.end == scan.scan_from && scan.scan_from > scan.start) {
      scan.body_start = line.next;
      head = data.substr(scan.start, scan.scan_from - scan.start);
      return outcome::complete;
    }
    scan.scan_from = line.next;
    if (scan.scan_from - scan.start > limits.max_head_bytes)
      break;
  }
  if (data.size() - scan.start > limits.max_head_bytes) {
    // Within the limit but for a CR whose LF has not come: that CR may end
    // the request line or begin the empty line that ends the head, which
    // decide between 414, 431 and a complete head. Deciding now would
    // answer differently depending on how TCP split the bytes.
    if (data.back() == '\r' && data.size() - 1 - scan.start <= limits.max_head_bytes)
      return outcome::need_more;
    auto first = find_line(data, scan.start);
    if (first.next == std::string_view::npos || first.end - scan.start > limits.max_head_bytes)
      error = {414, "Request line is too long (limit " + std::to_string(limits.max_head_bytes)
                        + " bytes)"};
    else
      error = {431, "Request header fields are too large (limit "
                        + std::to_string(limits.max_head_bytes) + " bytes)"};
    return outcome::failed;
  }
  return outcome::need_more;
}

// The field lines of a head after its start line; names lower-cased.
outcome parse_field_lines(std::string_view head, const http_limits& limits, http_headers& headers,
                          http_parse_error& error) {
  size_t pos = find_line(head, 0).next;
  while (pos < head.size()) {
    auto line = find_line(head, pos);
    auto text = head.substr(pos, line.end - pos);
    pos = line.next;
    if (text.empty())
      continue;
    if (text.front() == ' ' || text.front() == '\t') {
      error = {400, "Malformed HTTP header: folded header lines are not accepted"};
      return outcome::failed;
    }
    auto colon = text.find(':');
    if (colon == std::string_view::npos) {
      error = {400, "Malformed HTTP header: a line without ':'"};
      return outcome::failed;
    }
    auto name = text.substr(0, colon);
    if (!is_token(name)) {
      error = {400, "Malformed HTTP header: invalid field name"};
      return outcome::failed;
    }
    auto value = trim_ows(text.substr(colon + 1));
    if (!is_field_value(value)) {
      error = {400, "Malformed HTTP header: invalid character in the value of '" + std::string{name}
                        + "'"};
      return outcome::failed;
    }
    if (headers.size() >= limits.max_header_fields) {
      error = {431,
               "Too many header fields (limit " + std::to_string(limits.max_header_fields) + ")"};
      return outcome::failed;
    }
    std::string lowered(name.size(), '\0');
    for (size_t i = 0; i < name.size(); ++i)
      lowered[i] = lower(name[i]);
    headers.emplace_back(std::move(lowered), std::string{value});
  }
  return outcome::complete;
}

// Appends the chunks that have arrived to `body`; on `complete`, `end` is
// where the body (and its trailers) ended.
outcome decode_chunks(std::string_view data, http_chunked_progress& p, std::string& body,
                      size_t body_start, const http_limits& limits, size_t& end,
                      http_parse_error& error) {
  auto too_large = [&] {
    error = {413, "Request body is too large (limit " + std::to_string(limits.max_body_bytes)
                      + " bytes)"};
    return outcome::failed;
  };
  auto malformed = [&](const char* what) {
    error = {400, std::string{"Malformed chunked body: "} + what};
    return outcome::failed;
  };
  for (;;) {
    // A chunk or trailer line longer than max_chunk_line is refused whether
    // it has ended or not, so that the answer does not depend on how TCP
    // split the bytes; a CR at the end of what has come may be the line's
    // own CRLF, so it does not count.
    auto line = find_line(data, p.next);
    if (line.next == std::string_view::npos) {
      auto pending = data.size() - p.next;
      if (pending > 0 && data.back() == '\r')
        --pending;
      return pending > max_chunk_line ? malformed("a chunk line is too long") : outcome::need_more;
    }
    auto text = data.substr(p.next, line.end - p.next);
    if (text.size() > max_chunk_line)
      return malformed("a chunk line is too long");
    if (p.in_trailers) {
      // Trailer fields are read and dropped; an empty line ends the body.
      p.next = line.next;
      if (text.empty()) {
        end = p.next;
        return outcome::complete;
      }
      if (p.next - body_start > limits.max_body_bytes + limits.max_head_bytes) {
        error = {431, "Chunked trailer fields are too large"};
        return outcome::failed;
      }
      continue;
    }
    auto size_text = trim_ows(text.substr(0, text.find(';')));
    if (size_text.empty() || size_text.size() > 15)
      return malformed("invalid chunk size");
    uint64_t size = 0;
    for (char c : size_text) {
      int d = hex_digit(c);
      if (d < 0)
        return malformed("invalid chunk size");
      size = size * 16 + static_cast<uint64_t>(d);
    }
    if (size == 0) {
      p.in_trailers = true;
      p.next = line.next;
      continue;
    }
    if (body.size() + size > limits.max_body_bytes)
      return too_large();
    auto data_start = line.next;
    auto n = static_cast<size_t>(size);
    if (data.size() < data_start + n + 1)
      return outcome::need_more;
    size_t after = data_start + n;
    if (data[after] == '\r') {
      if (data.size() < after + 2)
        return outcome::need_more;
      if (data[after + 1] != '\n')
        return malformed("chunk data not followed by CRLF");
      after += 2;
    } else if (data[after] == '\n') {
      after += 1;
    } else {
      return malformed("chunk data not followed by CRLF");
    }
    body.append(data.substr(data_start, n));
    p.next = after;
  }
}

// "HTTP/1.x": the minor version, or -1 (malformed) or -2 (not HTTP/1).
int http1_minor_version(std::string_view version) {
  if (version.size() != 8 || version.substr(0, 5) != "HTTP/" || version[6] != '.'
      || version[5] < '0' || version[5] > '9' || version[7] < '0' || version[7] > '9')
    return -1;
  if (version[5] != '1')
    return -2;
  return version[7] - '0';
}

} // namespace

void http_request_parser::reset() {
  phase_ = phase::head;
  request_ = http_request{};
  error_ = http_parse_error{};
  scan_ = {};
  body_length_ = 0;
  chunks_ = {};
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
    std::string_view head;
    auto found = find_head(data, scan_, limits_, head, error_);
    if (found != outcome::complete)
      return found;
    auto started = parse_start_line(head.substr(0, find_line(head, 0).end));
    if (started != outcome::complete)
      return started;
    auto fields = parse_field_lines(head, limits_, request_.headers, error_);
    if (fields != outcome::complete)
      return fields;
    auto framed = frame_body();
    if (framed != outcome::complete)
      return framed;
  }
  if (phase_ == phase::chunked_body) {
    auto decoded =
        decode_chunks(data, chunks_, request_.body, scan_.body_start, limits_, consumed_, error_);
    if (decoded == outcome::complete)
      expect_continue_ = false;
    return decoded;
  }
  if (data.size() - scan_.body_start < body_length_)
    return outcome::need_more;
  request_.body.assign(data.substr(scan_.body_start, body_length_));
  consumed_ = scan_.body_start + body_length_;
  expect_continue_ = false;
  return outcome::complete;
}

http_request_parser::outcome http_request_parser::parse_start_line(std::string_view line) {
  // method SP request-target SP HTTP-version
  auto sp1 = line.find(' ');
  auto sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos)
    return fail(400, "Malformed HTTP request line");
  auto method = line.substr(0, sp1);
  auto target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  auto version = line.substr(sp2 + 1);
  if (!is_token(method))
    return fail(400, "Malformed HTTP request line: invalid method");
  if (target.empty())
    return fail(400, "Malformed HTTP request line: empty request target");
  for (char c : target) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f)
      return fail(400, "Malformed HTTP request line: invalid character in the request target");
  }
  auto minor = http1_minor_version(version);
  if (minor == -1)
    return fail(400, "Malformed HTTP request line: invalid HTTP version");
  if (minor == -2)
    return fail(505, "HTTP version " + std::string{version.substr(5)} + " is not supported");
  request_.method = std::string{method};
  request_.minor_version = minor;
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
  return outcome::complete;
}

http_request_parser::outcome http_request_parser::frame_body() {
  auto& req = request_;
  size_t hosts = 0;
  size_t authorizations = 0;
  size_t idempotency_keys = 0;
  bool has_length = false;
  bool has_transfer_encoding = false;
  size_t length = 0;
  std::string_view connection;
  for (const auto& [name, value] : req.headers) {
    if (name == "host") {
      ++hosts;
    } else if (name == "authorization") {
      ++authorizations;
    } else if (name == "idempotency-key") {
      ++idempotency_keys;
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
  // Fields that name one credential or one retry (RFC 9110 §11.6.2; the
  // Idempotency-Key draft): two of them leave which one counts to
  // whichever code reads them, so neither is guessed.
  if (authorizations > 1)
    return fail(400, "Malformed HTTP request: more than one Authorization header");
  if (idempotency_keys > 1)
    return fail(400, "Malformed HTTP request: more than one Idempotency-Key header");
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
    chunks_.next = scan_.body_start;
  } else {
    phase_ = phase::fixed_body;
    body_length_ = length;
    if (length == 0)
      expect_continue_ = false;
  }
  return outcome::complete;
}

void http_response_parser::reset(bool no_body) {
  phase_ = phase::head;
  no_body_ = no_body;
  response_ = http_parsed_response{};
  error_ = http_parse_error{};
  scan_ = {};
  body_length_ = 0;
  chunks_ = {};
  consumed_ = 0;
}

http_response_parser::outcome http_response_parser::fail(std::string message) {
  error_ = {502, std::move(message)};
  return outcome::failed;
}

http_response_parser::outcome http_response_parser::parse(std::string_view data, bool peer_closed) {
  if (phase_ == phase::head) {
    std::string_view head;
    auto found = find_head(data, scan_, limits_, head, error_);
    if (found == outcome::need_more && peer_closed)
      return fail("Malformed HTTP response: the connection closed inside the head");
    if (found == outcome::failed)
      return fail("Malformed HTTP response head (" + error_.message + ")");
    if (found != outcome::complete)
      return found;
    auto started = parse_status_line(head.substr(0, find_line(head, 0).end));
    if (started != outcome::complete)
      return started;
    if (parse_field_lines(head, limits_, response_.headers, error_) != outcome::complete)
      return fail("Malformed HTTP response head (" + error_.message + ")");
    auto framed = frame_body();
    if (framed != outcome::complete)
      return framed;
  }
  switch (phase_) {
    case phase::chunked_body: {
      auto decoded = decode_chunks(data, chunks_, response_.body, scan_.body_start, limits_,
                                   consumed_, error_);
      if (decoded == outcome::need_more && peer_closed)
        return fail("Malformed HTTP response: the connection closed inside a chunked body");
      return decoded;
    }
    case phase::until_close:
      if (data.size() - scan_.body_start > limits_.max_body_bytes)
        return fail("HTTP response body is too large");
      if (!peer_closed)
        return outcome::need_more;
      response_.body.assign(data.substr(scan_.body_start));
      consumed_ = data.size();
      return outcome::complete;
    default:
      if (data.size() - scan_.body_start < body_length_)
        return peer_closed ? fail("Malformed HTTP response: the connection closed inside the body")
                           : outcome::need_more;
      response_.body.assign(data.substr(scan_.body_start, body_length_));
      consumed_ = scan_.body_start + body_length_;
      return outcome::complete;
  }
}

http_response_parser::outcome http_response_parser::parse_status_line(std::string_view line) {
  // HTTP-version SP 3DIGIT SP [reason-phrase]
  auto sp = line.find(' ');
  if (sp == std::string_view::npos)
    return fail("Malformed HTTP status line");
  auto minor = http1_minor_version(line.substr(0, sp));
  auto code = line.substr(sp + 1, 3);
  if (minor < 0 || code.size() != 3 || code[0] < '1' || code[0] > '5' || code[1] < '0'
      || code[1] > '9' || code[2] < '0' || code[2] > '9'
      || (line.size() > sp + 4 && line[sp + 4] != ' '))
    return fail("Malformed HTTP status line");
  response_.status = (code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0');
  response_.keep_alive = minor >= 1;
  return outcome::complete;
}

http_response_parser::outcome http_response_parser::frame_body() {
  auto& res = response_;
  auto connection = res.header("connection");
  if (list_has(connection, "close"))
    res.keep_alive = false;
  else if (list_has(connection, "keep-alive"))
    res.keep_alive = true;
  body_length_ = 0;
  // RFC 9112 §6.3: no body for HEAD answers, 1xx, 204 and 304.
  if (no_body_ || res.status < 200 || res.status == 204 || res.status == 304) {
    phase_ = phase::fixed_body;
    return outcome::complete;
  }
  auto transfer = res.header("transfer-encoding");
  if (!transfer.empty()) {
    if (!iequals(transfer, "chunked"))
      return fail("HTTP response with an unsupported Transfer-Encoding '" + std::string{transfer}
                  + "'");
    phase_ = phase::chunked_body;
    chunks_.next = scan_.body_start;
    return outcome::complete;
  }
  auto length = res.header("content-length");
  if (length.empty()) {
    phase_ = phase::until_close;
    res.keep_alive = false;
    return outcome::complete;
  }
  if (!parse_decimal(length, body_length_))
    return fail("Malformed HTTP response: invalid Content-Length");
  if (body_length_ > limits_.max_body_bytes)
    return fail("HTTP response body is too large");
  phase_ = phase::fixed_body;
  return outcome::complete;
}

} // namespace certmint
