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

/// RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits.
result<std::string> spki_key_identifier(std::string_view spki);

} // namespace certmint
