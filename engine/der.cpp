#include "engine/der.hpp"

#include <cstdio>
#include <ctime>

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
    size_t count = first & 0x7f;
    if (count == 0 || count > 4 || in_.size() < pos + count)
      return fail();
    for (size_t i = 0; i < count; ++i)
      length = (length << 8) | static_cast<uint8_t>(in_[pos++]);
  }
  if (length > in_.size() - pos)
    return fail();
  out.tag = tag;
  out.content = in_.substr(pos, length);
  out.whole = in_.substr(0, pos + length);
  in_.remove_prefix(pos + length);
  return true;
}

void append_tlv(std::string& out, uint8_t tag, std::string_view content) {
  out.push_back(static_cast<char>(tag));
  auto length = content.size();
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
  std::string content;
  content.reserve(total);
  for (auto part : parts)
    content.append(part);
  return tlv(sequence_tag, content);
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

std::string time(int64_t unix_seconds) {
  auto t = static_cast<time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  auto year = tm.tm_year + 1900;
  if (year < 2050) {
    std::snprintf(buf, sizeof(buf), "%02d%02d%02d%02d%02d%02dZ", year % 100, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return tlv(utc_time_tag, buf);
  }
  std::snprintf(buf, sizeof(buf), "%04d%02d%02d%02d%02d%02dZ", year, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec);
  return tlv(generalized_time_tag, buf);
}

} // namespace certmint::der
