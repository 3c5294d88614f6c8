#include "gateway/http_message.hpp"

#include <charconv>
#include <ctime>

namespace certmint {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

// RFC 9110 §5.6.7 IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT". Made
// once per second per thread: responses are sent many times a second.
std::string_view http_date() {
  thread_local std::time_t cached_second = 0;
  thread_local char text[40] = {};
  thread_local size_t length = 0;
  auto now = std::time(nullptr);
  if (now != cached_second) {
    std::tm utc{};
    gmtime_r(&now, &utc);
    length = std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &utc);
    cached_second = now;
  }
  return {text, length};
}

void append_number(std::string& out, size_t value) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
  out.append(digits, static_cast<size_t>(end - digits));
}

} // namespace

std::string_view find_header(const http_headers& headers, std::string_view lower_name) {
  for (const auto& [name, value] : headers)
    if (name == lower_name)
      return value;
  return {};
}

bool http_request::has_query(std::string_view name) const {
  for (const auto& [key, value] : query)
    if (key == name)
      return true;
  return false;
}

std::string http_request::query_value(std::string_view name) const {
  for (const auto& [key, value] : query)
    if (key == name)
      return value;
  return {};
}

std::string_view reason_phrase(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 411:
      return "Length Required";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 417:
      return "Expectation Failed";
    case 422:
      return "Unprocessable Content";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return status < 400 ? "OK" : status < 500 ? "Client Error" : "Server Error";
  }
}

void serialize_response(const http_response& res, bool keep_alive, bool head, std::string& out) {
  auto reason = reason_phrase(res.status);
  out.reserve(out.size() + 160 + res.content_type.size() + (head ? 0 : res.body.size()));
  out.append("HTTP/1.1 ");
  append_number(out, static_cast<size_t>(res.status));
  out.push_back(' ');
  out.append(reason);
  out.append("\r\nDate: ");
  out.append(http_date());
  if (!res.content_type.empty()) {
    out.append("\r\nContent-Type: ");
    out.append(res.content_type);
  }
  out.append("\r\nContent-Length: ");
  append_number(out, res.body.size());
  for (const auto& [name, value] : res.headers) {
    out.append("\r\n");
    out.append(name);
    out.append(": ");
    out.append(value);
  }
  if (!keep_alive)
    out.append("\r\nConnection: close");
  out.append("\r\n\r\n");
  if (!head)
    out.append(res.body);
}

bool percent_decode(std::string_view text, bool plus_is_space, std::string& out) {
  out.clear();
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size())
        return false;
      int hi = hex_value(text[i + 1]);
      int lo = hex_value(text[i + 2]);
      if (hi < 0 || lo < 0)
        return false;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return true;
}

bool parse_query_string(std::string_view text,
                        std::vector<std::pair<std::string, std::string>>& out) {
  while (!text.empty()) {
    auto amp = text.find('&');
    auto pair = text.substr(0, amp);
    text = amp == std::string_view::npos ? std::string_view{} : text.substr(amp + 1);
    if (pair.empty())
      continue;
    auto eq = pair.find('=');
    std::string key;
    std::string value;
    if (!percent_decode(pair.substr(0, eq), true, key))
      return false;
    if (eq != std::string_view::npos && !percent_decode(pair.substr(eq + 1), true, value))
      return false;
    out.emplace_back(std::move(key), std::move(value));
  }
  return true;
}

} // namespace certmint
