#pragma once

#include <string>
#include <string_view>

namespace certmint {

/// Lower-case hexadecimal rendering of bytes ("0a1b...").
std::string to_hex(std::string_view bytes);

/// Cryptographically secure random bytes (OpenSSL's DRBG).
std::string random_bytes(size_t count);

/// SHA-256 of the input, raw 32 bytes.
std::string sha256(std::string_view input);

} // namespace certmint
