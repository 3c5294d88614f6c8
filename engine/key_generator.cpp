#include "engine/key_generator.hpp"

#include <string>

namespace certmint {

result<pkey_ptr> generate_key(key_algorithm alg) {
  EVP_PKEY* key = nullptr;
  switch (alg) {
    case key_algorithm::rsa_2048:
      key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048});
      break;
    case key_algorithm::rsa_3072:
      key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{3072});
      break;
    case key_algorithm::rsa_4096:
      key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{4096});
      break;
    case key_algorithm::ec_p256:
      key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
      break;
    case key_algorithm::ec_p384:
      key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384");
      break;
    case key_algorithm::ec_p521:
      key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-521");
      break;
  }
  if (key == nullptr)
    return make_failure(errc::internal, "key generation failed for " + std::string{to_string(alg)}
                                            + ": " + openssl_error_string());
  return pkey_ptr{key};
}

} // namespace certmint
