#include <catch2/catch.hpp>

#include "storage/codec.hpp"

using namespace certmint;

namespace {

request_record sample_request() {
  request_record r;
  r.id = "01a201d8-861d-7e65-9229-edf72d610545";
  r.status = request_status::pending;
  r.profile_id = "profile";
  r.ca_id = "ca";
  r.serial = std::string("\x01\x00\xff\x7f", 4);
  r.csr_pem = "-----BEGIN CERTIFICATE REQUEST-----\n...";
  r.managed_key = true;
  r.plan.subject.common_name = "svc.example.com";
  r.plan.subject.country = "DE";
  r.plan.sans = {{san_type::dns_name, "svc"}, {san_type::ip_address, "::1"}};
  r.plan.key_usages = ku_digital_signature | ku_decipher_only;
  r.plan.ext_key_usages = eku_any_purpose;
  r.plan.key_alg = key_algorithm::rsa_4096;
  r.plan.signature_alg = {key_family::rsa, hash_algorithm::sha512};
  r.plan.public_key_der = std::string(300, '\0');
  r.plan.not_before = -5;
  r.plan.not_after = 4102444800;
  r.requested_by = "admin";
  r.metadata = {{"team", "payments"}, {"", ""}};
  r.created_at = 1795326231;
  r.updated_at = 1795326232;
  return r;
}

} // namespace

TEST_CASE("request records round-trip", "[storage][codec]") {
  auto r = sample_request();
  auto bytes = encode_record(r);
  auto back = decode_record<request_record>(bytes);
  REQUIRE(back);
  CHECK(back->id == r.id);
  CHECK(back->status == r.status);
  CHECK(back->serial == r.serial);
  CHECK(back->managed_key);
  CHECK(back->plan.subject.common_name == "svc.example.com");
  CHECK(back->plan.subject.country == "DE");
  CHECK(back->plan.sans == r.plan.sans);
  CHECK(back->plan.key_usages == r.plan.key_usages);
  CHECK(back->plan.ext_key_usages == r.plan.ext_key_usages);
  CHECK(back->plan.key_alg == key_algorithm::rsa_4096);
  CHECK(back->plan.signature_alg == r.plan.signature_alg);
  CHECK(back->plan.public_key_der == r.plan.public_key_der);
  CHECK(back->plan.not_before == -5);
  CHECK(back->plan.not_after == 4102444800);
  CHECK(back->metadata == r.metadata);
  CHECK(back->created_at == r.created_at);
  CHECK(back->updated_at == r.updated_at);
}

TEST_CASE("CRL records round-trip, the largest CRL number included", "[storage][codec]") {
  crl_record crl;
  crl.id = "01a201d8-861d-7e65-9229-edf72d610546";
  crl.ca_id = "ca";
  crl.number = 0xffffffffffffffff;
  crl.this_update = 1795326231;
  crl.next_update = 1795931031;
  crl.der = std::string("\x30\x00\xff", 3);
  crl.revocations_seen = 12;
  auto back = decode_record<crl_record>(encode_record(crl));
  REQUIRE(back);
  CHECK(back->id == crl.id);
  CHECK(back->ca_id == "ca");
  CHECK(back->number == crl.number);
  CHECK(back->this_update == crl.this_update);
  CHECK(back->next_update == crl.next_update);
  CHECK(back->der == crl.der);
  CHECK(back->revocations_seen == 12);
  CHECK_FALSE(decode_record<crl_record>(encode_record(crl).substr(0, 10)));
}

TEST_CASE("profile records with optional defaults round-trip", "[storage][codec]") {
  profile_record p;
  p.id = "id";
  p.slug = "default";
  p.defaults.ttl_days = 90;
  p.defaults.signature_alg = signature_algorithm{key_family::ecdsa, hash_algorithm::sha384};
  auto back = decode_record<profile_record>(encode_record(p));
  REQUIRE(back);
  CHECK(back->defaults.ttl_days == 90);
  CHECK_FALSE(back->defaults.key_usages);
  CHECK(back->defaults.signature_alg->hash == hash_algorithm::sha384);
}

TEST_CASE("corrupt records are refused, never misread", "[storage][codec][malformed]") {
  auto bytes = encode_record(sample_request());
  auto error = [](std::string_view b) {
    auto r = decode_record<request_record>(b);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::storage_failure);
    return r.error().message;
  };
  CHECK(error("") == "stored request_record is corrupt: truncated header");
  CHECK(error(bytes.substr(0, 1)) == "stored request_record is corrupt: truncated header");
  auto wrong_tag = bytes;
  wrong_tag[0] = 'C';
  CHECK(error(wrong_tag) == "stored request_record is corrupt: wrong record tag");
  auto wrong_version = bytes;
  wrong_version[1] = 9;
  CHECK(error(wrong_version) == "stored request_record is corrupt: unknown version 9");
  CHECK(error(bytes + "x") == "stored request_record is corrupt: trailing bytes");
  // Every truncation point fails cleanly.
  for (size_t len = 2; len < bytes.size(); ++len) {
    CAPTURE(len);
    CHECK_FALSE(decode_record<request_record>(std::string_view{bytes}.substr(0, len)));
  }
  // A huge length prefix does not allocate or read out of bounds.
  std::string huge = bytes.substr(0, 2) + std::string("\xff\xff\xff\xff\xff\xff\xff\xff\x7f", 9);
  CHECK_FALSE(decode_record<request_record>(huge));
}
