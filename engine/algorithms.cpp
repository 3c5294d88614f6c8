#include "engine/algorithms.hpp"

#include <string>

#include <openssl/core_names.h>

namespace certmint {

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

const EVP_MD* message_digest(hash_algorithm hash) {
  switch (hash) {
    case hash_algorithm::sha384:
      return EVP_sha384();
    case hash_algorithm::sha512:
      return EVP_sha512();
    default:
      return EVP_sha256();
  }
}

result<key_algorithm> classify_key(EVP_PKEY* key, std::string_view origin) {
  auto in = std::string{" in "} + std::string{origin};
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA: {
      auto bits = EVP_PKEY_get_bits(key);
      switch (bits) {
        case 2048:
          return key_algorithm::rsa_2048;
        case 3072:
          return key_algorithm::rsa_3072;
        case 4096:
          return key_algorithm::rsa_4096;
        default:
          return make_failure(errc::bad_request, "Unsupported RSA key size" + in + ": "
                                                     + std::to_string(bits)
                                                     + ". Supported: 2048, 3072, 4096");
      }
    }
    case EVP_PKEY_EC: {
      char curve[64] = {0};
      size_t len = 0;
      if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, curve, sizeof(curve),
                                         &len)
          != 1)
        return make_failure(errc::bad_request,
                            "Unsupported ECDSA curve" + in
                                + ": explicit curve parameters. Supported: P-256, P-384, P-521");
      std::string_view name{curve, len};
      if (name == "prime256v1" || name == "P-256")
        return key_algorithm::ec_p256;
      if (name == "secp384r1" || name == "P-384")
        return key_algorithm::ec_p384;
      if (name == "secp521r1" || name == "P-521")
        return key_algorithm::ec_p521;
      return make_failure(errc::bad_request, "Unsupported ECDSA curve" + in + ": "
                                                 + std::string{name}
                                                 + ". Supported: P-256, P-384, P-521");
    }
    default: {
      const char* type = OBJ_nid2sn(EVP_PKEY_get_base_id(key));
      return make_failure(errc::bad_request, "Unsupported key type" + in + ": "
                                                 + std::string{type ? type : "unknown"}
                                                 + ". Supported: RSA, ECDSA");
    }
  }
}

} // namespace certmint
