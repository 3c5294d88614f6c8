// The body of POST /api/v1/cert-manager/certificates: any bytes give either
// an issuance input or the error to answer with (400 for malformed JSON, 422
// with the issues found), never a crash.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "gateway/issuance_request_parser.hpp"
#include "tests/fuzz/fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  certmint::issuance_input input;
  auto error = certmint::parse_issuance_request({reinterpret_cast<const char*>(data), size}, input);
  if (error) {
    CERTMINT_FUZZ_CHECK(error->code == certmint::errc::bad_request
                        || error->code == certmint::errc::validation_failed);
    CERTMINT_FUZZ_CHECK(!error->message.empty() || !error->issues.empty());
  }
  return 0;
}
