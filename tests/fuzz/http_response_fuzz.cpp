// The HTTP/1.1 response parser (certmint-bench's client, and the ACME
// client to come) on the bytes of one connection, and the router on the
// request paths a client may send. Responses are parsed whole and in pieces
// (the first input byte sets the piece size; its top bit says whether the
// peer has closed) and must agree, as requests must.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "gateway/http_parser.hpp"
#include "gateway/http_router.hpp"
#include "tests/fuzz/fuzz_check.hpp"
#include "tests/fuzz/in_pieces.hpp"

namespace {

using certmint::http_parse_outcome;
using certmint::http_response_parser;

const certmint::http_router& router() {
  static const certmint::http_router routes = [] {
    certmint::http_router r;
    auto none = [](const certmint::http_request&, certmint::http_response&) {};
    r.add("GET", "/api/v1/cert-manager/certificates/certificate-requests/:id",
          certmint::route_mode::immediate, none);
    r.add("POST", "/api/v1/cert-manager/certificates/:id/renew", certmint::route_mode::blocking,
          none);
    r.add("GET", "/api/v1/cert-manager/ca/internal/:caId/certificates/:certId/der",
          certmint::route_mode::immediate, none);
    return r;
  }();
  return routes;
}

void route(std::string_view bytes) {
  certmint::http_request request;
  request.method = "GET";
  request.path = std::string{bytes};
  const certmint::http_route* found = nullptr;
  if (router().find(request, found) == certmint::http_router::lookup::found) {
    CERTMINT_FUZZ_CHECK(found != nullptr);
    for (const auto& param : request.params)
      CERTMINT_FUZZ_CHECK(!param.empty());
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0)
    return 0;
  const size_t piece = data[0] % 16 + 1;
  const bool closed = (data[0] & 0x80) != 0;
  std::string_view input{reinterpret_cast<const char*>(data) + 1, size - 1};
  route(input);
  const certmint::http_limits limits{512, 8, 4096};
  http_response_parser whole{limits};
  http_response_parser pieces{limits};
  while (!input.empty()) {
    auto outcome = whole.parse(input, closed);
    CERTMINT_FUZZ_CHECK(certmint::fuzz::parse_in_pieces(input, piece,
                                                        [&](std::string_view prefix, bool all_in) {
                                                          return pieces.parse(prefix,
                                                                              closed && all_in);
                                                        })
                        == outcome);
    if (outcome != http_parse_outcome::complete)
      break;
    CERTMINT_FUZZ_CHECK(whole.consumed() > 0 && whole.consumed() <= input.size());
    CERTMINT_FUZZ_CHECK(whole.consumed() == pieces.consumed());
    CERTMINT_FUZZ_CHECK(whole.response().status == pieces.response().status);
    CERTMINT_FUZZ_CHECK(whole.response().headers == pieces.response().headers);
    CERTMINT_FUZZ_CHECK(whole.response().body == pieces.response().body);
    CERTMINT_FUZZ_CHECK(whole.response().keep_alive == pieces.response().keep_alive);
    CERTMINT_FUZZ_CHECK(whole.response().body.size() <= limits.max_body_bytes);
    input.remove_prefix(whole.consumed());
    whole.reset();
    pieces.reset();
  }
  return 0;
}
