// PKCS#10 parsing on arbitrary DER (wrapped in PEM as a client sends it).
// The signature check is deferred so that mutated requests reach the
// subject, key and extension readers. What parse_csr accepts is copied into
// certificates verbatim (the subject and the SubjectPublicKeyInfo), so it
// must be DER that OpenSSL decodes whole, and certmint's own key reader
// must agree with OpenSSL's on which keys are keys.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "engine/csr.hpp"
#include "engine/pem.hpp"
#include "engine/public_key.hpp"
#include "tests/fuzz/fuzz_check.hpp"
#include "tests/fuzz/openssl_decoders.hpp"
#include "tests/fuzz/strict_der.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto pem =
      certmint::pem_encode("CERTIFICATE REQUEST", {reinterpret_cast<const char*>(data), size});
  auto parsed = certmint::parse_csr(pem, certmint::csr_signature_check::defer);
  // Mutated requests almost never carry a valid signature, but the corpus's
  // seeds do: what certmint finds signed, OpenSSL must find signed.
  bool signed_ok = static_cast<bool>(certmint::verify_csr_signature(pem));
  std::string_view der{reinterpret_cast<const char*>(data), size};
  auto request = certmint::fuzz::openssl_request(der);
  bool openssl_signed =
      request && X509_REQ_verify(request.get(), X509_REQ_get0_pubkey(request.get())) == 1;
  ERR_clear_error();
  if (signed_ok)
    CERTMINT_FUZZ_CHECK(openssl_signed);
  if (!parsed) {
    CERTMINT_FUZZ_CHECK(!parsed.error().message.empty());
    return 0;
  }
  CERTMINT_FUZZ_CHECK(certmint::fuzz::strictly_der(parsed->subject_der));
  CERTMINT_FUZZ_CHECK(certmint::fuzz::strictly_der(parsed->public_key_der));
  CERTMINT_FUZZ_CHECK(certmint::fuzz::openssl_name(parsed->subject_der) != nullptr);
  // The key is loaded by certmint's own reader (for the signature check).
  // What it takes, OpenSSL's decoder must take too, as the same key: other
  // software reads the certificate. It may refuse more (BER integers and
  // RSA keys without NULL parameters, which OpenSSL 3.0 takes).
  if (auto mine = certmint::load_spki(parsed->public_key_der, parsed->key_alg)) {
    auto theirs = certmint::fuzz::openssl_key(parsed->public_key_der);
    CERTMINT_FUZZ_CHECK(theirs != nullptr);
    CERTMINT_FUZZ_CHECK(EVP_PKEY_eq(mine->get(), theirs.get()) == 1);
  }
  // And the other way, for requests certmint reads: one key reused per
  // thread and curve must not make a signed request look unsigned.
  if (openssl_signed)
    CERTMINT_FUZZ_CHECK(signed_ok);
  ERR_clear_error();
  return 0;
}
