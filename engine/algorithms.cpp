#include "engine/algorithms.hpp"

#include <array>
#include <string>

#include "engine/der.hpp"

namespace certmint {

using namespace std::string_view_literals;

std::string_view to_string(key_algorithm alg) {
  switch (alg) {
    case key_algorithm::rsa_2048:
      return "RSA_2048";
    case key_algorithm::rsa_3072:
      return "RSA_3072";
    case key_algorithm::rsa_4096:
      return "RSA_4096";
    case key_algorithm::ec_p256:
      return "EC_prime256v1";
    case key_algorithm::ec_p384:
      return "EC_secp384r1";
    case key_algorithm::ec_p521:
      return "EC_secp521r1";
  }
  return "unknown";
}

std::string_view to_string(key_family family) {
  return family == key_family::rsa ? "RSA" : "ECDSA";
}

std::string_view to_string(signature_algorithm alg) {
  if (alg.family == key_family::rsa) {
    switch (alg.hash) {
      case hash_algorithm::sha256:
        return "RSA-SHA256";
      case hash_algorithm::sha384:
        return "RSA-SHA384";
      case hash_algorithm::sha512:
        return "RSA-SHA512";
    }
  }
  switch (alg.hash) {
    case hash_algorithm::sha256:
      return "ECDSA-SHA256";
    case hash_algorithm::sha384:
      return "ECDSA-SHA384";
    case hash_algorithm::sha512:
      return "ECDSA-SHA512";
  }
  return "unknown";
}

std::optional<key_algorithm> parse_key_algorithm(std::string_view name) {
  for (auto alg : {key_algorithm::rsa_2048, key_algorithm::rsa_3072, key_algorithm::rsa_4096,
                   key_algorithm::ec_p256, key_algorithm::ec_p384, key_algorithm::ec_p521})
    if (to_string(alg) == name)
      return alg;
  return std::nullopt;
}

std::optional<signature_algorithm> parse_signature_algorithm(std::string_view name) {
  for (auto family : {key_family::rsa, key_family::ecdsa})
    for (auto hash : {hash_algorithm::sha256, hash_algorithm::sha384, hash_algorithm::sha512}) {
      signature_algorithm alg{family, hash};
      if (to_string(alg) == name)
        return alg;
    }
  return std::nullopt;
}

key_family family_of(key_algorithm alg) {
  switch (alg) {
    case key_algorithm::rsa_2048:
    case key_algorithm::rsa_3072:
    case key_algorithm::rsa_4096:
      return key_family::rsa;
    default:
      return key_family::ecdsa;
  }
}

hash_algorithm default_hash(key_algorithm ca_alg) {
  switch (ca_alg) {
    case key_algorithm::ec_p384:
      return hash_algorithm::sha384;
    case key_algorithm::ec_p521:
      return hash_algorithm::sha512;
    default:
      return hash_algorithm::sha256;
  }
}

std::string_view signature_algorithm_der(signature_algorithm alg) {
  // Indexed by family (RSA, ECDSA), then by hash (SHA-256/384/512).
  static const auto encoded = [] {
    std::array<std::array<std::string, 3>, 2> out;
    constexpr char rsa_last[] = {0x0b, 0x0c, 0x0d};   // sha256/384/512WithRSAEncryption
    constexpr char ecdsa_last[] = {0x02, 0x03, 0x04}; // ecdsa-with-SHA256/384/512
    for (size_t hash = 0; hash < 3; ++hash) {
      std::string rsa{"\x2a\x86\x48\x86\xf7\x0d\x01\x01"sv};
      rsa.push_back(rsa_last[hash]);
      out[0][hash] = der::sequence({der::tlv(der::oid_tag, rsa), der::tlv(der::null_tag, "")});
      std::string ecdsa{"\x2a\x86\x48\xce\x3d\x04\x03"sv};
      ecdsa.push_back(ecdsa_last[hash]);
      out[1][hash] = der::sequence({der::tlv(der::oid_tag, ecdsa)});
    }
    return out;
  }();
  return encoded[alg.family == key_family::rsa ? 0 : 1][static_cast<size_t>(alg.hash) - 1];
}

const EVP_MD* message_digest(hash_algorithm hash) {
  // Fetched once. EVP_sha256() and friends are legacy placeholders that make
  // every EVP_DigestInit/SignInit fetch the implementation again (a
  // property-query lookup under a lock). Kept for the life of the process
  // (OPENSSL_cleanup tears the library down at exit), so never freed.
  static const EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
  static const EVP_MD* const sha384 = EVP_MD_fetch(nullptr, "SHA2-384", nullptr);
  static const EVP_MD* const sha512 = EVP_MD_fetch(nullptr, "SHA2-512", nullptr);
  switch (hash) {
    case hash_algorithm::sha384:
      return sha384;
    case hash_algorithm::sha512:
      return sha512;
    default:
      return sha256;
  }
}

const EVP_MD* sha1_digest() {
  static const EVP_MD* const sha1 = EVP_MD_fetch(nullptr, "SHA1", nullptr);
  return sha1;
}

} // namespace certmint
