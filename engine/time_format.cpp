#include "engine/time_format.hpp"

#include <chrono>

namespace certmint {

namespace {

// Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

// Writes `value` as `width` decimal digits at `out`.
void put_digits(char* out, uint64_t value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

bool digits(std::string_view text, size_t pos, size_t count, int& out) {
  if (pos + count > text.size())
    return false;
  out = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9')
      return false;
    out = out * 10 + (text[i] - '0');
  }
  return true;
}

bool leap(int y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

} // namespace

int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

utc_fields utc_fields_of(int64_t unix_seconds) {
  // Days and seconds of the day, flooring for times before 1970.
  auto days = unix_seconds / 86400;
  auto secs = unix_seconds % 86400;
  if (secs < 0) {
    secs += 86400;
    --days;
  }
  // civil_from_days (H. Hinnant), the inverse of days_from_civil.
  const int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  utc_fields out;
  out.day = doy - (153 * mp + 2) / 5 + 1;
  out.month = mp < 10 ? mp + 3 : mp - 9;
  out.year = static_cast<int64_t>(yoe) + era * 400 + (out.month <= 2 ? 1 : 0);
  out.hour = static_cast<unsigned>(secs / 3600);
  out.minute = static_cast<unsigned>(secs / 60 % 60);
  out.second = static_cast<unsigned>(secs % 60);
  return out;
}

std::string format_iso8601(int64_t unix_seconds) {
  auto f = utc_fields_of(unix_seconds);
  std::string out = "0000-00-00T00:00:00.000Z";
  put_digits(out.data(), static_cast<uint64_t>(f.year < 0 ? 0 : f.year % 10000), 4);
  put_digits(out.data() + 5, f.month, 2);
  put_digits(out.data() + 8, f.day, 2);
  put_digits(out.data() + 11, f.hour, 2);
  put_digits(out.data() + 14, f.minute, 2);
  put_digits(out.data() + 17, f.second, 2);
  return out;
}

std::optional<int64_t> parse_iso8601(std::string_view text) {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!digits(text, 0, 4, year) || text.size() < 10 || text[4] != '-' || text[7] != '-'
      || !digits(text, 5, 2, month) || !digits(text, 8, 2, day))
    return std::nullopt;
  static constexpr int month_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1
      || day > month_days[month - 1] + (month == 2 && leap(year) ? 1 : 0))
    return std::nullopt;
  size_t pos = 10;
  int64_t offset = 0;
  if (pos < text.size()) {
    if (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ')
      return std::nullopt;
    if (!digits(text, pos + 1, 2, hour) || text.size() < pos + 6 || text[pos + 3] != ':'
        || !digits(text, pos + 4, 2, minute))
      return std::nullopt;
    pos += 6;
    if (pos < text.size() && text[pos] == ':') {
      if (!digits(text, pos + 1, 2, second))
        return std::nullopt;
      pos += 3;
      if (pos < text.size() && text[pos] == '.') {
        ++pos;
        auto start = pos;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9')
          ++pos;
        if (pos == start)
          return std::nullopt;
      }
    }
    if (hour > 23 || minute > 59 || second > 59)
      return std::nullopt;
    if (pos < text.size()) {
      if (text[pos] == 'Z' || text[pos] == 'z') {
        ++pos;
      } else if (text[pos] == '+' || text[pos] == '-') {
        int oh = 0, om = 0;
        if (!digits(text, pos + 1, 2, oh) || text.size() < pos + 6 || text[pos + 3] != ':'
            || !digits(text, pos + 4, 2, om) || oh > 23 || om > 59)
          return std::nullopt;
        offset = (text[pos] == '+' ? 1 : -1) * (int64_t{oh} * 3600 + int64_t{om} * 60);
        pos += 6;
      }
    }
  }
  if (pos != text.size())
    return std::nullopt;
  return days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * 86400
         + int64_t{hour} * 3600 + int64_t{minute} * 60 + second - offset;
}

} // namespace certmint
