#include <catch2/catch.hpp>

#include <openssl/x509.h>

#include "engine/der.hpp"
#include "engine/hex.hpp"
#include "engine/key_generator.hpp"
#include "engine/openssl_types.hpp"
#include "engine/key_encoding.hpp"
#include "engine/public_key.hpp"
#include "tests/support/test_pki.hpp"

using namespace certmint;
using namespace std::string_view_literals;

TEST_CASE("DER writer encodings", "[engine][der]") {
  CHECK(to_hex(der::tlv(0x04, "ab")) == "04026162");
  CHECK(to_hex(der::tlv(0x04, std::string(200, 'x')).substr(0, 3)) == "0481c8");
  CHECK(to_hex(der::tlv(0x04, std::string(300, 'x')).substr(0, 4)) == "0482012c");
  CHECK(to_hex(der::unsigned_integer("\x01\x02"sv)) == "02020102");
  CHECK(to_hex(der::unsigned_integer("\x80"sv)) == "02020080");
  CHECK(to_hex(der::unsigned_integer("\x00\x00\x05"sv)) == "020105");
  CHECK(to_hex(der::unsigned_integer("\x00"sv)) == "020100");
  CHECK(to_hex(der::sequence({"\x05\x00"sv, "\x01\x01\xff"sv})) == "300505000101ff"sv);
  // RFC 5280: UTCTime through 2049, GeneralizedTime from 2050.
  CHECK(der::time(2524607999) == der::tlv(der::utc_time_tag, "491231235959Z"));
  CHECK(der::time(2524608000) == der::tlv(der::generalized_time_tag, "20500101000000Z"));
}

TEST_CASE("DER reader walks elements and refuses malformed input", "[engine][der][malformed]") {
  auto encoded = der::sequence({der::tlv(0x02, "\x01"), der::tlv(0x04, std::string(300, 'y'))});
  der::reader top{encoded};
  der::element seq;
  REQUIRE(top.expect(der::sequence_tag, seq));
  CHECK(top.at_end());
  der::reader inner{seq.content};
  der::element a;
  der::element b;
  REQUIRE(inner.next(a));
  REQUIRE(inner.next(b));
  CHECK(a.tag == 0x02);
  CHECK(b.content.size() == 300);
  CHECK_FALSE(inner.next(a));
  CHECK_FALSE(inner.failed());

  for (auto bad :
       {"\x30"sv, "\x30\x05\x01"sv, "\x1f\x01\x00"sv, "\x30\x80\x00\x00"sv,
        "\x30\x85\x01\x00\x00\x00\x00"sv, "\x30\x82\x01"sv, "\x04\x84\xff\xff\xff\xff"sv}) {
    CAPTURE(to_hex(bad));
    der::reader r{bad};
    der::element e;
    CHECK_FALSE(r.next(e));
    CHECK(r.failed());
  }
}

TEST_CASE("SPKI classification and key identifiers match OpenSSL", "[engine][spki]") {
  for (auto alg : {key_algorithm::rsa_2048, key_algorithm::rsa_3072, key_algorithm::ec_p256,
                   key_algorithm::ec_p384, key_algorithm::ec_p521}) {
    CAPTURE(to_string(alg));
    auto key = generate_key(alg);
    REQUIRE(key);
    auto spki = public_key_to_der(key->get());
    auto classified = classify_spki(spki, "CSR");
    REQUIRE(classified);
    CHECK(*classified == alg);
    auto loaded = load_spki(spki, alg);
    REQUIRE(loaded);
    CHECK(EVP_PKEY_eq(loaded->get(), key->get()) == 1);
    // RFC 5280 method 1 over the subjectPublicKey bits, which is what
    // i2d_PublicKey encodes for RSA and EC keys.
    unsigned char* bits = nullptr;
    auto len = i2d_PublicKey(key->get(), &bits);
    REQUIRE(len > 0);
    unsigned char digest[20];
    unsigned int dlen = 0;
    EVP_Digest(bits, static_cast<size_t>(len), digest, &dlen, EVP_sha1(), nullptr);
    OPENSSL_free(bits);
    CHECK(*spki_key_identifier(spki) == std::string(reinterpret_cast<char*>(digest), dlen));
  }
}

TEST_CASE("malformed or unsupported SPKIs are refused", "[engine][spki][malformed]") {
  auto message = [](std::string_view spki) {
    auto alg = classify_spki(spki, "CSR");
    REQUIRE_FALSE(alg);
    return alg.error().message;
  };
  CHECK(message("") == "Invalid CSR: the public key does not decode");
  CHECK(message("\x30\x03\x02\x01\x00"sv) == "Invalid CSR: the public key does not decode");
  auto key = generate_key(key_algorithm::ec_p256);
  auto spki = public_key_to_der(key->get());
  CHECK(message(spki.substr(0, spki.size() - 1)) == "Invalid CSR: the public key does not decode");
  auto ed = test::make_ed25519_key();
  CHECK(message(public_key_to_der(ed.get()))
        == "Unsupported key type in CSR: ED25519. Supported: RSA, ECDSA");
  // An EC point that is not on the curve is refused when loaded.
  auto off_curve = spki;
  off_curve[off_curve.size() - 1] = static_cast<char>(off_curve.back() ^ 0x01);
  REQUIRE(classify_spki(off_curve, "CSR"));
  CHECK_FALSE(load_spki(off_curve, key_algorithm::ec_p256));
}

TEST_CASE("DER times are what OpenSSL encodes", "[engine][der]") {
  for (int64_t t : {int64_t{0}, int64_t{951782400}, int64_t{1764806400}, int64_t{2524607999},
                    int64_t{2524608000}, int64_t{4102444800}, int64_t{253402300799}}) {
    CAPTURE(t);
    openssl_ptr<ASN1_TIME, ASN1_TIME_free> reference{
        ASN1_TIME_set(nullptr, static_cast<time_t>(t))};
    REQUIRE(reference);
    unsigned char* der = nullptr;
    auto len = i2d_ASN1_TIME(reference.get(), &der);
    REQUIRE(len > 0);
    std::string expected(reinterpret_cast<char*>(der), static_cast<size_t>(len));
    OPENSSL_free(der);
    CHECK(der::time(t) == expected);
  }
}
