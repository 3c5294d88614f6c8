#pragma once

#include <cstdint>
#include <string_view>

#include "engine/error.hpp"

namespace certmint {

inline constexpr int64_t seconds_per_day = 86400;

/// Longest validity a TTL may ask for (Infisical: 100 years).
inline constexpr int64_t max_ttl_seconds = int64_t{100} * 365 * seconds_per_day;

/// Parses a TTL such as "90d", "12h", "1y" into seconds.
///
/// Grammar: a positive integer, optional blanks, then a unit (case-
/// insensitive): s/sec/second(s), min/minute(s), h/hr/hour(s), d/day(s),
/// w/week(s), mo/month(s) (30 days), y/yr/year(s) (365 days).
///
/// Infisical reads the bare unit "m" as minutes when signing and as 30 days
/// when checking the policy, so "6m" means two very different certificates.
/// certmint refuses "m" (and a bare number, which the `ms` library reads as
/// milliseconds) instead of guessing, and names the unambiguous spellings.
/// Failures are errc::validation_failed with a message naming the TTL.
result<int64_t> parse_ttl(std::string_view text);

} // namespace certmint
