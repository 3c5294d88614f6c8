// The DER reader on arbitrary bytes, descending into every constructed
// element: it must stay inside its buffer, account for every byte of what it
// accepts, and refuse what DER forbids (X.690 §10.1: lengths in their
// shortest form).

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/der.hpp"
#include "tests/fuzz/fuzz_check.hpp"
#include "tests/fuzz/strict_der.hpp"

namespace {

void walk(std::string_view bytes, int depth) {
  certmint::der::reader reader{bytes};
  certmint::der::element element;
  size_t accounted = 0;
  while (reader.next(element)) {
    CERTMINT_FUZZ_CHECK(element.whole.data() == bytes.data() + accounted);
    size_t header = 0;
    size_t length = 0;
    CERTMINT_FUZZ_CHECK(certmint::fuzz::der_header(element.whole, header, length));
    CERTMINT_FUZZ_CHECK(header + length == element.whole.size());
    CERTMINT_FUZZ_CHECK(element.content.size() == length);
    CERTMINT_FUZZ_CHECK(element.content.data() == element.whole.data() + header);
    CERTMINT_FUZZ_CHECK(element.tag == static_cast<uint8_t>(element.whole[0]));
    accounted += element.whole.size();
    if ((element.tag & 0x20) != 0 && depth < 32)
      walk(element.content, depth + 1);
  }
  CERTMINT_FUZZ_CHECK(reader.failed() || accounted == bytes.size());
  CERTMINT_FUZZ_CHECK(reader.failed() == !reader.at_end());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  walk({reinterpret_cast<const char*>(data), size}, 0);
  return 0;
}
