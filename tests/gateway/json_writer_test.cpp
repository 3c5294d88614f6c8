#include <catch2/catch.hpp>

#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "engine/pem.hpp"
#include "gateway/json_writer.hpp"

using namespace certmint;

TEST_CASE("json writer escapes what JSON requires and copies the rest", "[gateway][json]") {
  auto quoted = [](std::string_view text) {
    std::string out;
    append_json_string(out, text);
    return out;
  };
  CHECK(quoted("") == R"("")");
  CHECK(quoted("plain text") == R"("plain text")");
  CHECK(quoted("a\"b\\c") == R"("a\"b\\c")");
  CHECK(quoted("-----BEGIN X-----\nAB+/=\n-----END X-----\n")
        == R"("-----BEGIN X-----\nAB+/=\n-----END X-----\n")");
  CHECK(quoted("\r\t") == R"("\r\t")");
  CHECK(quoted(std::string_view{"\x00\x01\x1f", 3}) == R"("\u0000\u0001\u001f")");
  CHECK(quoted("\"") == R"("\"")");
  CHECK(quoted("end\\") == R"("end\\")");
  // UTF-8 and DEL pass through unchanged.
  CHECK(quoted("caf\xc3\xa9 \x7f") == "\"caf\xc3\xa9 \x7f\"");
  std::string appended = "x";
  append_json_string(appended, "y\n");
  CHECK(appended == R"(x"y\n")");

  // Every escape at every position around the 16-byte steps, and bytes
  // above 0x7f (never escaped), against a plain reference.
  auto reference = [](std::string_view text) {
    std::string out = "\"";
    for (unsigned char c : text) {
      if (c == '"' || c == '\\')
        out += std::string{'\\', static_cast<char>(c)};
      else if (c == '\n')
        out += "\\n";
      else if (c == '\r')
        out += "\\r";
      else if (c == '\t')
        out += "\\t";
      else if (c < 0x20) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        out += buf;
      } else
        out += static_cast<char>(c);
    }
    return out + "\"";
  };
  for (char special : {'"', '\\', '\n', '\r', '\t', '\x00', '\x01', '\x1f', '\x7f', '\x80', '\xff'})
    for (size_t at = 0; at < 40; ++at) {
      std::string text(40, 'a');
      text[at] = special;
      text[39 - at / 2] = special;
      CAPTURE(static_cast<int>(static_cast<unsigned char>(special)), at);
      CHECK(quoted(text) == reference(text));
    }

  // One escape at each position of every length up to two steps: the part
  // after the last full step is checked on a padded copy.
  for (size_t length = 1; length <= 33; ++length)
    for (size_t at = 0; at < length; ++at) {
      std::string text(length, 'k');
      text[at] = '"';
      CAPTURE(length, at);
      CHECK(quoted(text) == reference(text));
    }

  // Strings dense in escapes of both lengths (two bytes and six), of every
  // length around the 16-byte steps, so that runs and escapes meet at
  // every offset.
  std::mt19937 rng{20261205};
  const std::string alphabet = std::string{"ab\"\\\n\r\t\x01\x1f\x7f\xc3"} + '\0';
  std::uniform_int_distribution<size_t> pick(0, alphabet.size() - 1);
  for (size_t length = 0; length < 100; ++length)
    for (int round = 0; round < 20; ++round) {
      std::string text;
      for (size_t i = 0; i < length; ++i)
        text += alphabet[pick(rng)];
      CAPTURE(length, round);
      CHECK(quoted(text) == reference(text));
    }

  json_writer w;
  w.begin_object().key("k\"ey").value("v\n").key("n").value(int64_t{-3}).end_object();
  CHECK(w.str() == R"({"k\"ey":"v\n","n":-3})");

  // Parts written as one string, escaped where they lie; `count` may be
  // less than the parts there are, and an escape may end one part.
  const std::vector<std::string> parts = {"a\n", "\"b", "c\\"};
  json_writer joined;
  joined.begin_array();
  for (size_t count = 0; count <= parts.size() + 1; ++count)
    joined.concatenation(parts, count);
  joined.end_array();
  CHECK(joined.str() == R"(["","a\n","a\n\"b","a\n\"bc\\","a\n\"bc\\"])");
}

TEST_CASE("PEM written straight into JSON equals the PEM text escaped", "[gateway][json]") {
  // Every length from empty through several 48-byte (one 64-character
  // line) multiples, so that each padding and each line end is covered.
  std::mt19937 random{7};
  std::vector<std::string> ders;
  for (size_t length = 0; length <= 200; ++length) {
    std::string der(length, '\0');
    for (auto& c : der)
      c = static_cast<char>(random());
    ders.push_back(der);
  }
  for (const auto& der : ders) {
    CAPTURE(der.size());
    std::string appended = "prefix";
    append_pem(appended, "CERTIFICATE", der);
    CHECK(appended == "prefix" + pem_encode("CERTIFICATE", der));
    json_writer direct;
    direct.begin_array().pem("CERTIFICATE", der).end_array();
    json_writer escaped;
    escaped.begin_array().value(pem_encode("CERTIFICATE", der)).end_array();
    CHECK(direct.str() == escaped.str());
  }
}
