#pragma once

// An independent check that bytes are DER as far as framing goes (X.690
// §10.1: definite lengths in their shortest form, low tag numbers), through
// every constructed element. Fuzz targets hold what certmint reads and
// copies into certificates to it; it shares no code with engine/der so
// that a bug in one is not hidden by the same bug in the other.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace certmint::fuzz {

/// The header of the element at the start of `bytes`, if it is DER: its
/// size and the content length it announces (which may exceed `bytes`).
inline bool der_header(std::string_view bytes, size_t& header, size_t& length) {
  if (bytes.size() < 2)
    return false;
  auto tag = static_cast<uint8_t>(bytes[0]);
  auto first = static_cast<uint8_t>(bytes[1]);
  if ((tag & 0x1f) == 0x1f || first == 0x80)
    return false;
  header = 2;
  length = first;
  if (first > 0x80) {
    size_t count = first & 0x7fu;
    if (count > sizeof(size_t) || bytes.size() < 2 + count || bytes[2] == 0)
      return false;
    length = 0;
    for (size_t i = 0; i < count; ++i)
      length = (length << 8) | static_cast<uint8_t>(bytes[2 + i]);
    if (length < 0x80)
      return false;
    header += count;
  }
  return true;
}

inline bool strictly_der(std::string_view bytes, int depth = 0) {
  if (depth > 64)
    return false;
  while (!bytes.empty()) {
    size_t header = 0;
    size_t length = 0;
    if (!der_header(bytes, header, length) || length > bytes.size() - header)
      return false;
    if ((static_cast<uint8_t>(bytes[0]) & 0x20) != 0
        && !strictly_der(bytes.substr(header, length), depth + 1))
      return false;
    bytes.remove_prefix(header + length);
  }
  return true;
}

} // namespace certmint::fuzz
