#include "engine/ttl.hpp"

#include <cctype>
#include <string>

namespace certmint {

namespace {

bool unit_is(std::string_view unit, std::initializer_list<std::string_view> names) {
  for (auto name : names)
    if (unit == name)
      return true;
  return false;
}

} // namespace

result<int64_t> parse_ttl(std::string_view text) {
  auto quoted = "'" + std::string{text} + "'";
  size_t pos = 0;
  int64_t amount = 0;
  while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) {
    if (amount > max_ttl_seconds)
      return make_failure(errc::validation_failed,
                          "TTL " + quoted + " exceeds the maximum of 100 years");
    amount = amount * 10 + (text[pos] - '0');
    ++pos;
  }
  if (pos == 0)
    return make_failure(
        errc::validation_failed,
        "Invalid TTL " + quoted
            + ": expected a whole number followed by a unit, e.g. '90d', '12h', '1y'");
  while (pos < text.size() && text[pos] == ' ')
    ++pos;
  std::string unit;
  for (; pos < text.size(); ++pos)
    unit += static_cast<char>(std::tolower(static_cast<unsigned char>(text[pos])));
  int64_t factor = 0;
  if (unit.empty())
    return make_failure(errc::validation_failed,
                        "Invalid TTL " + quoted
                            + ": a unit is required (s, min, h, d, w, mo, y); a bare number is "
                              "ambiguous");
  if (unit == "m")
    return make_failure(errc::validation_failed,
                        "Invalid TTL " + quoted
                            + ": 'm' is ambiguous (minutes or months); use 'min' for minutes or "
                              "'mo' for 30-day months");
  if (unit_is(unit, {"s", "sec", "secs", "second", "seconds"}))
    factor = 1;
  else if (unit_is(unit, {"min", "mins", "minute", "minutes"}))
    factor = 60;
  else if (unit_is(unit, {"h", "hr", "hrs", "hour", "hours"}))
    factor = 3600;
  else if (unit_is(unit, {"d", "day", "days"}))
    factor = seconds_per_day;
  else if (unit_is(unit, {"w", "week", "weeks"}))
    factor = 7 * seconds_per_day;
  else if (unit_is(unit, {"mo", "month", "months"}))
    factor = 30 * seconds_per_day;
  else if (unit_is(unit, {"y", "yr", "yrs", "year", "years"}))
    factor = 365 * seconds_per_day;
  else
    return make_failure(errc::validation_failed, "Invalid TTL " + quoted + ": unknown unit '" + unit
                                                     + "' (use s, min, h, d, w, mo or y)");
  if (amount == 0)
    return make_failure(errc::validation_failed, "TTL " + quoted + " must be greater than zero");
  if (amount > max_ttl_seconds / factor)
    return make_failure(errc::validation_failed,
                        "TTL " + quoted + " exceeds the maximum of 100 years");
  return amount * factor;
}

} // namespace certmint
