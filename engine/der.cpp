#include "engine/der.hpp"

#include "engine/time_format.hpp"

namespace certmint::der {

bool reader::next(element& out) {
  if (in_.empty() || failed_)
    return false;
  auto fail = [this] {
    failed_ = true;
    return false;
  };
  if (in_.size() < 2)
    return fail();
  auto tag = static_cast<uint8_t>(in_[0]);
  if ((tag & 0x1f) == 0x1f)
    return fail();
  size_t pos = 1;
  auto first = static_cast<uint8_t>(in_[pos++]);
  size_t length = 0;
  if (first < 0x80) {
    length = first;
  } else {
    // DER (X.690 §10.1) allows one encoding of a length: the short form
    // below 128, else the fewest octets, so no leading zero octet. What we
    // accept is copied into certificates verbatim and must stay DER.
    size_t count = first & 0x7f;
    if (count == 0 || count > 4 || in_.size() < pos + count || in_[pos] == 0)
      return fail();
    for (size_t i = 0; i < count; ++i)
      length = (length << 8) | static_cast<uint8_t>(in_[pos++]);
    if (length < 0x80)
      return fail();
  }
  if (length > in_.size() - pos)
    return fail();
  out.tag = tag;
  out.content = in_.substr(pos, length);
  out.whole = in_.substr(0, pos + length);
  in_.remove_prefix(pos + length);
  return true;
}

namespace {

bool well_framed_at(std::string_view bytes, int depth) {
  // Names and keys nest a few levels; a bound keeps hostile input from
  // recursing without end.
  constexpr int max_depth = 32;
  reader in{bytes};
  element e;
  while (in.next(e))
    if ((e.tag & 0x20) != 0 && (depth == max_depth || !well_framed_at(e.content, depth + 1)))
      return false;
  return !in.failed();
}

} // namespace

bool well_framed(std::string_view bytes) {
  return well_framed_at(bytes, 0);
}

void append_header(std::string& out, uint8_t tag, size_t length) {
  out.push_back(static_cast<char>(tag));
  if (length < 0x80) {
    out.push_back(static_cast<char>(length));
  } else {
    char bytes[8];
    int count = 0;
    for (auto n = length; n > 0; n >>= 8)
      bytes[count++] = static_cast<char>(n & 0xff);
    out.push_back(static_cast<char>(0x80 | count));
    while (count > 0)
      out.push_back(bytes[--count]);
  }
}

void append_tlv(std::string& out, uint8_t tag, std::string_view content) {
  append_header(out, tag, content.size());
  out.append(content);
}

std::string tlv(uint8_t tag, std::string_view content) {
  std::string out;
  out.reserve(content.size() + 6);
  append_tlv(out, tag, content);
  return out;
}

std::string sequence(std::initializer_list<std::string_view> parts) {
  size_t total = 0;
  for (auto part : parts)
    total += part.size();
  std::string out;
  out.reserve(total + 6);
  append_header(out, sequence_tag, total);
  for (auto part : parts)
    out.append(part);
  return out;
}

std::string unsigned_integer(std::string_view big_endian) {
  while (big_endian.size() > 1 && big_endian.front() == 0)
    big_endian.remove_prefix(1);
  std::string content;
  if (big_endian.empty() || (static_cast<uint8_t>(big_endian.front()) & 0x80))
    content.push_back(0);
  content.append(big_endian);
  return tlv(integer_tag, content);
}

// RFC 5280 §4.1.2.5: UTCTime YYMMDDHHMMSSZ through 2049, GeneralizedTime
// YYYYMMDDHHMMSSZ from 2050.
std::string time(int64_t unix_seconds) {
  auto f = utc_fields_of(unix_seconds);
  char text[16];
  size_t at = 0;
  auto put = [&](uint64_t value, int width) {
    for (int i = width - 1; i >= 0; --i) {
      text[at + static_cast<size_t>(i)] = static_cast<char>('0' + value % 10);
      value /= 10;
    }
    at += static_cast<size_t>(width);
  };
  bool utc_time = f.year < 2050;
  auto year = static_cast<uint64_t>(f.year < 0 ? 0 : f.year);
  put(utc_time ? year % 100 : year % 10000, utc_time ? 2 : 4);
  put(f.month, 2);
  put(f.day, 2);
  put(f.hour, 2);
  put(f.minute, 2);
  put(f.second, 2);
  text[at++] = 'Z';
  return tlv(utc_time ? utc_time_tag : generalized_time_tag, std::string_view{text, at});
}

} // namespace certmint::der
