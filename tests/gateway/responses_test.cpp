#include <catch2/catch.hpp>

#include <string>

#include <simdjson.h>

#include "engine/pem.hpp"
#include "gateway/responses.hpp"
#include "storage/catalog.hpp"

using namespace certmint;

namespace {

std::string bytes(size_t size, char seed) {
  std::string out(size, '\0');
  for (size_t i = 0; i < size; ++i)
    out[i] = static_cast<char>(seed + static_cast<char>(i * 7));
  return out;
}

// DER sizes around the 48-byte line: a full last line, and short ones.
ca_view three_certificate_ca() {
  ca_record record;
  record.id = "ca";
  record.certificate_der = bytes(480, 1);
  record.parent_chain_der = {bytes(433, 2), bytes(1, 3)};
  return make_ca_view(record);
}

} // namespace

TEST_CASE("answers carry the CA's chain, rendered once per snapshot, as one JSON string",
          "[gateway][json]") {
  auto ca = three_certificate_ca();
  REQUIRE(ca.chain_pem.size() == 3);
  auto joined = join_chain(ca.chain_pem);

  simdjson::dom::parser parser;
  std::string_view chain;
  REQUIRE(!parser.parse(ca.chain_json).get(chain));
  CHECK(chain == joined);

  request_record request;
  request.status = request_status::issued;
  certificate_record cert;
  cert.der = bytes(300, 4);
  auto answer = render_request(request, &cert, &ca);
  simdjson::dom::element doc;
  REQUIRE(!parser.parse(answer).get(doc));
  REQUIRE(!doc["certificateChain"].get(chain));
  CHECK(chain == joined);
  std::string_view certificate;
  REQUIRE(!doc["certificate"].get(certificate));
  CHECK(certificate == pem_encode("CERTIFICATE", cert.der));

  // Without its CA (deleted since), the chain is empty rather than wrong.
  REQUIRE(!parser.parse(render_request(request, &cert, nullptr)).get(doc));
  REQUIRE(!doc["certificateChain"].get(chain));
  CHECK(chain.empty());
  REQUIRE(!parser.parse(render_certificate_body(cert, nullptr)).get(doc));
  CHECK(doc["certificateChain"].is_null());
  REQUIRE(!parser.parse(render_certificate_body(cert, &ca)).get(doc));
  REQUIRE(!doc["certificateChain"].get(chain));
  CHECK(chain == joined);
}

TEST_CASE("the issuance answer carries the chain, with or without its root, as one JSON string",
          "[gateway][json]") {
  auto ca = three_certificate_ca();
  issuance_result result;
  result.request_id = "r";
  result.status = "issued";
  result.certificate_der = bytes(300, 4);
  result.issuing_ca_pem = ca.chain_pem.front();
  result.chain_pem = ca.chain_pem;
  result.private_key_pem = pem_encode("PRIVATE KEY", bytes(121, 5));
  simdjson::dom::parser parser;
  for (bool remove_roots : {false, true}) {
    CAPTURE(remove_roots);
    simdjson::dom::element doc;
    REQUIRE(!parser.parse(render_issuance(result, remove_roots)).get(doc));
    std::string_view text;
    REQUIRE(!doc.at_pointer("/certificate/certificateChain").get(text));
    // removeRootsFromChain leaves out the last block, the root.
    auto expected = ca.chain_pem[0] + ca.chain_pem[1];
    if (!remove_roots)
      expected += ca.chain_pem[2];
    CHECK(text == expected);
    REQUIRE(!doc.at_pointer("/certificate/issuingCaCertificate").get(text));
    CHECK(text == ca.chain_pem.front());
    REQUIRE(!doc.at_pointer("/certificate/certificate").get(text));
    CHECK(text == pem_encode("CERTIFICATE", result.certificate_der));
    REQUIRE(!doc.at_pointer("/certificate/privateKey").get(text));
    CHECK(text == result.private_key_pem);
  }
}
