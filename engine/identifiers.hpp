#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace certmint {

/// A time-ordered UUID (RFC 9562 version 7): 48 bits of Unix milliseconds,
/// 12 bits counting the ids of that millisecond, then 62 random bits.
/// Lexicographic order of the text is the order in which this process made
/// the ids (within a millisecond too), which keeps RocksDB keys, pagination
/// and recovery scans in submission order.
std::string make_uuid_v7();

/// How far back the clock may step (ms) before ids follow it instead of
/// counting on from the last one.
inline constexpr uint64_t uuid_clock_tolerance_ms = 10000;

/// The first 60 bits of the next UUIDv7 (the 48-bit millisecond timestamp,
/// then 12 bits counting the ids of that millisecond, RFC 9562 §6.2 method
/// 1), given the last ones used and the clock. It is greater than `last`,
/// so ids sort in the order they were made: past 4096 ids in a millisecond,
/// or when the clock steps back by up to `uuid_clock_tolerance_ms`, the
/// timestamp runs ahead of the clock until the clock catches up. Only a
/// clock that steps back further is followed (and ordering lost once).
uint64_t next_uuid_clock(uint64_t last, uint64_t now_ms);

/// True for the canonical 8-4-4-4-12 hexadecimal form (any version).
bool is_uuid(std::string_view text);

/// Certificate serial number: 20 CSPRNG bytes with the top bit cleared, so
/// the DER INTEGER is positive and at most 20 octets (RFC 5280 §4.1.2.2),
/// carrying 159 bits of entropy. Returned as raw bytes.
std::string make_serial();

/// A fresh API token ("cm_" + 64 hex digits, 256 bits of entropy).
std::string make_api_token();

/// What we store for a token: hex SHA-256 of its text. Tokens carry 256 bits
/// of entropy, so an unsalted fast hash is sufficient.
std::string token_digest(std::string_view token);

} // namespace certmint
