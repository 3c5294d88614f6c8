#pragma once

#include <optional>
#include <string_view>

#include <openssl/evp.h>

#include "engine/error.hpp"

namespace certmint {

/// Key algorithms, named on the wire as in Infisical (`RSA_2048`, ...).
enum class key_algorithm : uint8_t {
  rsa_2048 = 1,
  rsa_3072 = 2,
  rsa_4096 = 3,
  ec_p256 = 4,
  ec_p384 = 5,
  ec_p521 = 6,
};

enum class key_family : uint8_t { rsa, ecdsa };
enum class hash_algorithm : uint8_t { sha256 = 1, sha384 = 2, sha512 = 3 };

/// A signature algorithm as named on the wire (`RSA-SHA256`, `ECDSA-SHA384`).
struct signature_algorithm {
  key_family family = key_family::ecdsa;
  hash_algorithm hash = hash_algorithm::sha256;
  friend bool operator==(signature_algorithm a, signature_algorithm b) {
    return a.family == b.family && a.hash == b.hash;
  }
};

std::string_view to_string(key_algorithm alg);
std::string_view to_string(signature_algorithm alg);
std::string_view to_string(key_family family);
std::optional<key_algorithm> parse_key_algorithm(std::string_view name);
std::optional<signature_algorithm> parse_signature_algorithm(std::string_view name);

key_family family_of(key_algorithm alg);

/// The hash a CA signs with when the request names none (Infisical §7.1):
/// RSA and P-256 use SHA-256, P-384 SHA-384, P-521 SHA-512.
hash_algorithm default_hash(key_algorithm ca_alg);

/// The DER AlgorithmIdentifier of a signature algorithm, as certmint writes
/// it into certificates and as common tools write it into CSRs: ECDSA
/// without parameters (RFC 5758), RSA PKCS#1 v1.5 with NULL parameters
/// (RFC 4055). Encoded once for the process.
std::string_view signature_algorithm_der(signature_algorithm alg);

/// The digest of a hash, fetched once for the process.
const EVP_MD* message_digest(hash_algorithm hash);

/// SHA-1, fetched once: for key identifiers and fingerprints only.
const EVP_MD* sha1_digest();

} // namespace certmint
