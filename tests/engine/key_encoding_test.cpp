#include <catch2/catch.hpp>

#include <string>

#include <openssl/core_names.h>
#include <openssl/encoder.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "engine/key_encoding.hpp"
#include "engine/key_generator.hpp"
#include "engine/openssl_types.hpp"
#include "engine/pem.hpp"

using namespace certmint;

namespace {

// OpenSSL's own encoders are the reference: certmint must write the same
// bytes for every key it writes itself.
std::string openssl_encoding(EVP_PKEY* key, int selection, const char* structure) {
  openssl_ptr<OSSL_ENCODER_CTX, OSSL_ENCODER_CTX_free> ctx{
      OSSL_ENCODER_CTX_new_for_pkey(key, selection, "DER", structure, nullptr)};
  unsigned char* data = nullptr;
  size_t len = 0;
  if (!ctx || OSSL_ENCODER_to_data(ctx.get(), &data, &len) != 1)
    return {};
  std::string out(reinterpret_cast<char*>(data), len);
  OPENSSL_free(data);
  return out;
}

std::string openssl_spki(EVP_PKEY* key) {
  return openssl_encoding(key, EVP_PKEY_PUBLIC_KEY, "SubjectPublicKeyInfo");
}

std::string openssl_pkcs8(EVP_PKEY* key) {
  return openssl_encoding(key, EVP_PKEY_KEYPAIR, "PrivateKeyInfo");
}

std::string openssl_pkcs8_pem(EVP_PKEY* key) {
  bio_ptr bio{BIO_new(BIO_s_mem())};
  if (PEM_write_bio_PKCS8PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
    return {};
  char* data = nullptr;
  auto len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

void check_same_as_openssl(EVP_PKEY* key) {
  auto spki = public_key_to_der(key);
  REQUIRE_FALSE(spki.empty());
  CHECK(spki == openssl_spki(key));
  auto pkcs8 = private_key_to_pkcs8_der(key);
  REQUIRE_FALSE(pkcs8.empty());
  CHECK(pkcs8 == openssl_pkcs8(key));
  key_pair_der pair;
  key_pair_to_der(key, pair);
  CHECK(pair.public_key == spki);
  CHECK(pair.private_key == pkcs8);
  CHECK(pem_encode("PRIVATE KEY", pair.private_key) == openssl_pkcs8_pem(key));

  auto public_back = public_key_from_der(spki);
  REQUIRE(public_back);
  CHECK(EVP_PKEY_eq(public_back->get(), key) == 1);
  auto private_back = private_key_from_pkcs8_der(pkcs8);
  REQUIRE(private_back);
  CHECK(EVP_PKEY_eq(private_back->get(), key) == 1);
  CHECK(private_key_to_pkcs8_der(private_back->get()) == pkcs8);
}

size_t private_scalar_bytes(EVP_PKEY* key) {
  BIGNUM* scalar = nullptr;
  REQUIRE(EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_PRIV_KEY, &scalar) == 1);
  auto bytes = static_cast<size_t>(BN_num_bytes(scalar));
  BN_clear_free(scalar);
  return bytes;
}

} // namespace

TEST_CASE("key encodings are OpenSSL's, byte for byte, for every key type certmint makes",
          "[engine][key_encoding]") {
  struct batch {
    key_algorithm alg;
    int keys;
  };
  for (auto [alg, keys] : {batch{key_algorithm::ec_p256, 300}, batch{key_algorithm::ec_p384, 100},
                           batch{key_algorithm::ec_p521, 100}, batch{key_algorithm::rsa_2048, 2},
                           batch{key_algorithm::rsa_3072, 1}, batch{key_algorithm::rsa_4096, 1}}) {
    for (int i = 0; i < keys; ++i) {
      CAPTURE(to_string(alg), i);
      auto key = generate_key(alg);
      REQUIRE(key);
      check_same_as_openssl(key->get());
    }
  }
}

TEST_CASE("EC private scalars are padded to the group order's size", "[engine][key_encoding]") {
  // One P-256 scalar in 256 has a leading zero byte; a P-521 scalar is
  // shorter than the order's 66 bytes about half the time (521 bits).
  struct want {
    key_algorithm alg;
    size_t full_bytes;
  };
  for (auto [alg, full_bytes] :
       {want{key_algorithm::ec_p256, 32}, want{key_algorithm::ec_p521, 66}}) {
    CAPTURE(to_string(alg));
    bool found = false;
    for (int i = 0; i < 20000 && !found; ++i) {
      auto key = generate_key(alg);
      REQUIRE(key);
      if (private_scalar_bytes(key->get()) >= full_bytes)
        continue;
      found = true;
      check_same_as_openssl(key->get());
    }
    CHECK(found);
  }
}

TEST_CASE("compressed points and explicit curve parameters are written as OpenSSL writes them",
          "[engine][key_encoding]") {
  auto compressed = generate_key(key_algorithm::ec_p256);
  REQUIRE(compressed);
  REQUIRE(EVP_PKEY_set_utf8_string_param(compressed->get(),
                                         OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
                                         OSSL_PKEY_EC_POINT_CONVERSION_FORMAT_COMPRESSED)
          == 1);
  check_same_as_openssl(compressed->get());
  CHECK(public_key_to_der(compressed->get()).size() == 59); // a 33-byte point, not 65

  auto explicit_curve = generate_key(key_algorithm::ec_p384);
  REQUIRE(explicit_curve);
  REQUIRE(EVP_PKEY_set_utf8_string_param(explicit_curve->get(), OSSL_PKEY_PARAM_EC_ENCODING,
                                         OSSL_PKEY_EC_ENCODING_EXPLICIT)
          == 1);
  check_same_as_openssl(explicit_curve->get());
}

TEST_CASE("other key types are encoded by OpenSSL", "[engine][key_encoding]") {
  pkey_ptr ed25519{EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")};
  REQUIRE(ed25519);
  check_same_as_openssl(ed25519.get());
  pkey_ctx_ptr ctx{EVP_PKEY_CTX_new_from_name(nullptr, "RSA-PSS", nullptr)};
  EVP_PKEY* generated = nullptr;
  REQUIRE(ctx);
  REQUIRE(EVP_PKEY_keygen_init(ctx.get()) == 1);
  REQUIRE(EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), 2048) == 1);
  REQUIRE(EVP_PKEY_generate(ctx.get(), &generated) == 1);
  pkey_ptr rsa_pss{generated};
  check_same_as_openssl(rsa_pss.get());
}

TEST_CASE("a public key alone has no PKCS#8 encoding", "[engine][key_encoding]") {
  for (auto alg : {key_algorithm::ec_p256, key_algorithm::rsa_2048}) {
    CAPTURE(to_string(alg));
    auto key = generate_key(alg);
    REQUIRE(key);
    auto spki = public_key_to_der(key->get());
    auto public_only = public_key_from_der(spki);
    REQUIRE(public_only);
    CHECK(public_key_to_der(public_only->get()) == spki);
    CHECK(private_key_to_pkcs8_der(public_only->get()).empty());
    key_pair_der pair;
    key_pair_to_der(public_only->get(), pair);
    CHECK(pair.public_key == spki);
    CHECK(pair.private_key.empty());
  }
}

TEST_CASE("private keys in the key type's own DER still decode", "[engine][key_encoding]") {
  // CA keys sealed before certmint wrote PKCS#8 itself are what
  // i2d_PrivateKey writes: RSAPrivateKey or ECPrivateKey.
  for (auto alg : {key_algorithm::ec_p256, key_algorithm::rsa_2048}) {
    CAPTURE(to_string(alg));
    auto key = generate_key(alg);
    REQUIRE(key);
    unsigned char* data = nullptr;
    int len = i2d_PrivateKey(key->get(), &data);
    REQUIRE(len > 0);
    std::string legacy(reinterpret_cast<char*>(data), static_cast<size_t>(len));
    OPENSSL_free(data);
    CHECK(legacy != private_key_to_pkcs8_der(key->get()));
    auto back = private_key_from_pkcs8_der(legacy);
    REQUIRE(back);
    CHECK(EVP_PKEY_eq(back->get(), key->get()) == 1);
  }
}

TEST_CASE("malformed private key DER is refused", "[engine][key_encoding]") {
  auto key = generate_key(key_algorithm::ec_p256);
  REQUIRE(key);
  auto pkcs8 = private_key_to_pkcs8_der(key->get());
  for (size_t cut = 0; cut < pkcs8.size(); cut += 7) {
    CAPTURE(cut);
    CHECK_FALSE(private_key_from_pkcs8_der(pkcs8.substr(0, cut)));
  }
  CHECK_FALSE(private_key_from_pkcs8_der("not a key"));
  CHECK_FALSE(public_key_from_der(std::string(40, '\x30')));
}
