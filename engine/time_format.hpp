#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace certmint {

/// Seconds since the Unix epoch, UTC.
int64_t unix_now();

/// ISO 8601 in the form JavaScript's Date#toISOString() prints
/// ("2026-11-22T05:43:51.000Z"), which Infisical clients parse.
std::string format_iso8601(int64_t unix_seconds);

/// Parses "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM[:SS[.fff]][Z|+HH:MM|-HH:MM]".
/// A date-time without an offset is read as UTC (JavaScript would use the
/// server's local zone; certmint servers run in UTC, and saying so is
/// clearer than depending on TZ). Fractions of a second are truncated.
std::optional<int64_t> parse_iso8601(std::string_view text);

} // namespace certmint
