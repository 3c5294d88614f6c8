#pragma once

#include <string>
#include <string_view>

namespace certmint {

/// A time-ordered UUID (RFC 9562 version 7): 48 bits of Unix milliseconds,
/// 12 bits counting the ids of that millisecond, then 62 random bits.
/// Lexicographic order of the text is the order in which this process made
/// the ids (within a millisecond too), which keeps RocksDB keys, pagination
/// and recovery scans in submission order.
std::string make_uuid_v7();

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
