#include <catch2/catch.hpp>

#include <openssl/err.h>
#include <openssl/x509.h>

#include <string>
#include <utility>
#include <vector>

#include "engine/der.hpp"
#include "engine/hex.hpp"
#include "engine/key_encoding.hpp"
#include "engine/key_generator.hpp"
#include "engine/openssl_types.hpp"
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
  // The shortest long forms are read.
  for (size_t length : {size_t{128}, size_t{255}, size_t{256}, size_t{65536}}) {
    auto long_form = der::tlv(der::octet_string_tag, std::string(length, 'z'));
    der::reader r{long_form};
    der::element e;
    CAPTURE(length);
    REQUIRE(r.next(e));
    CHECK(e.content.size() == length);
  }

  for (auto bad : {"\x30"sv, "\x30\x05\x01"sv, "\x1f\x01\x00"sv, "\x30\x80\x00\x00"sv,
                   "\x30\x85\x01\x00\x00\x00\x00"sv, "\x30\x82\x01"sv, "\x04\x84\xff\xff\xff\xff"sv,
                   // BER's longer length forms, which DER forbids (X.690 §10.1): a
                   // long form for a length under 128, and a leading zero octet
                   "\x04\x81\x01\x00"sv, "\x04\x82\x00\x01\x00"sv, "\x04\x82\x00\x80"sv}) {
    CAPTURE(to_hex(bad));
    der::reader r{bad};
    der::element e;
    CHECK_FALSE(r.next(e));
    CHECK(r.failed());
  }
}

TEST_CASE("DER framing is checked to any depth", "[engine][der][malformed]") {
  auto name = der::sequence({der::tlv(
      der::set_tag, der::sequence({der::tlv(der::oid_tag, "\x55\x04\x03"), der::tlv(0x0c, "a")}))});
  CHECK(der::well_framed(name));
  CHECK(der::well_framed(""));
  CHECK(der::well_framed(name + name));
  // A long-form length three levels down, as OpenSSL's decoder accepts it.
  auto deep_der = std::string{"\x30\x0c\x31\x0a\x30\x08\x06\x03\x55\x04\x03\x0c\x01"
                              "a",
                              14};
  auto deep_ber = std::string{"\x30\x0d\x31\x0b\x30\x09\x06\x03\x55\x04\x03\x0c\x81\x01"
                              "a",
                              15};
  CHECK(der::well_framed(deep_der));
  CHECK_FALSE(der::well_framed(deep_ber));
  CHECK_FALSE(der::well_framed(name.substr(0, name.size() - 1)));
  CHECK_FALSE(der::well_framed(name + "\x30"));
  // Primitive contents are not judged: the bytes of an OCTET STRING need
  // not be DER.
  CHECK(der::well_framed(der::tlv(der::octet_string_tag, "\x30\x81\x01")));
  // Nesting beyond any real name or key is refused, not recursed into.
  std::string nested = der::tlv(der::null_tag, "");
  for (int i = 0; i < 40; ++i)
    nested = der::tlv(der::sequence_tag, nested);
  CHECK_FALSE(der::well_framed(nested));
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

TEST_CASE("SPKIs are read as DER, more strictly than OpenSSL reads them",
          "[engine][spki][malformed]") {
  // Found by tests/fuzz/csr_fuzz.cpp, which holds certmint's key reader to
  // OpenSSL's decoder: a key certmint takes and OpenSSL refuses (parameters
  // that are an end-of-contents) would be signed into a certificate other
  // software cannot read. OpenSSL 3.0 itself takes the other variants here
  // (BER integers, a negative modulus, no parameters); certmint copies the
  // SPKI into certificates verbatim, so it holds them to DER and RFC 3279,
  // as Go's parser does.
  auto key = generate_key(key_algorithm::rsa_2048);
  auto spki = public_key_to_der(key->get());
  // SPKI = SEQ { SEQ { OID rsaEncryption, NULL }, BIT STRING { 00, SEQ { INTEGER n, INTEGER e } } }
  auto children = [](std::string_view bytes) {
    std::vector<der::element> out;
    der::reader in{bytes};
    der::element e;
    while (in.next(e))
      out.push_back(e);
    REQUIRE_FALSE(in.failed());
    return out;
  };
  auto fields = children(children(spki).at(0).content);
  auto numbers = children(children(fields.at(1).content.substr(1)).at(0).content);
  REQUIRE(numbers.size() == 2);
  const auto& n = numbers[0];
  const auto& e = numbers[1];
  REQUIRE(n.content.front() == 0); // the top bit of a 2048-bit modulus is set
  const std::string oid = der::tlv(der::oid_tag, "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x01");
  const std::string null = der::tlv(der::null_tag, "");
  auto make = [&](const std::string& alg, std::string_view modulus, std::string_view exponent) {
    auto numbers_der =
        der::sequence({der::tlv(der::integer_tag, modulus), der::tlv(der::integer_tag, exponent)});
    return der::sequence({alg, der::tlv(der::bit_string_tag, std::string{"\0", 1} + numbers_der)});
  };
  auto openssl_reads = [](const std::string& der) {
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    pkey_ptr parsed{d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size()))};
    ERR_clear_error();
    return parsed != nullptr;
  };
  auto rebuilt = make(der::sequence({oid, null}), n.content, e.content);
  REQUIRE(rebuilt == spki);
  REQUIRE(classify_spki(rebuilt, "CSR"));
  const std::vector<std::pair<const char*, std::string>> refused = {
      {"no parameters", make(der::sequence({oid}), n.content, e.content)},
      {"end-of-contents as parameters",
       make(der::sequence({oid, std::string{"\0\0", 2}}), n.content, e.content)},
      {"an element after the parameters",
       make(der::sequence({oid, null, null}), n.content, e.content)},
      {"a modulus padded with a zero byte",
       make(der::sequence({oid, null}), std::string{"\0", 1} + std::string{n.content}, e.content)},
      {"a negative modulus", make(der::sequence({oid, null}), n.content.substr(1), e.content)},
      {"a padded exponent",
       make(der::sequence({oid, null}), n.content, std::string{"\0", 1} + std::string{e.content})},
  };
  for (const auto& [what, variant] : refused) {
    CAPTURE(what);
    CHECK_FALSE(classify_spki(variant, "CSR"));
    CHECK_FALSE(load_spki(variant, key_algorithm::rsa_2048));
  }
  CHECK_FALSE(openssl_reads(refused[1].second));
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
