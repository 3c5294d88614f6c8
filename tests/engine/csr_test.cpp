#include <catch2/catch.hpp>

#include <thread>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "engine/csr.hpp"
#include "engine/der.hpp"
#include "engine/openssl_types.hpp"
#include "engine/pem.hpp"
#include "engine/public_key.hpp"
#include "tests/support/test_pki.hpp"

using namespace certmint;
using certmint::test::csr_options;

TEST_CASE("CSRs of every supported key algorithm parse and verify", "[engine][csr]") {
  for (auto alg : {key_algorithm::rsa_2048, key_algorithm::rsa_3072, key_algorithm::rsa_4096,
                   key_algorithm::ec_p256, key_algorithm::ec_p384, key_algorithm::ec_p521}) {
    CAPTURE(to_string(alg));
    csr_options opts;
    opts.organization = "Example Org";
    opts.sans = {"DNS:app.example.com", "IP:10.1.2.3", "IP:::1", "email:ops@example.com",
                 "URI:spiffe://example.com/app"};
    auto made = test::make_csr(alg, opts);
    auto csr = parse_csr(made.csr_pem);
    REQUIRE(csr);
    CHECK(csr->key_alg == alg);
    CHECK(csr->subject.common_name == "app.example.com");
    CHECK(csr->subject.organization == "Example Org");
    REQUIRE(csr->sans.size() == 5);
    CHECK(csr->sans[0] == subject_alt_name{san_type::dns_name, "app.example.com"});
    CHECK(csr->sans[1] == subject_alt_name{san_type::ip_address, "10.1.2.3"});
    CHECK(csr->sans[2] == subject_alt_name{san_type::ip_address, "::1"});
    CHECK(csr->sans[3] == subject_alt_name{san_type::email, "ops@example.com"});
    CHECK(csr->sans[4] == subject_alt_name{san_type::uri, "spiffe://example.com/app"});
    CHECK(csr->signature.hash == hash_algorithm::sha256);
    CHECK_FALSE(csr->requests_ca);
    CHECK_FALSE(csr->public_key_der.empty());
  }
}

TEST_CASE("CSR key usages, EKUs and CA requests are read", "[engine][csr]") {
  csr_options opts;
  opts.key_usage = "critical,digitalSignature,keyAgreement";
  opts.ext_key_usage = "serverAuth,clientAuth";
  auto csr = parse_csr(test::make_csr(key_algorithm::ec_p256, opts).csr_pem);
  REQUIRE(csr);
  REQUIRE(csr->key_usages);
  CHECK(*csr->key_usages == (ku_digital_signature | ku_key_agreement));
  REQUIRE(csr->ext_key_usages);
  CHECK(*csr->ext_key_usages == (eku_server_auth | eku_client_auth));

  csr_options ca;
  ca.basic_constraints = "critical,CA:TRUE";
  auto ca_csr = parse_csr(test::make_csr(key_algorithm::ec_p256, ca).csr_pem);
  REQUIRE(ca_csr);
  CHECK(ca_csr->requests_ca);
}

TEST_CASE("CSR hashes SHA-384 and SHA-512 are accepted", "[engine][csr]") {
  csr_options opts;
  opts.digest = EVP_sha384();
  auto csr = parse_csr(test::make_csr(key_algorithm::rsa_2048, opts).csr_pem);
  REQUIRE(csr);
  CHECK(csr->signature == signature_algorithm{key_family::rsa, hash_algorithm::sha384});
  opts.digest = EVP_sha512();
  csr = parse_csr(test::make_csr(key_algorithm::ec_p384, opts).csr_pem);
  REQUIRE(csr);
  CHECK(csr->signature == signature_algorithm{key_family::ecdsa, hash_algorithm::sha512});
}

TEST_CASE("signature AlgorithmIdentifiers are encoded as OpenSSL encodes them", "[engine][csr]") {
  struct expected {
    signature_algorithm alg;
    int nid;
  };
  for (auto [alg, nid] :
       {expected{{key_family::rsa, hash_algorithm::sha256}, NID_sha256WithRSAEncryption},
        expected{{key_family::rsa, hash_algorithm::sha384}, NID_sha384WithRSAEncryption},
        expected{{key_family::rsa, hash_algorithm::sha512}, NID_sha512WithRSAEncryption},
        expected{{key_family::ecdsa, hash_algorithm::sha256}, NID_ecdsa_with_SHA256},
        expected{{key_family::ecdsa, hash_algorithm::sha384}, NID_ecdsa_with_SHA384},
        expected{{key_family::ecdsa, hash_algorithm::sha512}, NID_ecdsa_with_SHA512}}) {
    CAPTURE(to_string(alg));
    // OpenSSL's own encoding: NULL parameters for RSA, none for ECDSA.
    openssl_ptr<X509_ALGOR, X509_ALGOR_free> algor{X509_ALGOR_new()};
    REQUIRE(X509_ALGOR_set0(algor.get(), OBJ_nid2obj(nid),
                            alg.family == key_family::rsa ? V_ASN1_NULL : V_ASN1_UNDEF, nullptr)
            == 1);
    unsigned char* der = nullptr;
    auto len = i2d_X509_ALGOR(algor.get(), &der);
    REQUIRE(len > 0);
    std::string openssl{reinterpret_cast<char*>(der), static_cast<size_t>(len)};
    OPENSSL_free(der);
    CHECK(signature_algorithm_der(alg) == openssl);
  }
}

TEST_CASE("an RSA CSR whose algorithm omits the NULL parameters is still read", "[engine][csr]") {
  // The AlgorithmIdentifier is outside the signed part, so dropping its
  // NULL leaves the signature valid; such a CSR takes OpenSSL's decoder
  // instead of the byte comparison.
  auto der = *pem_decode(test::make_csr(key_algorithm::rsa_2048).csr_pem, {"CERTIFICATE REQUEST"});
  auto canonical = std::string{signature_algorithm_der({key_family::rsa, hash_algorithm::sha256})};
  auto at = der.rfind(canonical);
  REQUIRE(at != std::string::npos);
  auto bare = canonical.substr(2, canonical.size() - 4); // the OID's TLV alone
  der.replace(at, canonical.size(), der::tlv(der::sequence_tag, bare));
  // The outer SEQUENCE's long-form length (two bytes for RSA-2048) is 2 less.
  REQUIRE(static_cast<uint8_t>(der[1]) == 0x82);
  auto outer = (static_cast<uint8_t>(der[2]) << 8 | static_cast<uint8_t>(der[3])) - 2;
  der[2] = static_cast<char>(outer >> 8);
  der[3] = static_cast<char>(outer & 0xff);
  auto csr = parse_csr(pem_encode("CERTIFICATE REQUEST", der));
  INFO((csr ? std::string{} : csr.error().message));
  REQUIRE(csr);
  CHECK(csr->signature == signature_algorithm{key_family::rsa, hash_algorithm::sha256});
}

namespace {

std::string csr_error(const std::string& pem) {
  auto csr = parse_csr(pem);
  REQUIRE_FALSE(csr);
  CHECK(csr.error().code == errc::bad_request);
  return csr.error().message;
}

} // namespace

TEST_CASE("malformed CSRs are refused with precise messages", "[engine][csr][malformed]") {
  auto good = test::make_csr(key_algorithm::ec_p256).csr_pem;
  CHECK(csr_error("")
        == "Invalid CSR: expected a PEM-encoded PKCS#10 request starting with "
           "'-----BEGIN CERTIFICATE REQUEST-----'");
  CHECK(csr_error("hello").rfind("Invalid CSR: expected a PEM-encoded", 0) == 0);
  CHECK(csr_error("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
            .rfind("Invalid CSR: expected a PEM", 0)
        == 0);
  CHECK(csr_error("-----BEGIN CERTIFICATE REQUEST-----\n!!!!\n-----END CERTIFICATE REQUEST-----")
        == "Invalid CSR: the PEM block does not decode to a PKCS#10 request");
  CHECK(csr_error("-----BEGIN CERTIFICATE REQUEST-----\nMAA=\n-----END CERTIFICATE REQUEST-----")
        == "Invalid CSR: the PEM block does not decode to a PKCS#10 request");
  // Truncated: the first half of a valid CSR.
  CHECK(csr_error(good.substr(0, good.size() / 2))
        == "Invalid CSR: the PEM block does not decode to a PKCS#10 request");
  CHECK(csr_error(test::tamper_csr(good)).rfind("Invalid CSR: signature verification failed", 0)
        == 0);
  // One request per body: a second block, or text after the first, is
  // refused rather than ignored. Whitespace around the block is not text.
  CHECK(csr_error(good + good)
        == "Invalid CSR: text follows the request's END line; send one PEM block");
  CHECK(csr_error(good + "trailer")
        == "Invalid CSR: text follows the request's END line; send one PEM block");
  CHECK(parse_csr("\n  " + good + "\r\n\n"));
}

TEST_CASE("validly signed CSRs whose subject a policy cannot judge whole are refused",
          "[engine][csr][malformed]") {
  // The subject is copied into the certificate as the CSR encodes it, and
  // the policy judges one value of each of C, ST, L, O, OU and CN.
  auto csr_with = [](std::vector<std::pair<std::string, std::string>> more) {
    csr_options options;
    options.organization = "Acme";
    options.more_subject = std::move(more);
    return test::make_csr(key_algorithm::ec_p256, options).csr_pem;
  };
  auto refusal = [&csr_with](std::vector<std::pair<std::string, std::string>> more) {
    return csr_error(csr_with(std::move(more)));
  };
  CHECK(refusal({{"CN", "evil.example"}})
        == "Invalid CSR: subject attribute CN appears more than once; a policy judges one value "
           "of each attribute");
  CHECK(refusal({{"O", "Evil Corp"}})
        == "Invalid CSR: subject attribute O appears more than once; a policy judges one value "
           "of each attribute");
  CHECK(refusal({{"emailAddress", "ops@evil.example"}})
        == "Invalid CSR: subject attribute emailAddress is not supported; a subject may hold C, "
           "ST, L, O, OU and CN");
  CHECK(refusal({{"OU", std::string{"Ops\0Evil", 8}}})
        == "Invalid CSR: subject attribute OU contains a control character");
  // The same attributes once each are read.
  auto fine = parse_csr(csr_with({{"OU", "Ops"}, {"L", "Berlin"}, {"ST", "Berlin"}, {"C", "DE"}}));
  REQUIRE(fine);
  CHECK(fine->subject.organizational_unit == "Ops");
  CHECK(fine->subject.country == "DE");
}

TEST_CASE("an extension requested twice is refused", "[engine][csr][malformed]") {
  // A second keyUsage would otherwise replace the first unseen by whoever
  // reads the CSR with another tool.
  csr_options twice;
  twice.key_usage = "critical,digitalSignature";
  twice.more_extensions = {{NID_key_usage, "critical,keyCertSign"}};
  CHECK(csr_error(test::make_csr(key_algorithm::ec_p256, twice).csr_pem)
        == "Invalid CSR: the extension request has keyUsage more than once");
  twice = {};
  twice.more_extensions = {{NID_subject_alt_name, "DNS:other.example.com"}};
  CHECK(csr_error(test::make_csr(key_algorithm::ec_p256, twice).csr_pem)
        == "Invalid CSR: the extension request has subjectAltName more than once");
  // Extensions certmint does not read are not copied; their repeats pass.
  twice = {};
  twice.more_extensions = {{NID_netscape_comment, "a"}, {NID_netscape_comment, "b"}};
  CHECK(parse_csr(test::make_csr(key_algorithm::ec_p256, twice).csr_pem));
}

TEST_CASE("the signature-only check agrees with parse_csr", "[engine][csr][malformed]") {
  for (auto alg : {key_algorithm::rsa_2048, key_algorithm::ec_p256, key_algorithm::ec_p384}) {
    CAPTURE(to_string(alg));
    auto good = test::make_csr(alg).csr_pem;
    CHECK(verify_csr_signature(good));
    auto tampered = test::tamper_csr(good);
    auto refused = verify_csr_signature(tampered);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == errc::bad_request);
    CHECK(refused.error().message == csr_error(tampered));
  }
  auto good = test::make_csr(key_algorithm::ec_p256).csr_pem;
  auto rsa1024 = test::make_rsa_key(1024);
  test::csr_options sha1;
  sha1.digest = EVP_sha1();
  auto ec = test::make_ec_key("P-256");
  for (const std::string& bad :
       {std::string{}, std::string{"hello"},
        std::string{"-----BEGIN CERTIFICATE REQUEST-----\n!!!!\n-----END CERTIFICATE REQUEST-----"},
        good.substr(0, good.size() / 2), test::make_csr_for(rsa1024.get()),
        test::make_csr_for(ec.get(), sha1)}) {
    CAPTURE(bad);
    auto refused = verify_csr_signature(bad);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().message == csr_error(bad));
  }
}

TEST_CASE("unsupported CSR keys and hashes get Infisical's messages", "[engine][csr]") {
  auto rsa1024 = test::make_rsa_key(1024);
  CHECK(csr_error(test::make_csr_for(rsa1024.get()))
        == "Unsupported RSA key size in CSR: 1024. Supported: 2048, 3072, 4096");
  auto k1 = test::make_ec_key("secp256k1");
  CHECK(csr_error(test::make_csr_for(k1.get()))
        == "Unsupported ECDSA curve in CSR: secp256k1. Supported: P-256, P-384, P-521");
  auto ed = test::make_ed25519_key();
  CHECK(csr_error(test::make_csr_for(ed.get()))
        == "Unsupported key type in CSR: ED25519. Supported: RSA, ECDSA");
  test::csr_options sha1;
  sha1.digest = EVP_sha1();
  auto rsa = test::make_rsa_key(2048);
  CHECK(csr_error(test::make_csr_for(rsa.get(), sha1))
        == "Unsupported RSA hash algorithm in CSR: SHA1. Supported: SHA-256, SHA-384, SHA-512");
  auto ec = test::make_ec_key("P-256");
  CHECK(csr_error(test::make_csr_for(ec.get(), sha1))
        == "Unsupported ECDSA hash algorithm in CSR: SHA1. Supported: SHA-256, SHA-384, SHA-512");
}

TEST_CASE("CSR SANs with invalid syntax or of other forms are refused",
          "[engine][csr][malformed]") {
  test::csr_options opts;
  opts.sans = {"DNS:bad name.example.com"};
  CHECK(csr_error(test::make_csr(key_algorithm::ec_p256, opts).csr_pem)
        == "Invalid altName from CSR: bad name.example.com");
  // Infisical leaves these out of the certificate; certmint says so
  // instead of issuing without them.
  const std::pair<const char*, const char*> forms[] = {
      {"otherName:1.3.6.1.4.1.311.20.2.3;UTF8:user@example.com", "otherName"},
      {"RID:1.2.3.4", "registeredID"},
  };
  for (const auto& [san, form] : forms) {
    CAPTURE(san);
    opts.sans = {san, "DNS:ok.example.com"};
    CHECK(csr_error(test::make_csr(key_algorithm::ec_p256, opts).csr_pem)
          == "Invalid altName from CSR: " + std::string{form}
                 + " names are not supported (DNS, IP, e-mail and URI are)");
  }
}

TEST_CASE("structurally broken CSRs are refused before any crypto", "[engine][csr][malformed]") {
  auto made = test::make_csr(key_algorithm::ec_p256);
  auto der = *pem_decode(made.csr_pem, {"CERTIFICATE REQUEST"});
  // version 0 -> 1 (the INTEGER inside certificationRequestInfo)
  auto version = der.find(std::string("\x02\x01\x00", 3));
  REQUIRE(version != std::string::npos);
  auto bumped = der;
  bumped[version + 2] = 1;
  CHECK(csr_error(pem_encode("CERTIFICATE REQUEST", bumped))
        == "Invalid CSR: the PEM block does not decode to a PKCS#10 request");
  // trailing garbage after the request
  CHECK(csr_error(pem_encode("CERTIFICATE REQUEST", der + "x"))
        == "Invalid CSR: the PEM block does not decode to a PKCS#10 request");
}

TEST_CASE("EC public keys off their curve or malformed are refused", "[engine][csr][malformed]") {
  for (auto alg : {key_algorithm::ec_p256, key_algorithm::ec_p384, key_algorithm::ec_p521}) {
    CAPTURE(to_string(alg));
    auto csr = parse_csr(test::make_csr(alg).csr_pem);
    REQUIRE(csr);
    const auto& spki = csr->public_key_der;
    REQUIRE(load_spki(spki, alg));
    // The point is the SPKI's tail (0x04 || X || Y); a flipped bit of Y
    // moves it off the curve.
    auto off_curve = spki;
    off_curve.back() = static_cast<char>(off_curve.back() ^ 0x01);
    CHECK_FALSE(load_spki(off_curve, alg));
    size_t coordinate_bytes = alg == key_algorithm::ec_p256   ? 32
                              : alg == key_algorithm::ec_p384 ? 48
                                                              : 66;
    auto point_at = spki.size() - 2 * coordinate_bytes - 1;
    REQUIRE(spki[point_at] == '\x04');
    // An encoding byte that is not a point form (0x04 uncompressed).
    auto bad_form = spki;
    bad_form[point_at] = '\x05';
    CHECK_FALSE(load_spki(bad_form, alg));
    // A P-256 point presented as a P-384 key does not decode either.
    if (alg == key_algorithm::ec_p256)
      CHECK_FALSE(load_spki(spki, key_algorithm::ec_p384));
  }
}

namespace {

std::string spki_of(EVP_PKEY* key) {
  unsigned char* bytes = nullptr;
  auto len = i2d_PUBKEY(key, &bytes);
  REQUIRE(len > 0);
  std::string out{reinterpret_cast<char*>(bytes), static_cast<size_t>(len)};
  OPENSSL_free(bytes);
  return out;
}

std::string sign_digest(EVP_PKEY* key, const EVP_MD* md, const std::string& digest) {
  pkey_ctx_ptr ctx{EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr)};
  size_t len = 0;
  auto* in = reinterpret_cast<const unsigned char*>(digest.data());
  REQUIRE(EVP_PKEY_sign_init(ctx.get()) == 1);
  REQUIRE(EVP_PKEY_CTX_set_signature_md(ctx.get(), md) == 1);
  REQUIRE(EVP_PKEY_sign(ctx.get(), nullptr, &len, in, digest.size()) == 1);
  std::string out(len, '\0');
  REQUIRE(EVP_PKEY_sign(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len, in,
                        digest.size())
          == 1);
  out.resize(len);
  return out;
}

} // namespace

TEST_CASE("a thread's reused curve key checks each signature against the key it is given",
          "[engine][csr]") {
  const auto* md = EVP_sha256();
  const std::string digest(32, '\x5a');
  const std::string other_digest(32, '\xa5');
  const std::pair<key_algorithm, const char*> curves[] = {
      {key_algorithm::ec_p256, "prime256v1"},
      {key_algorithm::ec_p384, "secp384r1"},
      {key_algorithm::ec_p521, "secp521r1"},
  };
  for (const auto& curve_case : curves) {
    const auto alg = curve_case.first;
    const auto* curve = curve_case.second;
    CAPTURE(to_string(alg));
    auto a = test::make_ec_key(curve);
    auto b = test::make_ec_key(curve);
    auto spki_a = spki_of(a.get());
    auto spki_b = spki_of(b.get());
    auto sig_a = sign_digest(a.get(), md, digest);
    auto sig_b = sign_digest(b.get(), md, digest);
    auto off_curve = spki_a;
    off_curve.back() = static_cast<char>(off_curve.back() ^ 0x01);
    auto check = [&](const std::string& spki, const std::string& sig,
                     const std::string& signed_digest = std::string{}) {
      return verify_spki_signature(spki, alg, md, signed_digest.empty() ? digest : signed_digest,
                                   sig);
    };
    // The same thread, the same reused key, one point after another: each
    // answer depends only on the key given with it.
    CHECK(check(spki_a, sig_a) == signature_check::valid);
    CHECK(check(off_curve, sig_a) == signature_check::undecodable_key);
    CHECK(check(spki_b, sig_a) == signature_check::invalid);
    CHECK(check(spki_b, sig_b) == signature_check::valid);
    CHECK(check(spki_a, sig_b) == signature_check::invalid);
    CHECK(check(spki_a, sig_a, other_digest) == signature_check::invalid);
    CHECK(check(spki_a, "") == signature_check::invalid);
    CHECK(check(spki_a, sig_a) == signature_check::valid);
    // Another thread has a key of its own.
    signature_check there[2]{};
    std::thread([&] {
      there[0] = check(spki_b, sig_b);
      there[1] = check(spki_b, sig_a);
    }).join();
    CHECK(there[0] == signature_check::valid);
    CHECK(there[1] == signature_check::invalid);
    CHECK(check(spki_a, sig_a) == signature_check::valid);
  }
  auto rsa = test::make_rsa_key(2048);
  auto rsa_sig = sign_digest(rsa.get(), md, digest);
  CHECK(verify_spki_signature(spki_of(rsa.get()), key_algorithm::rsa_2048, md, digest, rsa_sig)
        == signature_check::valid);
  CHECK(
      verify_spki_signature(spki_of(rsa.get()), key_algorithm::rsa_2048, md, other_digest, rsa_sig)
      == signature_check::invalid);
}

namespace {

// A CSR whose certificationRequestInfo is built by hand around `subject`
// and signed by `key` (ECDSA with SHA-256): a request a client could send.
std::string signed_csr_with_subject(EVP_PKEY* key, const std::string& subject) {
  auto info = der::sequence({der::tlv(der::integer_tag, std::string{"\0", 1}), subject,
                             spki_of(key), der::tlv(0xa0, "")});
  md_ctx_ptr ctx{EVP_MD_CTX_new()};
  size_t signature_len = 0;
  REQUIRE(EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) == 1);
  REQUIRE(EVP_DigestSign(ctx.get(), nullptr, &signature_len,
                         reinterpret_cast<const unsigned char*>(info.data()), info.size())
          == 1);
  std::string signature(signature_len, '\0');
  REQUIRE(EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()),
                         &signature_len, reinterpret_cast<const unsigned char*>(info.data()),
                         info.size())
          == 1);
  signature.resize(signature_len);
  auto ecdsa_with_sha256 =
      der::sequence({der::tlv(der::oid_tag, "\x2a\x86\x48\xce\x3d\x04\x03\x02")});
  return pem_encode(
      "CERTIFICATE REQUEST",
      der::sequence({info, ecdsa_with_sha256,
                     der::tlv(der::bit_string_tag, std::string{"\0", 1} + signature)}));
}

} // namespace

TEST_CASE("CSRs that are BER but not DER are refused, even when validly signed",
          "[engine][csr][malformed]") {
  // The subject is copied into the certificate as the CSR encodes it, and
  // OpenSSL's decoder takes BER; certificates must be DER (RFC 5280 §4.1),
  // so a subject in BER is refused rather than copied.
  auto key = test::make_ec_key("prime256v1");
  auto rdn = [](std::string_view value_tlv) {
    return der::tlv(der::set_tag, der::sequence({der::tlv(der::oid_tag, "\x55\x04\x03"),
                                                 std::string{value_tlv}}));
  };
  auto der_subject = der::sequence({rdn(der::tlv(der::utf8_string_tag, "app.example.com"))});
  REQUIRE(parse_csr(signed_csr_with_subject(key.get(), der_subject)));
  // The same name with the value's length in long form (0x81 0x0f), which
  // BER allows and DER does not. OpenSSL's own decoder reads it.
  auto ber_value = std::string{"\x0c\x81\x0f", 3} + "app.example.com";
  auto ber_subject = der::sequence({rdn(ber_value)});
  CHECK(csr_error(signed_csr_with_subject(key.get(), ber_subject))
        == "Invalid CSR: the subject is not DER-encoded");
  // Long-form lengths in the request's own structure: the reader refuses
  // them before any crypto.
  auto made = *pem_decode(signed_csr_with_subject(key.get(), der_subject), {"CERTIFICATE REQUEST"});
  // The version INTEGER (02 01 00) becomes 02 81 01 00, and the two
  // SEQUENCEs around it are framed again for the extra byte.
  der::reader outer{made};
  der::element request;
  REQUIRE(outer.next(request));
  der::reader parts{request.content};
  der::element info;
  REQUIRE(parts.next(info));
  auto info_content = std::string{info.content};
  REQUIRE(info_content.compare(0, 3, std::string("\x02\x01\x00", 3)) == 0);
  info_content.replace(0, 3, std::string("\x02\x81\x01\x00", 4));
  auto rest = std::string{request.content.substr(info.whole.size())};
  auto reframed = der::sequence({der::tlv(der::sequence_tag, info_content), rest});
  CHECK(csr_error(pem_encode("CERTIFICATE REQUEST", reframed))
        == "Invalid CSR: the PEM block does not decode to a PKCS#10 request");
}
