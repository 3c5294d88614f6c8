#include <catch2/catch.hpp>

#include <openssl/x509.h>

#include <random>
#include <tuple>

#include "engine/der.hpp"
#include "engine/x509_names.hpp"

using namespace certmint;

namespace {

struct attribute {
  const char* type; ///< OpenSSL short name: CN, O, OU, C, ST, L, emailAddress...
  std::string value;
  int string_type = MBSTRING_UTF8; ///< or MBSTRING_ASC
  int set = 0;                     ///< -1: joins the previous RDN (multi-valued)
};

std::string name_der(const std::vector<attribute>& attributes) {
  x509_name_ptr name{X509_NAME_new()};
  for (const auto& a : attributes)
    REQUIRE(X509_NAME_add_entry_by_txt(name.get(), a.type, a.string_type,
                                       reinterpret_cast<const unsigned char*>(a.value.data()),
                                       static_cast<int>(a.value.size()), -1, a.set)
            == 1);
  unsigned char* out = nullptr;
  auto len = i2d_X509_NAME(name.get(), &out);
  REQUIRE(len > 0);
  std::string der(reinterpret_cast<char*>(out), static_cast<size_t>(len));
  OPENSSL_free(out);
  return der;
}

// What OpenSSL reads from the same bytes (nullopt: it refuses them).
std::optional<subject_fields> openssl_reading(const std::string& der) {
  auto ptr = reinterpret_cast<const unsigned char*>(der.data());
  x509_name_ptr name{d2i_X509_NAME(nullptr, &ptr, static_cast<long>(der.size()))};
  if (!name || ptr != reinterpret_cast<const unsigned char*>(der.data() + der.size()))
    return std::nullopt;
  return read_subject(name.get());
}

// A name of single-valued RDNs, each an attribute (OID content bytes) with
// a value of the given string tag, encoded by hand.
std::string
raw_name(std::initializer_list<std::tuple<std::string_view, uint8_t, std::string_view>> rdns) {
  std::string content;
  for (const auto& [oid, tag, value] : rdns)
    content +=
        der::tlv(der::set_tag, der::sequence({der::tlv(der::oid_tag, oid), der::tlv(tag, value)}));
  return der::tlv(der::sequence_tag, content);
}

constexpr std::string_view cn_oid{"\x55\x04\x03", 3};
constexpr std::string_view o_oid{"\x55\x04\x0a", 3};

} // namespace

TEST_CASE("the DER subject reader reads what OpenSSL reads", "[engine][names]") {
  const std::vector<std::vector<attribute>> common = {
      {},
      {{"CN", "app.example.com"}},
      {{"CN", "app.example.com", MBSTRING_ASC}},
      {{"C", "DE", MBSTRING_ASC},
       {"ST", "Bayern"},
       {"L", "München"},
       {"O", "Exämple GmbH"},
       {"OU", "Ops"},
       {"CN", "日本語.example"}},
      {{"CN", "emoji 🔐 and NUL-free"}},
  };
  for (const auto& attributes : common) {
    auto der = name_der(attributes);
    CAPTURE(der.size());
    auto mine = read_subject_der(der);
    REQUIRE(mine);
    auto theirs = openssl_reading(der);
    REQUIRE(theirs);
    CHECK(*mine == *theirs);
  }
  // An empty value is read as OpenSSL reads it (its encoder refuses to
  // make one; its decoder reads it).
  auto empty =
      raw_name({{o_oid, der::utf8_string_tag, ""}, {cn_oid, der::printable_string_tag, "x"}});
  REQUIRE(read_subject_der(empty));
  REQUIRE(openssl_reading(empty));
  CHECK(*read_subject_der(empty) == *openssl_reading(empty));
  CHECK(read_subject_der(empty)->organization.empty());
}

TEST_CASE("the DER subject reader leaves uncommon names to OpenSSL", "[engine][names]") {
  // Each is a valid name that OpenSSL reads; the reader declines it, and the
  // caller falls back to OpenSSL, which reads it or, through
  // check_csr_subject, refuses it with the reason.
  const std::vector<std::vector<attribute>> uncommon = {
      {{"emailAddress", "ops@example.com", MBSTRING_ASC}, {"CN", "x"}},
      {{"serialNumber", "1234", MBSTRING_ASC}},
      {{"CN", "a"}, {"O", "joined", MBSTRING_UTF8, -1}},
      {{"DC", "example", MBSTRING_ASC}},
      {{"CN", "first"}, {"CN", "second"}},
      {{"CN", "a\x01"
              "b"}},
  };
  std::vector<std::string> names;
  names.reserve(uncommon.size() + 3);
  // A repeat whose first value is empty.
  names.push_back(raw_name({{o_oid, der::utf8_string_tag, ""},
                            {o_oid, der::utf8_string_tag, "later"},
                            {cn_oid, der::printable_string_tag, "x"}}));
  for (const auto& attributes : uncommon)
    names.push_back(name_der(attributes));
  names.push_back(raw_name({{cn_oid, 0x1e, std::string_view{"\0b\0m\0p", 6}}})); // BMPString
  names.push_back(raw_name({{cn_oid, 0x14, "t61"}}));                            // T61String
  for (size_t i = 0; i < names.size(); ++i) {
    CAPTURE(i);
    CHECK_FALSE(read_subject_der(names[i]));
    CHECK(openssl_reading(names[i]));
  }
}

TEST_CASE("the DER subject reader refuses malformed names", "[engine][names][malformed]") {
  auto good = name_der({{"C", "DE", MBSTRING_ASC}, {"CN", "app.example.com"}});
  REQUIRE(read_subject_der(good));
  std::vector<std::string> malformed = {
      "",
      good.substr(0, good.size() - 1),                  // truncated
      good + std::string{"\x00", 1},                    // trailing byte
      std::string{"\x31\x00", 2},                       // a SET where the SEQUENCE belongs
      der::sequence({der::tlv(der::sequence_tag, "")}), // an RDN that is not a SET
      der::sequence({der::tlv(der::set_tag, "")}),      // an empty RDN
      // an attribute without a value, and one with a third element
      der::sequence(
          {der::tlv(der::set_tag, der::sequence({der::tlv(der::oid_tag, "\x55\x04\x03")}))}),
      der::sequence({der::tlv(der::set_tag, der::sequence({der::tlv(der::oid_tag, "\x55\x04\x03"),
                                                           der::tlv(der::utf8_string_tag, "a"),
                                                           der::tlv(der::utf8_string_tag, "b")}))}),
  };
  auto with_value = [](uint8_t tag, std::string_view bytes) {
    return der::sequence(
        {der::tlv(der::set_tag,
                  der::sequence({der::tlv(der::oid_tag, "\x55\x04\x03"), der::tlv(tag, bytes)}))});
  };
  for (std::string_view bad_utf8 : {std::string_view{"\xc0\xaf"},         // overlong '/'
                                    std::string_view{"\xed\xa0\x80"},     // a surrogate
                                    std::string_view{"\xf4\x90\x80\x80"}, // past U+10FFFF
                                    std::string_view{"\xe6\x97"},         // cut short
                                    std::string_view{"\xff"}})
    malformed.push_back(with_value(der::utf8_string_tag, bad_utf8));
  malformed.push_back(
      with_value(der::printable_string_tag, "caf\xe9")); // Latin-1 in a PrintableString
  malformed.push_back(with_value(0x2c, "a"));            // a constructed UTF8String
  for (const auto& bad : malformed) {
    CAPTURE(bad.size());
    CHECK_FALSE(read_subject_der(bad));
  }
  // Well-formed text of the three accepted string types is read as is.
  CHECK(read_subject_der(with_value(der::utf8_string_tag, "\xe2\x82\xac"))->common_name
        == "\xe2\x82\xac");
  CHECK(read_subject_der(with_value(der::printable_string_tag, "Example"))->common_name
        == "Example");
  CHECK(read_subject_der(with_value(der::ia5_string_tag, "a@b"))->common_name == "a@b");
}

TEST_CASE("whatever the DER subject reader accepts, OpenSSL reads the same",
          "[engine][names][malformed]") {
  // Mutations of a typical name: wherever the reader answers, OpenSSL must
  // accept the bytes and read the same fields, or the fast path would
  // accept a subject that the OpenSSL path refuses or reads differently.
  auto base = name_der({{"C", "DE", MBSTRING_ASC},
                        {"ST", "Bayern"},
                        {"O", "Exämple GmbH"},
                        {"OU", "Ops", MBSTRING_ASC},
                        {"CN", "app.example.com"}});
  std::mt19937 random{20261205};
  int answered = 0;
  for (int round = 0; round < 20000; ++round) {
    auto bytes = base;
    auto flips = 1 + random() % 3;
    for (unsigned f = 0; f < flips; ++f)
      bytes[random() % bytes.size()] = static_cast<char>(random() % 256);
    auto mine = read_subject_der(bytes);
    if (!mine)
      continue;
    ++answered;
    auto theirs = openssl_reading(bytes);
    CAPTURE(round);
    REQUIRE(theirs);
    REQUIRE(*mine == *theirs);
  }
  CHECK(answered > 0);
}

namespace {

// check_csr_subject's answer for a name: "" when it passes, else the
// message.
std::string csr_subject_refusal(const std::string& der,
                                csr_subject_rule rule = csr_subject_rule::policy_judged) {
  auto ptr = reinterpret_cast<const unsigned char*>(der.data());
  x509_name_ptr name{d2i_X509_NAME(nullptr, &ptr, static_cast<long>(der.size()))};
  REQUIRE(name);
  auto ok = check_csr_subject(name.get(), rule);
  return ok ? std::string{} : ok.error().message;
}

} // namespace

TEST_CASE("a CSR subject may hold only what a policy judges", "[engine][names][malformed]") {
  // The six attributes once each, in any order and any text string type,
  // pass; so does an empty name.
  CHECK(csr_subject_refusal(name_der({})).empty());
  CHECK(csr_subject_refusal(name_der({{"CN", "app.example.com"},
                                      {"O", "Exämple"},
                                      {"OU", "Ops", MBSTRING_ASC},
                                      {"L", "München"},
                                      {"ST", "Bayern"},
                                      {"C", "DE", MBSTRING_ASC}}))
            .empty());
  CHECK(csr_subject_refusal(raw_name({{cn_oid, 0x1e, std::string_view{"\0b\0m\0p", 6}}})).empty());
  // The CN a policy judged is the first; a second would reach the
  // certificate unjudged.
  CHECK(csr_subject_refusal(name_der({{"CN", "app.example.com"}, {"CN", "evil.example"}}))
        == "Invalid CSR: subject attribute CN appears more than once; a policy judges one value "
           "of each attribute");
  CHECK(csr_subject_refusal(
            raw_name({{o_oid, der::utf8_string_tag, ""}, {o_oid, der::utf8_string_tag, "Evil"}}))
        == "Invalid CSR: subject attribute O appears more than once; a policy judges one value "
           "of each attribute");
  CHECK(csr_subject_refusal(name_der({{"CN", "a"}, {"O", "joined", MBSTRING_UTF8, -1}}))
        == "Invalid CSR: the subject has a multi-valued RDN (O joined to another attribute); "
           "give each attribute its own RDN");
  for (const auto* type : {"emailAddress", "serialNumber", "DC", "title"}) {
    CAPTURE(type);
    CHECK(csr_subject_refusal(name_der({{"CN", "x"}, {type, "value", MBSTRING_ASC}}))
          == "Invalid CSR: subject attribute " + std::string{type}
                 + " is not supported; a subject may hold C, ST, L, O, OU and CN");
  }
  // An attribute OpenSSL has no name for is named by its OID.
  auto unnamed = raw_name(
      {{std::string_view{"\x2b\x06\x01\x04\x01\x82\x37\x99\x01", 9}, der::utf8_string_tag, "x"}});
  CHECK(csr_subject_refusal(unnamed)
        == "Invalid CSR: subject attribute 1.3.6.1.4.1.311.3201 is not supported; a subject may "
           "hold C, ST, L, O, OU and CN");
  // Control characters, in each string type that can carry one: NUL (the
  // classic "a.example\0.evil" name), other C0 controls, DEL, and C1.
  for (std::string_view value :
       {std::string_view{"evil.example\0.acme.com", 22}, std::string_view{"a\nb"},
        std::string_view{"a\x7f"}, std::string_view{"a\xc2\x85"}}) {
    CAPTURE(value);
    CHECK(csr_subject_refusal(raw_name({{cn_oid, der::utf8_string_tag, value}}))
          == "Invalid CSR: subject attribute CN contains a control character");
  }
  CHECK(csr_subject_refusal(raw_name({{cn_oid, der::ia5_string_tag, "a\tb"}}))
        == "Invalid CSR: subject attribute CN contains a control character");
  CHECK(csr_subject_refusal(raw_name({{cn_oid, 0x1e, std::string_view{"\0a\0\0", 4}}}))
        == "Invalid CSR: subject attribute CN contains a control character");
  // A value that is no string at all.
  CHECK(csr_subject_refusal(raw_name({{cn_oid, der::sequence_tag, ""}}))
        == "Invalid CSR: subject attribute CN is not a text string");
}

TEST_CASE("a subordinate CA's CSR subject may hold any attributes, as text",
          "[engine][names][malformed]") {
  constexpr auto any = csr_subject_rule::any_attributes;
  CHECK(csr_subject_refusal(name_der({{"DC", "com", MBSTRING_ASC},
                                      {"DC", "example", MBSTRING_ASC},
                                      {"OU", "Issuing"},
                                      {"OU", "Europe"},
                                      {"CN", "Example Issuing CA"},
                                      {"serialNumber", "2", MBSTRING_ASC, -1}}),
                            any)
            .empty());
  CHECK(csr_subject_refusal(raw_name({{o_oid, der::utf8_string_tag, std::string_view{"A\0B", 3}}}),
                            any)
        == "Invalid CSR: subject attribute O contains a control character");
  CHECK(csr_subject_refusal(raw_name({{cn_oid, der::sequence_tag, ""}}), any)
        == "Invalid CSR: subject attribute CN is not a text string");
}
