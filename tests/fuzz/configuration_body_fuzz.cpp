// The JSON bodies of the configuration, approval, search and revocation
// routes, and the TTL and time grammars they use. The first byte picks the
// parser, the rest is the body: any bytes give a value or the error to answer with
// (400 for malformed JSON, 422 with the issues found), never a crash and
// never undefined behaviour on a number too large for its field.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/time_format.hpp"
#include "engine/ttl.hpp"
#include "gateway/approval_policy_parser.hpp"
#include "gateway/ca_parser.hpp"
#include "gateway/policy_parser.hpp"
#include "gateway/profile_parser.hpp"
#include "gateway/request_search_parser.hpp"
#include "gateway/revocation_parser.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace {

// Parses into a fresh Body; a refusal must be one a client can be given.
template <class Body, class Parse> void check_parse(Parse parse) {
  Body out;
  auto error = parse(out);
  if (!error)
    return;
  CERTMINT_FUZZ_CHECK(error->code == certmint::errc::bad_request
                      || error->code == certmint::errc::validation_failed);
  CERTMINT_FUZZ_CHECK(!error->message.empty() || !error->issues.empty());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace certmint;
  if (size == 0)
    return 0;
  std::string_view body{reinterpret_cast<const char*>(data) + 1, size - 1};
  const bool create = (data[0] & 0x80) != 0;
  switch (data[0] & 0x0f) {
    case 0:
      check_parse<policy_body>([&](auto& out) { return parse_policy_body(body, create, out); });
      break;
    case 1:
      check_parse<profile_body>([&](auto& out) { return parse_profile_body(body, create, out); });
      break;
    case 2:
      check_parse<approval_policy_body>(
          [&](auto& out) { return parse_approval_policy_body(body, create, 3600, out); });
      break;
    case 3:
      check_parse<std::string>([&](auto& out) { return parse_approval_decision_body(body, out); });
      break;
    case 4:
      check_parse<ca_create_body>([&](auto& out) { return parse_ca_create_body(body, out); });
      break;
    case 5:
      check_parse<ca_patch_body>([&](auto& out) { return parse_ca_patch_body(body, out); });
      break;
    case 6:
      check_parse<sign_intermediate_body>(
          [&](auto& out) { return parse_sign_intermediate_body(body, out); });
      break;
    case 7:
      check_parse<import_certificate_body>(
          [&](auto& out) { return parse_import_certificate_body(body, out); });
      break;
    case 8:
      check_parse<request_query>([&](auto& out) { return parse_request_search_body(body, out); });
      break;
    case 9: {
      auto ttl = parse_ttl(body);
      CERTMINT_FUZZ_CHECK(!ttl || *ttl > 0);
      break;
    }
    case 10:
      check_parse<revocation_reason>([&](auto& out) { return parse_revocation_body(body, out); });
      break;
    default:
      // A time that parses formats back to a time that parses to it.
      if (auto t = parse_iso8601(body)) {
        auto again = parse_iso8601(format_iso8601(*t));
        CERTMINT_FUZZ_CHECK(again && *again == *t);
      }
      break;
  }
  return 0;
}
