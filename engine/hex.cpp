#include "engine/hex.hpp"

#include "engine/algorithms.hpp"

#include <cstdio>
#include <cstdlib>

#include <openssl/evp.h>
#include <openssl/rand.h>

namespace certmint {

std::string to_hex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.resize(bytes.size() * 2);
  for (size_t i = 0; i < bytes.size(); ++i) {
    auto byte = static_cast<unsigned char>(bytes[i]);
    out[2 * i] = digits[byte >> 4];
    out[2 * i + 1] = digits[byte & 0x0f];
  }
  return out;
}

std::string random_bytes(size_t count) {
  std::string out(count, '\0');
  // A failing DRBG means the process cannot issue anything safely (serials,
  // keys and tokens all come from here); stopping is the only safe answer.
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(count)) != 1) {
    std::fputs("certmint: OpenSSL RAND_bytes failed, aborting\n", stderr);
    std::abort();
  }
  return out;
}

std::string sha256(std::string_view input) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(input.data(), input.size(), digest, &len, message_digest(hash_algorithm::sha256),
             nullptr);
  return std::string(reinterpret_cast<char*>(digest), len);
}

} // namespace certmint
