#include <catch2/catch.hpp>

#include <set>
#include <thread>
#include <vector>

#include <openssl/bn.h>

#include "engine/identifiers.hpp"

using namespace certmint;

TEST_CASE("serials are positive, 20 octets and distinct", "[engine][serial]") {
  std::set<std::string> seen;
  for (int i = 0; i < 2000; ++i) {
    auto serial = make_serial();
    REQUIRE(serial.size() == 20);
    auto first = static_cast<unsigned char>(serial[0]);
    CHECK((first & 0x80) == 0); // positive as a DER INTEGER
    CHECK(first != 0);          // no leading zero octet: exactly 20 octets, never zero
    CHECK(seen.insert(serial).second);
  }
}

TEST_CASE("UUIDv7 identifiers", "[engine][uuid]") {
  auto a = make_uuid_v7();
  CHECK(is_uuid(a));
  CHECK(a[14] == '7');
  CHECK((a[19] == '8' || a[19] == '9' || a[19] == 'a' || a[19] == 'b'));
  CHECK(a != make_uuid_v7());
  // Across many refills of the identifier pool: distinct, and the first 48
  // bits are the Unix time in milliseconds.
  auto now_ms = [] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
  auto before = now_ms();
  std::set<std::string> seen;
  for (int i = 0; i < 2000; ++i) {
    auto id = make_uuid_v7();
    REQUIRE(is_uuid(id));
    seen.insert(id);
    if (i == 1999) {
      auto hex = id.substr(0, 8) + id.substr(9, 4);
      auto ms = static_cast<int64_t>(std::stoull(hex, nullptr, 16));
      CHECK(ms >= before);
      CHECK(ms <= now_ms());
    }
  }
  CHECK(seen.size() == 2000);
  CHECK(is_uuid("01234567-89AB-cdef-0123-456789abcdef"));
  for (const char* bad :
       {"", "not-a-uuid", "01234567-89ab-cdef-0123-456789abcde",
        "01234567089ab-cdef-0123-456789abcdef", "0123456g-89ab-cdef-0123-456789abcdef"})
    CHECK_FALSE(is_uuid(bad));
}

TEST_CASE("UUIDv7 identifiers sort in the order they were made", "[engine][uuid]") {
  // Far more than one millisecond holds: the 12 bits after the timestamp
  // order the ids of one millisecond, and the order holds across threads.
  std::vector<std::string> mine;
  std::vector<std::string> theirs;
  std::thread other{[&theirs] {
    for (int i = 0; i < 20000; ++i)
      theirs.push_back(make_uuid_v7());
  }};
  mine.reserve(20000);
  for (int i = 0; i < 20000; ++i)
    mine.push_back(make_uuid_v7());
  other.join();
  for (const auto* ids : {&mine, &theirs})
    for (size_t i = 1; i < ids->size(); ++i)
      REQUIRE((*ids)[i - 1] < (*ids)[i]);
  std::set<std::string> all{mine.begin(), mine.end()};
  all.insert(theirs.begin(), theirs.end());
  CHECK(all.size() == 40000);
  // Made after both threads finished: after every one of them.
  auto last = make_uuid_v7();
  CHECK(last > mine.back());
  CHECK(last > theirs.back());
  CHECK(last[14] == '7');
}

TEST_CASE("the UUIDv7 clock counts within a millisecond and follows the clock", "[engine][uuid]") {
  const uint64_t ms = 1'780'000'000'000;
  // A new millisecond starts its count at zero.
  CHECK(next_uuid_clock(0, ms) == ms << 12);
  CHECK(next_uuid_clock((ms - 1) << 12 | 77, ms) == ms << 12);
  // The same millisecond counts on.
  CHECK(next_uuid_clock(ms << 12, ms) == (ms << 12) + 1);
  CHECK(next_uuid_clock(ms << 12 | 41, ms) == (ms << 12 | 42));
  // Past 4096 in one millisecond, the timestamp runs one ahead.
  CHECK(next_uuid_clock(ms << 12 | 0xfff, ms) == (ms + 1) << 12);
  // A small step back keeps the order; a large one is followed.
  CHECK(next_uuid_clock((ms + 500) << 12, ms) == ((ms + 500) << 12) + 1);
  CHECK(next_uuid_clock((ms + uuid_clock_tolerance_ms) << 12, ms)
        == ((ms + uuid_clock_tolerance_ms) << 12) + 1);
  CHECK(next_uuid_clock((ms + uuid_clock_tolerance_ms + 1) << 12, ms) == ms << 12);
  CHECK(next_uuid_clock((ms + 86'400'000) << 12, ms) == ms << 12);
}

TEST_CASE("API tokens are random and stored as digests", "[engine][token]") {
  auto token = make_api_token();
  CHECK(token.rfind("cm_", 0) == 0);
  CHECK(token.size() == 67);
  CHECK(token != make_api_token());
  CHECK(token_digest(token).size() == 64);
  CHECK(token_digest("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}
