// The PEM reader on arbitrary text: what it decodes, encoded again, must
// decode to the same bytes; the blocks it splits off are pieces of the text.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/pem.hpp"
#include "tests/fuzz/fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text{reinterpret_cast<const char*>(data), size};
  if (auto der = certmint::pem_decode(text, {"CERTIFICATE", "CERTIFICATE REQUEST"})) {
    auto again = certmint::pem_decode(certmint::pem_encode("CERTIFICATE", *der), {"CERTIFICATE"});
    CERTMINT_FUZZ_CHECK(again && *again == *der);
  }
  for (const auto& block : certmint::split_pem_blocks(text)) {
    CERTMINT_FUZZ_CHECK(!block.empty() && block.back() == '\n');
    CERTMINT_FUZZ_CHECK(text.find(std::string_view{block}.substr(0, block.size() - 1))
                        != std::string_view::npos);
  }
  return 0;
}
