#include "gateway/json_writer.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <cmath>
#include <cstdio>
#include <cstring>

#include "engine/pem.hpp"

namespace certmint {

namespace {

#if defined(__SSE2__)
// Bit k set where byte k of `v` needs an escape.
unsigned escape_mask(__m128i v) {
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i space = _mm_set1_epi8(0x20);
  // Unsigned v >= 0x20 where max(v, 0x20) == v.
  auto printable = _mm_cmpeq_epi8(_mm_max_epu8(v, space), v);
  auto special = _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash));
  return static_cast<unsigned>(
      _mm_movemask_epi8(_mm_or_si128(special, _mm_xor_si128(printable, _mm_set1_epi8(-1)))));
}
#else
bool needs_escape(unsigned char c) {
  return c < 0x20 || c == '"' || c == '\\';
}
#endif

// The index of the first byte at or after `i` that JSON must escape, or
// text.size(). Sixteen bytes a step where SSE2 is there (every x86-64); the
// last, shorter step on a padded copy, because most strings written are
// member names and ids shorter than sixteen bytes, and a byte-by-byte loop
// over them was a third of a poll answer's JSON.
size_t next_escape(std::string_view text, size_t i) {
#if defined(__SSE2__)
  for (; i + 16 <= text.size(); i += 16)
    if (auto mask = escape_mask(_mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + i))))
      return i + static_cast<size_t>(__builtin_ctz(mask));
  if (i < text.size()) {
    char tail[16];
    std::memset(tail, 'a', sizeof tail); // needs no escape
    std::memcpy(tail, text.data() + i, text.size() - i);
    if (auto mask = escape_mask(_mm_loadu_si128(reinterpret_cast<const __m128i*>(tail))))
      return i + static_cast<size_t>(__builtin_ctz(mask));
  }
  return text.size();
#else
  for (; i < text.size(); ++i)
    if (needs_escape(static_cast<unsigned char>(text[i])))
      return i;
  return text.size();
#endif
}

} // namespace

namespace {

// `text` escaped for the inside of a JSON string (no quotes).
void append_escaped(std::string& out, std::string_view text) {
  static constexpr char hex[] = "0123456789abcdef";
  // Runs that need no escape are copied at once: certificate PEMs (most of
  // every issuance and poll answer) escape only their line breaks.
  size_t run = 0;
  for (auto i = next_escape(text, 0); i < text.size(); i = next_escape(text, run)) {
    out.append(text.data() + run, i - run);
    run = i + 1;
    auto c = static_cast<unsigned char>(text[i]);
    switch (c) {
      case '"':
        out.append("\\\"", 2);
        break;
      case '\\':
        out.append("\\\\", 2);
        break;
      case '\n':
        out.append("\\n", 2);
        break;
      case '\r':
        out.append("\\r", 2);
        break;
      case '\t':
        out.append("\\t", 2);
        break;
      default:
        out.append("\\u00", 4);
        out.push_back(hex[(c >> 4) & 0xf]);
        out.push_back(hex[c & 0xf]);
    }
  }
  out.append(text.data() + run, text.size() - run);
}

} // namespace

void append_json_string(std::string& out, std::string_view text) {
  out.push_back('"');
  append_escaped(out, text);
  out.push_back('"');
}

void json_writer::separate() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!first_.empty()) {
    if (!first_.back())
      out_.push_back(',');
    first_.back() = 0;
  }
}

json_writer& json_writer::begin_object() {
  separate();
  out_.push_back('{');
  first_.push_back(1);
  return *this;
}

json_writer& json_writer::end_object() {
  out_.push_back('}');
  first_.pop_back();
  return *this;
}

json_writer& json_writer::begin_array() {
  separate();
  out_.push_back('[');
  first_.push_back(1);
  return *this;
}

json_writer& json_writer::end_array() {
  out_.push_back(']');
  first_.pop_back();
  return *this;
}

json_writer& json_writer::key(std::string_view name) {
  separate();
  append_json_string(out_, name);
  out_.push_back(':');
  after_key_ = true;
  return *this;
}

json_writer& json_writer::value(std::string_view text) {
  separate();
  append_json_string(out_, text);
  return *this;
}

json_writer& json_writer::value(int64_t number) {
  separate();
  out_ += std::to_string(number);
  return *this;
}

json_writer& json_writer::value(bool flag) {
  separate();
  out_ += flag ? "true" : "false";
  return *this;
}

json_writer& json_writer::value(double number) {
  separate();
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.6g", std::isfinite(number) ? number : 0.0);
  out_ += buf;
  return *this;
}

json_writer& json_writer::null() {
  separate();
  out_ += "null";
  return *this;
}

json_writer& json_writer::string_or_null(std::string_view text) {
  return text.empty() ? null() : value(text);
}

json_writer& json_writer::raw(std::string_view json) {
  separate();
  out_ += json;
  return *this;
}

json_writer& json_writer::pem(std::string_view label, std::string_view der) {
  separate();
  out_.push_back('"');
  append_pem(out_, label, der, "\\n");
  out_.push_back('"');
  return *this;
}

json_writer& json_writer::concatenation(const std::vector<std::string>& parts, size_t count) {
  separate();
  out_.push_back('"');
  for (size_t i = 0; i < count && i < parts.size(); ++i)
    append_escaped(out_, parts[i]);
  out_.push_back('"');
  return *this;
}

json_writer& json_writer::string_array(const std::vector<std::string_view>& items) {
  begin_array();
  for (auto item : items)
    value(item);
  return end_array();
}

} // namespace certmint
