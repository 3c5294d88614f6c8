#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace certmint {

/// Seconds since the Unix epoch, UTC.
int64_t unix_now();

/// The UTC calendar fields of a Unix time (proleptic Gregorian).
struct utc_fields {
  int64_t year = 1970;
  unsigned month = 1; ///< 1..12
  unsigned day = 1;   ///< 1..31
  unsigned hour = 0;
  unsigned minute = 0;
  unsigned second = 0;
};

/// Pure arithmetic (no gmtime_r, which takes the time-zone lock).
utc_fields utc_fields_of(int64_t unix_seconds);

/// ISO 8601 in the form JavaScript's Date#toISOString() prints
/// ("2026-11-22T05:43:51.000Z"), which Infisical clients parse.
std::string format_iso8601(int64_t unix_seconds);

/// Parses "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM[:SS[.fff]][Z|+HH:MM|-HH:MM]".
/// A date-time without an offset is read as UTC (JavaScript would use the
/// server's local zone; certmint servers run in UTC, and saying so is
/// clearer than depending on TZ). Fractions of a second are truncated.
std::optional<int64_t> parse_iso8601(std::string_view text);

} // namespace certmint
