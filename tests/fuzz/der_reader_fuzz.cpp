// The DER reader on arbitrary bytes, descending into every constructed
// element: it must stay inside its buffer, account for every byte of what it
// accepts, and refuse what DER forbids (X.690 §10.1: lengths in their
// shortest form).

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/der.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace {

// The length octets of `whole`'s header, checked against X.690 by hand,
// independently of the reader.
bool minimal_length(std::string_view whole) {
  auto first = static_cast<uint8_t>(whole[1]);
  if (first < 0x80)
    return true;
  auto count = static_cast<size_t>(first & 0x7f);
  if (static_cast<uint8_t>(whole[2]) == 0)
    return false;
  return count > 1 || static_cast<uint8_t>(whole[2]) >= 0x80;
}

void walk(std::string_view bytes, int depth) {
  certmint::der::reader reader{bytes};
  certmint::der::element element;
  size_t accounted = 0;
  while (reader.next(element)) {
    CERTMINT_FUZZ_CHECK(element.whole.data() == bytes.data() + accounted);
    CERTMINT_FUZZ_CHECK(element.whole.size() >= element.content.size() + 2);
    CERTMINT_FUZZ_CHECK(element.content.data() + element.content.size()
                        == element.whole.data() + element.whole.size());
    CERTMINT_FUZZ_CHECK(element.tag == static_cast<uint8_t>(element.whole[0]));
    CERTMINT_FUZZ_CHECK(minimal_length(element.whole));
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
