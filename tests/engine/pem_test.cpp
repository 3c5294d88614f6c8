#include <catch2/catch.hpp>

#include <string>

#include <openssl/pem.h>

#include "engine/hex.hpp"
#include "engine/openssl_types.hpp"
#include "engine/pem.hpp"

using namespace certmint;

namespace {

// OpenSSL's own PEM writer, the reference for our encoder and decoder.
std::string openssl_pem(const std::string& label, const std::string& der) {
  bio_ptr bio{BIO_new(BIO_s_mem())};
  PEM_write_bio(bio.get(), label.c_str(), "", reinterpret_cast<const unsigned char*>(der.data()),
                static_cast<long>(der.size()));
  char* data = nullptr;
  auto len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

} // namespace

TEST_CASE("PEM encoding matches OpenSSL's and decodes back", "[engine][pem]") {
  for (size_t size = 1; size < 200; ++size) {
    CAPTURE(size);
    auto der = random_bytes(size);
    auto ours = pem_encode("CERTIFICATE", der);
    CHECK(ours == openssl_pem("CERTIFICATE", der));
    auto back = pem_decode(ours, {"CERTIFICATE"});
    REQUIRE(back);
    CHECK(*back == der);
  }
}

TEST_CASE("PEM decoding: the lax forms RFC 7468 allows", "[engine][pem]") {
  const std::string der = "\x30\x03\x02\x01\x05";
  auto pem = pem_encode("CERTIFICATE REQUEST", der);
  // CRLF line ends, blanks inside the base64 text, text around the block.
  std::string crlf;
  for (char c : pem)
    crlf += c == '\n' ? std::string{"\r\n"} : std::string{c};
  CHECK(pem_decode(crlf, {"CERTIFICATE REQUEST"}) == der);
  CHECK(pem_decode("-----BEGIN CERTIFICATE REQUEST-----\n MAMC \t AQU=\n"
                   "-----END CERTIFICATE REQUEST-----",
                   {"CERTIFICATE REQUEST"})
        == der);
  CHECK(pem_decode("explanatory text\n" + pem + "trailing text", {"CERTIFICATE REQUEST"}) == der);
  // Where the block ends: just past its END line, whatever follows.
  size_t block_end = 0;
  const std::string before = "explanatory text\n";
  REQUIRE(pem_decode(before + pem + "trailing text", {"CERTIFICATE REQUEST"}, &block_end));
  CHECK(block_end == before.size() + pem.size() - 1); // pem_encode ends with a newline
  CHECK(pem_decode(pem, {"NEW CERTIFICATE REQUEST", "CERTIFICATE REQUEST"}) == der);
  // A break after every character: no run of four, every byte decoded one
  // character at a time.
  for (size_t size = 1; size < 40; ++size) {
    CAPTURE(size);
    auto bytes = random_bytes(size);
    auto block = pem_encode("CERTIFICATE", bytes);
    auto body_at = block.find('\n') + 1;
    auto body_end = block.find("-----END");
    std::string spread = block.substr(0, body_at);
    for (auto i = body_at; i < body_end; ++i)
      if (block[i] != '\n')
        spread += std::string{block[i]} + "\r\n";
    spread += block.substr(body_end);
    CHECK(pem_decode(spread, {"CERTIFICATE"}) == bytes);
  }
}

TEST_CASE("PEM decoding refuses what is not one block of base64", "[engine][pem][malformed]") {
  auto block = [](const std::string& body, const std::string& end = "CERTIFICATE") {
    return "-----BEGIN CERTIFICATE-----\n" + body + "\n-----END " + end + "-----\n";
  };
  const std::initializer_list<std::string_view> cert = {"CERTIFICATE"};
  CHECK_FALSE(pem_decode("", cert));
  CHECK_FALSE(pem_decode("no block here", cert));
  CHECK_FALSE(pem_decode(block("MAMCAQU="), {"PRIVATE KEY"}));
  CHECK_FALSE(pem_decode(block("MAMCAQU=", "CERTIFICATE REQUEST"), cert));
  CHECK_FALSE(pem_decode("-----BEGIN CERTIFICATE-----\nMAMCAQU=\n", cert));
  CHECK_FALSE(pem_decode("-----BEGIN CERTIFICATE", cert));
  CHECK_FALSE(pem_decode(block(""), cert));
  CHECK_FALSE(pem_decode(block("!!!!"), cert));
  CHECK_FALSE(pem_decode(block("MAMCAQ"), cert)); // not a multiple of four
  CHECK_FALSE(pem_decode(block("MAMCAQU"), cert));
  CHECK_FALSE(pem_decode(block("M==="), cert));     // too much padding
  CHECK_FALSE(pem_decode(block("MA=A"), cert));     // data after padding
  CHECK_FALSE(pem_decode(block("MA==MAMC"), cert)); // a quad after a padded one
  CHECK_FALSE(pem_decode(block("Proc-Type: 4,ENCRYPTED\n\nMAMCAQU="), cert));
  CHECK_FALSE(pem_decode(block(std::string{"MAMC\0AQU=", 9}), cert));
  CHECK(pem_decode(block("MA=="), cert) == std::string{"\x30"});
  CHECK(pem_decode(block("MAM="), cert) == std::string{"\x30\x03"});
}
