#include <catch2/catch.hpp>

#include "gateway/api_error.hpp"
#include "gateway/issuance_request_parser.hpp"

using namespace certmint;

namespace {

constexpr const char* profile = "01a201d8-861d-7e65-9229-edf72d610545";

std::string with_profile(const std::string& members) {
  return std::string{"{\"profileId\":\""} + profile + "\"" + (members.empty() ? "" : ",") + members
         + "}";
}

api_error refuse(const std::string& body) {
  issuance_input input;
  auto err = parse_issuance_request(body, input);
  REQUIRE(err);
  return *err;
}

std::string rendered(const std::string& body) {
  auto err = refuse(body);
  CHECK(err.code == errc::validation_failed);
  return render_error_body("req-1", err);
}

} // namespace

TEST_CASE("a full issuance body parses", "[gateway][parser]") {
  issuance_input input;
  auto err = parse_issuance_request(
      with_profile(R"j("attributes":{"commonName":"a.example.com","organization":null,
      "altNames":[{"type":"dns_name","value":"a.example.com"},{"type":"ip_address","value":"10.0.0.1"}],
      "keyUsages":["digital_signature"],"extendedKeyUsages":["server_auth","client_auth"],
      "keyAlgorithm":"RSA_2048","signatureAlgorithm":"RSA-SHA384","ttl":"30d",
      "basicConstraints":{"isCA":false}},
      "removeRootsFromChain":true,"metadata":[{"key":"team","value":"x"}])j"),
      input);
  REQUIRE_FALSE(err);
  CHECK(input.profile_id == profile);
  CHECK(*input.attributes.common_name == "a.example.com");
  CHECK(input.attributes.organization == std::string{}); // null: clears a profile default
  REQUIRE(input.attributes.alt_names);
  CHECK(input.attributes.alt_names->size() == 2);
  CHECK(*input.attributes.key_usages == ku_digital_signature);
  CHECK(*input.attributes.ext_key_usages == (eku_server_auth | eku_client_auth));
  CHECK(*input.attributes.key_alg == key_algorithm::rsa_2048);
  CHECK(input.attributes.signature_alg->hash == hash_algorithm::sha384);
  CHECK(*input.attributes.ttl == "30d");
  CHECK(*input.attributes.is_ca == false);
  CHECK(input.remove_roots_from_chain);
  CHECK(input.metadata.size() == 1);
}

TEST_CASE("the CSR is trimmed and empty usage lists are kept", "[gateway][parser]") {
  issuance_input input;
  REQUIRE_FALSE(parse_issuance_request(
      with_profile(
          R"j("csr":"  -----BEGIN CERTIFICATE REQUEST-----\n  ","attributes":{"keyUsages":[]})j"),
      input));
  CHECK(*input.csr == "-----BEGIN CERTIFICATE REQUEST-----");
  REQUIRE(input.attributes.key_usages);
  CHECK(*input.attributes.key_usages == 0);
}

TEST_CASE("malformed JSON is a 400 with the reason", "[gateway][parser][malformed]") {
  for (const char* body :
       {"", "{", "{\"profileId\":}", "[1,2", "nul", "{\"a\":\"\\x\"}", "\xff\xfe", "{\"a\":1}}"}) {
    CAPTURE(body);
    auto err = refuse(body);
    CHECK(err.code == errc::bad_request);
    CHECK(err.message.rfind("Body is not valid JSON: ", 0) == 0);
  }
}

TEST_CASE("schema violations are 422 zod issues", "[gateway][parser][malformed]") {
  CHECK(
      rendered("[]")
      == R"j({"reqId":"req-1","statusCode":422,"message":[{"code":"invalid_type","expected":"object","received":"array","path":[],"message":"Expected object, received array"}],"error":"ValidationFailure"})j");
  CHECK(
      rendered("{}")
      == R"j({"reqId":"req-1","statusCode":422,"message":[{"code":"invalid_type","expected":"string","received":"undefined","path":["profileId"],"message":"Required"}],"error":"ValidationFailure"})j");
  CHECK(
      rendered(R"j({"profileId":42})j")
          .find(
              R"j("code":"invalid_type","expected":"string","received":"number","path":["profileId"],"message":"Expected string, received number")j")
      != std::string::npos);
  CHECK(
      rendered(R"j({"profileId":"nope"})j")
          .find(
              R"j({"code":"invalid_string","validation":"uuid","path":["profileId"],"message":"Invalid uuid"})j")
      != std::string::npos);
  CHECK(
      rendered(with_profile(R"j("foo":1,"bar":2)j"))
          .find(
              R"j({"code":"unrecognized_keys","keys":["foo","bar"],"path":[],"message":"Unrecognized key(s) in object: 'foo', 'bar'"})j")
      != std::string::npos);
  CHECK(rendered(with_profile(R"j("attributes":{"commonName":"x","shoeSize":9})j"))
            .find(R"j("keys":["shoeSize"],"path":["attributes"])j")
        != std::string::npos);
  CHECK(
      rendered(with_profile(R"j("csr":")j" + std::string(4097, 'a') + "\""))
          .find(
              R"j("code":"too_big","maximum":4096,"type":"string","inclusive":true,"exact":false,"path":["csr"],"message":"String must contain at most 4096 character(s)")j")
      != std::string::npos);
  CHECK(
      rendered(with_profile(R"j("removeRootsFromChain":"yes")j"))
          .find(
              R"j("path":["removeRootsFromChain"],"message":"Expected boolean, received string")j")
      != std::string::npos);
  CHECK(rendered(with_profile(R"j("attributes":{"keyUsages":["sign_everything"]})j"))
            .find(R"j("code":"invalid_enum_value","received":"sign_everything")j")
        != std::string::npos);
  CHECK(rendered(with_profile(R"j("attributes":{"altNames":[{"type":"dns","value":"a"}]})j"))
            .find(R"j("path":["attributes","altNames",0,"type"])j")
        != std::string::npos);
  CHECK(
      rendered(with_profile(R"j("attributes":{"altNames":[{"type":"dns_name","value":""}]})j"))
          .find(
              R"j("path":["attributes","altNames",0,"value"],"message":"String must contain at least 1 character(s)")j")
      != std::string::npos);
  CHECK(
      rendered(with_profile(R"j("attributes":{"ttl":"6m"})j"))
          .find(
              R"j("code":"custom","path":["attributes","ttl"],"message":"Invalid TTL '6m': 'm' is ambiguous)j")
      != std::string::npos);
  CHECK(rendered(with_profile(R"j("attributes":{"ttl":"1d","notAfter":"2030-01-01"})j"))
            .find("Cannot specify both TTL and notBefore/notAfter")
        != std::string::npos);
  CHECK(
      rendered(with_profile(R"j("attributes":{"notBefore":"2030-01-02","notAfter":"2030-01-01"})j"))
          .find("notBefore must be earlier than notAfter")
      != std::string::npos);
  CHECK(rendered(with_profile(R"j("attributes":{"notAfter":"next tuesday"})j"))
            .find(R"j("code":"invalid_date","path":["attributes","notAfter"])j")
        != std::string::npos);
  CHECK(rendered(
            with_profile(R"j("attributes":{"basicConstraints":{"isCA":true,"pathLength":256}})j"))
            .find(R"j("code":"too_big","maximum":255)j")
        != std::string::npos);
  CHECK(rendered(
            with_profile(R"j("attributes":{"basicConstraints":{"isCA":true,"pathLength":1.5}})j"))
            .find("Expected integer, received float")
        != std::string::npos);
  std::string many = R"j("attributes":{"keyUsages":[)j";
  for (int i = 0; i < 21; ++i)
    many += std::string{i ? "," : ""} + "\"digital_signature\"";
  CHECK(rendered(with_profile(many + "]}")).find("Array must contain at most 20 element(s)")
        != std::string::npos);
}

TEST_CASE("every issue is reported at once", "[gateway][parser]") {
  auto err = refuse(R"j({"profileId":1,"csr":2,"removeRootsFromChain":3,"x":4})j");
  CHECK(err.issues.size() == 4);
}

TEST_CASE("applicationId is refused clearly", "[gateway][parser]") {
  auto err = refuse(with_profile(R"j("applicationId":"01a201d8-861d-7e65-9229-edf72d610545")j"));
  CHECK(err.code == errc::bad_request);
  CHECK(err.message == "applicationId is not supported: certmint has no applications yet");
}

TEST_CASE("malformed metadata is refused with its path", "[gateway][parser]") {
  std::string entries;
  for (int i = 0; i < 51; ++i)
    entries += std::string{i ? "," : ""} + R"({"key":"k","value":"v"})";
  CHECK(rendered(with_profile("\"metadata\":[" + entries + "]"))
            .find("Array must contain at most 50 element(s)")
        != std::string::npos);
  auto err = refuse(with_profile(R"j("metadata":[{"key":"","value":"v"},{"key":"k"},
      {"key":"k","value":"v","extra":1},"text"])j"));
  REQUIRE(err.code == errc::validation_failed);
  CHECK(err.issues.size() == 4);
  auto body = render_error_body("req-1", err);
  CHECK(body.find(R"("path":["metadata",0,"key"])") != std::string::npos);
  CHECK(body.find(R"("path":["metadata",1,"value"])") != std::string::npos);
  CHECK(body.find(R"("path":["metadata",2])") != std::string::npos);
  CHECK(body.find(R"("path":["metadata",3])") != std::string::npos);
  auto long_value = R"j("metadata":[{"key":"k","value":")j" + std::string(1021, 'v') + "\"}]";
  CHECK(rendered(with_profile(long_value)).find("String must contain at most 1020 character(s)")
        != std::string::npos);
}

TEST_CASE("a member given twice is refused, at any depth", "[gateway][parser][malformed]") {
  // simdjson reads the first of two, JSON.parse the last: neither is a
  // guess a CA should make about which profile or TTL was meant.
  auto err = refuse(with_profile(
      R"j("profileId":"01a201d8-861d-7e65-9229-000000000000","attributes":{"ttl":"1d","ttl":"10y"})j"));
  REQUIRE(err.code == errc::validation_failed);
  REQUIRE(err.issues.size() == 2);
  auto body = render_error_body("req-1", err);
  CHECK(
      body.find(
          R"({"code":"custom","path":["profileId"],"message":"Duplicate key 'profileId': a member may appear once"})")
      != std::string::npos);
  CHECK(
      body.find(
          R"("path":["attributes","ttl"],"message":"Duplicate key 'ttl': a member may appear once")")
      != std::string::npos);
}
