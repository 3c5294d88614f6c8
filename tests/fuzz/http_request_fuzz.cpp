// The HTTP/1.1 request parser on the bytes of one connection. Every request
// in the input is parsed twice: from the whole buffer, and as its bytes
// arrive in pieces (the first input byte sets the piece size). Both must
// reach the same outcome and the same request: a parser that depends on how
// TCP split the bytes would answer a client differently from run to run.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "gateway/http_parser.hpp"
#include "tests/fuzz/fuzz_check.hpp"
#include "tests/fuzz/in_pieces.hpp"

namespace {

using certmint::http_parse_outcome;
using certmint::http_request_parser;

void check_same_request(http_request_parser& a, http_request_parser& b) {
  const auto& x = a.request();
  const auto& y = b.request();
  CERTMINT_FUZZ_CHECK(a.consumed() == b.consumed());
  CERTMINT_FUZZ_CHECK(x.method == y.method);
  CERTMINT_FUZZ_CHECK(x.target == y.target);
  CERTMINT_FUZZ_CHECK(x.path == y.path);
  CERTMINT_FUZZ_CHECK(x.query == y.query);
  CERTMINT_FUZZ_CHECK(x.headers == y.headers);
  CERTMINT_FUZZ_CHECK(x.body == y.body);
  CERTMINT_FUZZ_CHECK(x.minor_version == y.minor_version);
  CERTMINT_FUZZ_CHECK(x.keep_alive == y.keep_alive);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0)
    return 0;
  const size_t piece = data[0] % 16 + 1;
  std::string_view input{reinterpret_cast<const char*>(data) + 1, size - 1};
  // Small limits, so that inputs of a few hundred bytes reach every limit.
  const certmint::http_limits limits{512, 8, 1024};
  http_request_parser whole{limits};
  http_request_parser pieces{limits};
  while (!input.empty()) {
    auto outcome = whole.parse(input);
    CERTMINT_FUZZ_CHECK(
        certmint::fuzz::parse_in_pieces(
            input, piece, [&](std::string_view prefix, bool) { return pieces.parse(prefix); })
        == outcome);
    if (outcome == http_parse_outcome::failed) {
      CERTMINT_FUZZ_CHECK(whole.error().status == pieces.error().status);
      CERTMINT_FUZZ_CHECK(whole.error().status >= 400 && whole.error().status < 600);
      CERTMINT_FUZZ_CHECK(!whole.error().message.empty());
    }
    if (outcome != http_parse_outcome::complete)
      break;
    CERTMINT_FUZZ_CHECK(whole.consumed() > 0 && whole.consumed() <= input.size());
    CERTMINT_FUZZ_CHECK(whole.request().body.size() <= limits.max_body_bytes);
    CERTMINT_FUZZ_CHECK(whole.request().headers.size() <= limits.max_header_fields);
    check_same_request(whole, pieces);
    input.remove_prefix(whole.consumed());
    whole.reset();
    pieces.reset();
  }
  return 0;
}
