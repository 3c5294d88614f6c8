#include <catch2/catch.hpp>

#include <string>

#include <openssl/core_names.h>

#include "engine/key_encoding.hpp"
#include "engine/key_generator.hpp"

using namespace certmint;

TEST_CASE("generated keys are fresh and of the requested type", "[engine][key_generator]") {
  // The generation contexts are kept per thread: every key must still be new,
  // and each algorithm must keep its own curve or size.
  struct want {
    key_algorithm alg;
    const char* type;
    int bits;
  };
  for (auto [alg, type, bits] :
       {want{key_algorithm::ec_p256, "EC", 256}, want{key_algorithm::ec_p384, "EC", 384},
        want{key_algorithm::ec_p521, "EC", 521}, want{key_algorithm::rsa_2048, "RSA", 2048},
        want{key_algorithm::ec_p256, "EC", 256}}) {
    CAPTURE(to_string(alg));
    auto first = generate_key(alg);
    auto second = generate_key(alg);
    REQUIRE(first);
    REQUIRE(second);
    CHECK(EVP_PKEY_is_a(first->get(), type) == 1);
    CHECK(EVP_PKEY_get_bits(first->get()) == bits);
    CHECK(EVP_PKEY_get_bits(second->get()) == bits);
    CHECK(public_key_to_der(first->get()) != public_key_to_der(second->get()));
  }
}
