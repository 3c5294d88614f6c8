#include <catch2/catch.hpp>

#include <ctime>
#include <vector>

#include "engine/time_format.hpp"
#include "engine/ttl.hpp"

using namespace certmint;

TEST_CASE("TTL grammar", "[engine][ttl]") {
  CHECK(*parse_ttl("90d") == 90 * seconds_per_day);
  CHECK(*parse_ttl("12h") == 12 * int64_t{3600});
  CHECK(*parse_ttl("1y") == 365 * seconds_per_day);
  CHECK(*parse_ttl("30s") == 30);
  CHECK(*parse_ttl("15min") == 900);
  CHECK(*parse_ttl("6mo") == 180 * seconds_per_day);
  CHECK(*parse_ttl("2w") == 14 * seconds_per_day);
  CHECK(*parse_ttl("3 days") == 3 * seconds_per_day);
  CHECK(*parse_ttl("1H") == 3600);
  CHECK(*parse_ttl("100y") == max_ttl_seconds);
}

TEST_CASE("TTLs that are ambiguous or malformed are refused", "[engine][ttl][malformed]") {
  auto message = [](const char* text) {
    auto ttl = parse_ttl(text);
    REQUIRE_FALSE(ttl);
    CHECK(ttl.error().code == errc::validation_failed);
    return ttl.error().message;
  };
  CHECK(message("6m")
        == "Invalid TTL '6m': 'm' is ambiguous (minutes or months); use 'min' "
           "for minutes or 'mo' for 30-day months");
  CHECK(message("3600")
        == "Invalid TTL '3600': a unit is required (s, min, h, d, w, mo, y); a "
           "bare number is ambiguous");
  CHECK(message("0d") == "TTL '0d' must be greater than zero");
  CHECK(message("101y") == "TTL '101y' exceeds the maximum of 100 years");
  CHECK(message("99999999999999999999d")
        == "TTL '99999999999999999999d' exceeds the maximum of "
           "100 years");
  CHECK(message("").rfind("Invalid TTL '': expected a whole number", 0) == 0);
  CHECK(message("d").rfind("Invalid TTL 'd': expected a whole number", 0) == 0);
  CHECK(message("-5d").rfind("Invalid TTL '-5d'", 0) == 0);
  CHECK(message("1.5h").rfind("Invalid TTL '1.5h': unknown unit", 0) == 0);
  CHECK(message("5 fortnights")
        == "Invalid TTL '5 fortnights': unknown unit 'fortnights' (use "
           "s, min, h, d, w, mo or y)");
}

TEST_CASE("ISO 8601 dates", "[engine][time]") {
  CHECK(*parse_iso8601("1970-01-01") == 0);
  CHECK(*parse_iso8601("2026-11-22T05:43:51Z") == 1795326231);
  CHECK(*parse_iso8601("2026-11-22T05:43:51.123Z") == 1795326231);
  CHECK(*parse_iso8601("2026-11-22T07:43:51+02:00") == 1795326231);
  CHECK(*parse_iso8601("2026-11-22T05:43") == 1795326180);
  CHECK(*parse_iso8601("2024-02-29") == 1709164800);
  CHECK(format_iso8601(1795326231) == "2026-11-22T05:43:51.000Z");
  for (const char* bad :
       {"", "2026", "2026-13-01", "2025-02-29", "2026-11-22T25:00:00Z", "2026-11-22T05:43:51+2",
        "2026-11-22X", "yesterday", "2026-11-22T05:43:51.Z", "2026-11-22T05:43:51Zjunk"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_iso8601(bad));
  }
}

TEST_CASE("UTC calendar fields agree with gmtime_r", "[engine][time]") {
  std::vector<int64_t> times = {0,          -1,
                                -86400,     951782400 /* 2000-02-29 */,
                                1709164800, 2524607999 /* 2049-12-31T23:59:59 */,
                                2524608000, 253402300799 /* 9999-12-31T23:59:59 */};
  for (int64_t t = -5000000000; t < 5000000000; t += 86399 * 37 + 13)
    times.push_back(t);
  for (auto t : times) {
    CAPTURE(t);
    auto f = utc_fields_of(t);
    auto tt = static_cast<time_t>(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    CHECK(f.year == tm.tm_year + 1900);
    CHECK(f.month == static_cast<unsigned>(tm.tm_mon + 1));
    CHECK(f.day == static_cast<unsigned>(tm.tm_mday));
    CHECK(f.hour == static_cast<unsigned>(tm.tm_hour));
    CHECK(f.minute == static_cast<unsigned>(tm.tm_min));
    CHECK(f.second == static_cast<unsigned>(tm.tm_sec));
  }
  CHECK(format_iso8601(951782400 + 3723) == "2000-02-29T01:02:03.000Z");
}
