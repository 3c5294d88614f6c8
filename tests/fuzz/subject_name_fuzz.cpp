// certmint's DER subject reader against OpenSSL's: wherever certmint's fast
// path reads a Name, OpenSSL must decode the same bytes to the same fields,
// and the slow path's subject check must pass it. A name the fast path
// accepts and OpenSSL refuses would be copied into a certificate that other
// parsers cannot read; one the check refuses would reach a certificate
// with attributes no policy judged.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/x509_names.hpp"
#include "tests/fuzz/fuzz_check.hpp"
#include "tests/fuzz/openssl_decoders.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view der{reinterpret_cast<const char*>(data), size};
  auto mine = certmint::read_subject_der(der);
  if (!mine)
    return 0;
  auto name = certmint::fuzz::openssl_name(der);
  CERTMINT_FUZZ_CHECK(name != nullptr);
  CERTMINT_FUZZ_CHECK(*mine == certmint::read_subject(name.get()));
  CERTMINT_FUZZ_CHECK(
      certmint::check_csr_subject(name.get(), certmint::csr_subject_rule::policy_judged));
  return 0;
}
