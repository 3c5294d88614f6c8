#include "engine/key_generator.hpp"

#include <array>
#include <string>

#include <openssl/core_names.h>

namespace certmint {

namespace {

pkey_ctx_ptr make_keygen_context(key_algorithm alg) {
  bool rsa = family_of(alg) == key_family::rsa;
  pkey_ctx_ptr ctx{EVP_PKEY_CTX_new_from_name(nullptr, rsa ? "RSA" : "EC", nullptr)};
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1)
    return {};
  size_t bits = alg == key_algorithm::rsa_4096   ? 4096
                : alg == key_algorithm::rsa_3072 ? 3072
                                                 : 2048;
  const char* curve = alg == key_algorithm::ec_p521   ? "P-521"
                      : alg == key_algorithm::ec_p384 ? "P-384"
                                                      : "P-256";
  OSSL_PARAM params[] = {
      rsa ? OSSL_PARAM_construct_size_t(OSSL_PKEY_PARAM_RSA_BITS, &bits)
          : OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, const_cast<char*>(curve),
                                             0),
      OSSL_PARAM_construct_end(),
  };
  if (EVP_PKEY_CTX_set_params(ctx.get(), params) != 1)
    return {};
  return ctx;
}

// One key generation context per thread and algorithm, kept for the keys
// that follow: a new EC context builds its curve's group from the name
// (~125k instructions, as much as making the key), and a context keeps the
// group it built for every later key.
EVP_PKEY_CTX* keygen_context(key_algorithm alg) {
  constexpr size_t slots = static_cast<size_t>(key_algorithm::ec_p521) + 1;
  thread_local std::array<pkey_ctx_ptr, slots> contexts; // indexed by key_algorithm's value
  auto& ctx = contexts.at(static_cast<size_t>(alg));
  if (!ctx)
    ctx = make_keygen_context(alg);
  return ctx.get();
}

} // namespace

result<pkey_ptr> generate_key(key_algorithm alg) {
  EVP_PKEY* key = nullptr;
  auto* ctx = keygen_context(alg);
  if (ctx == nullptr || EVP_PKEY_generate(ctx, &key) != 1)
    return make_failure(errc::internal, "key generation failed for " + std::string{to_string(alg)}
                                            + ": " + openssl_error_string());
  return pkey_ptr{key};
}

} // namespace certmint
