#include "engine/identifiers.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>

#include "engine/hex.hpp"

namespace certmint {

namespace {

// CSPRNG output for identifiers, drawn from RAND_bytes a pool at a time:
// each RAND_bytes call takes the DRBG's lock and a fork check, and an
// issuance needs three identifiers. Every byte is used once, and wiped when
// taken. Secrets (tokens) do not come from here.
void identifier_bytes(char* out, size_t count) {
  constexpr size_t pool_size = 512;
  thread_local std::string pool;
  thread_local size_t used = pool_size;
  if (used + count > pool.size()) {
    pool = random_bytes(pool_size);
    used = 0;
  }
  std::memcpy(out, pool.data() + used, count);
  std::memset(pool.data() + used, 0, count);
  used += count;
}

// The last UUIDv7 clock this process used (see next_uuid_clock).
uint64_t advance_uuid_clock(uint64_t now_ms) {
  static std::atomic<uint64_t> last{0};
  auto previous = last.load(std::memory_order_relaxed);
  uint64_t next = 0;
  do {
    next = next_uuid_clock(previous, now_ms);
  } while (!last.compare_exchange_weak(previous, next, std::memory_order_relaxed));
  return next;
}

} // namespace

uint64_t next_uuid_clock(uint64_t last, uint64_t now_ms) {
  const uint64_t from_clock = now_ms << 12;
  if (from_clock > last)
    return from_clock;
  // The clock did not move, or stepped back a little: count on from the
  // last id. A clock that was far ahead and got corrected is followed
  // instead, or every id would carry the wrong time until the clock
  // caught up again.
  if (((last - from_clock) >> 12) > uuid_clock_tolerance_ms)
    return from_clock;
  return last + 1;
}

std::string make_uuid_v7() {
  auto ms = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                      std::chrono::system_clock::now().time_since_epoch())
                                      .count());
  auto clock = advance_uuid_clock(ms);
  unsigned char bytes[16];
  identifier_bytes(reinterpret_cast<char*>(bytes) + 8, 8);
  for (int i = 0; i < 6; ++i)
    bytes[i] = static_cast<unsigned char>((clock >> (12 + 8 * (5 - i))) & 0xff);
  bytes[6] = static_cast<unsigned char>(0x70 | ((clock >> 8) & 0x0f));
  bytes[7] = static_cast<unsigned char>(clock & 0xff);
  bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3f) | 0x80);
  static constexpr char digits[] = "0123456789abcdef";
  std::string out(36, '-');
  size_t at = 0;
  for (size_t i = 0; i < sizeof bytes; ++i) {
    if (at == 8 || at == 13 || at == 18 || at == 23)
      ++at;
    out[at++] = digits[bytes[i] >> 4];
    out[at++] = digits[bytes[i] & 0xf];
  }
  return out;
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
  std::string serial(20, '\0');
  identifier_bytes(serial.data(), serial.size());
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
