#include "engine/identifiers.hpp"

#include <chrono>
#include <cstdint>

#include "engine/hex.hpp"

namespace certmint {

std::string make_uuid_v7() {
  auto ms = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                      std::chrono::system_clock::now().time_since_epoch())
                                      .count());
  auto bytes = random_bytes(16);
  for (int i = 0; i < 6; ++i)
    bytes[static_cast<size_t>(i)] = static_cast<char>((ms >> (8 * (5 - i))) & 0xff);
  bytes[6] = static_cast<char>((static_cast<unsigned char>(bytes[6]) & 0x0f) | 0x70);
  bytes[8] = static_cast<char>((static_cast<unsigned char>(bytes[8]) & 0x3f) | 0x80);
  auto hex = to_hex(bytes);
  return hex.substr(0, 8) + '-' + hex.substr(8, 4) + '-' + hex.substr(12, 4) + '-'
         + hex.substr(16, 4) + '-' + hex.substr(20, 12);
}

bool is_uuid(std::string_view text) {
  if (text.size() != 36)
    return false;
  for (size_t i = 0; i < text.size(); ++i) {
    auto c = text[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-')
        return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  return true;
}

std::string make_serial() {
  auto serial = random_bytes(20);
  serial[0] = static_cast<char>(static_cast<unsigned char>(serial[0]) & 0x7f);
  // An all-zero leading byte would make the DER INTEGER shorter (and the
  // value could even be zero); force a non-zero first byte so every serial
  // is exactly 20 octets and never zero.
  if (serial[0] == 0)
    serial[0] = 1;
  return serial;
}

std::string make_api_token() {
  return "cm_" + to_hex(random_bytes(32));
}

std::string token_digest(std::string_view token) {
  return to_hex(sha256(token));
}

} // namespace certmint
