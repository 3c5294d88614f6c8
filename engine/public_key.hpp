#pragma once

// SubjectPublicKeyInfo handling on the DER bytes (see der.hpp for why).

#include <string>
#include <string_view>

#include "engine/algorithms.hpp"
#include "engine/error.hpp"
#include "engine/openssl_types.hpp"

namespace certmint {

/// Classifies a DER SubjectPublicKeyInfo; refuses unsupported key types,
/// RSA sizes and curves with Infisical's §5.5 messages ("... in <origin>").
result<key_algorithm> classify_spki(std::string_view spki, std::string_view origin);

/// A public EVP_PKEY for a classified SubjectPublicKeyInfo, built from its
/// components; an EC point is checked to lie on its curve.
result<pkey_ptr> load_spki(std::string_view spki, key_algorithm alg);

enum class signature_check { valid, invalid, undecodable_key };

/// Whether `signature` is valid over `digest` (made with `md`) for the key
/// of `ctx`, a context set up once and reused: how every CSR is checked.
bool verify_digest(EVP_PKEY_CTX* ctx, const EVP_MD* md, std::string_view digest,
                   std::string_view signature);

/// Checks `signature` over `digest` (made with `md`) against the public key
/// of a classified SubjectPublicKeyInfo, as load_spki decodes it. For EC keys
/// each thread reuses one key and context per curve, setting the point.
signature_check verify_spki_signature(std::string_view spki, key_algorithm alg, const EVP_MD* md,
                                      std::string_view digest, std::string_view signature);

/// RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits.
result<std::string> spki_key_identifier(std::string_view spki);

} // namespace certmint
