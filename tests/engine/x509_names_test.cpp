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
      {{"CN", "first"}, {"CN", "second"}, {"O", "earlier"}, {"O", "later"}},
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
  auto repeated = *read_subject_der(name_der({{"CN", "first"}, {"CN", "second"}}));
  CHECK(repeated.common_name == "first");
  // An empty first value counts too, as in OpenSSL (its encoder refuses to
  // make one; its decoder reads it).
  auto empty_first = raw_name({{o_oid, der::utf8_string_tag, ""},
                               {o_oid, der::utf8_string_tag, "later"},
                               {cn_oid, der::printable_string_tag, "x"}});
  REQUIRE(read_subject_der(empty_first));
  REQUIRE(openssl_reading(empty_first));
  CHECK(*read_subject_der(empty_first) == *openssl_reading(empty_first));
  CHECK(read_subject_der(empty_first)->organization.empty());
}

TEST_CASE("the DER subject reader leaves uncommon names to OpenSSL", "[engine][names]") {
  // Each is a valid name that OpenSSL reads; the reader declines it, and the
  // caller falls back to OpenSSL, so nothing is lost.
  const std::vector<std::vector<attribute>> uncommon = {
      {{"emailAddress", "ops@example.com", MBSTRING_ASC}, {"CN", "x"}},
      {{"serialNumber", "1234", MBSTRING_ASC}},
      {{"CN", "a"}, {"O", "joined", MBSTRING_UTF8, -1}},
      {{"DC", "example", MBSTRING_ASC}},
  };
  std::vector<std::string> names;
  names.reserve(uncommon.size() + 2);
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
