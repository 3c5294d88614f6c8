#pragma once

// SubjectPublicKeyInfo and PKCS#8 encodings of keys.
//
// OpenSSL 3.0 encodes a key through its provider encoders, and finding them
// (`OSSL_ENCODER_CTX_new_for_pkey`) costs ~650k instructions per call: more
// than an ECDSA P-256 signature, and a managed-key issuance needs two (the
// certificate's public key, the private key returned to the client). The
// keys certmint makes (RSA with two primes; EC on P-256, P-384 and P-521 by
// curve name) are written here from their components, byte for byte what
// OpenSSL writes (tests/engine/key_encoding_test.cpp compares the two); any
// other key is encoded by OpenSSL.

#include <string>
#include <string_view>

#include "engine/error.hpp"
#include "engine/openssl_types.hpp"

namespace certmint {

/// The SubjectPublicKeyInfo DER of a key's public half; empty when the key
/// cannot be encoded.
std::string public_key_to_der(EVP_PKEY* key);
result<pkey_ptr> public_key_from_der(std::string_view der);

/// The unencrypted PKCS#8 PrivateKeyInfo DER of a key pair; empty for a key
/// without its private half.
std::string private_key_to_pkcs8_der(EVP_PKEY* key);

/// Both encodings of a key pair, from one reading of the key: OpenSSL
/// converts an EC public point to affine coordinates (a field inversion,
/// ~45k instructions) every time the point is read. The private half is
/// wiped when this dies.
struct key_pair_der {
  std::string public_key;  ///< SubjectPublicKeyInfo
  std::string private_key; ///< PKCS#8 PrivateKeyInfo
  key_pair_der() = default;
  key_pair_der(const key_pair_der&) = delete;
  key_pair_der& operator=(const key_pair_der&) = delete;
  ~key_pair_der();
};
void key_pair_to_der(EVP_PKEY* key, key_pair_der& out);

/// A private key from PKCS#8 or from the key type's own DER structure
/// (RSAPrivateKey, ECPrivateKey): CA keys sealed before PKCS#8 was written
/// here are in the latter.
result<pkey_ptr> private_key_from_pkcs8_der(std::string_view der);

} // namespace certmint
