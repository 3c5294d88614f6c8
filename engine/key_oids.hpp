#pragma once

// Contents (without tag and length) of the OIDs that name certmint's key
// types, shared by the SubjectPublicKeyInfo reader and the key encoders.

#include <string_view>

namespace certmint::key_oid {

using namespace std::string_view_literals;

inline constexpr std::string_view rsa_encryption = "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x01"sv;
inline constexpr std::string_view ec_public_key = "\x2a\x86\x48\xce\x3d\x02\x01"sv;
inline constexpr std::string_view prime256v1 = "\x2a\x86\x48\xce\x3d\x03\x01\x07"sv;
inline constexpr std::string_view secp384r1 = "\x2b\x81\x04\x00\x22"sv;
inline constexpr std::string_view secp521r1 = "\x2b\x81\x04\x00\x23"sv;

} // namespace certmint::key_oid
