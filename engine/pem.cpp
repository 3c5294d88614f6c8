#include "engine/pem.hpp"

#include <cstdint>
#include <cstring>

#include <openssl/err.h>
#include <openssl/pem.h>

namespace certmint {

std::string openssl_error_string() {
  std::string out;
  unsigned long code = 0;
  while ((code = ERR_get_error()) != 0) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof(buf));
    if (!out.empty())
      out += "; ";
    out += buf;
  }
  return out.empty() ? std::string{"unknown OpenSSL error"} : out;
}

namespace {

constexpr char base64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// The value of a base64 character; 64 for '=', 65 for whitespace, 66 for
// anything else.
constexpr uint8_t base64_whitespace = 65;
constexpr uint8_t base64_invalid = 66;

struct base64_table {
  uint8_t values[256];
  constexpr base64_table() : values{} {
    for (auto& v : values)
      v = base64_invalid;
    for (uint8_t i = 0; i < 64; ++i)
      values[static_cast<uint8_t>(base64_alphabet[i])] = i;
    values[static_cast<uint8_t>('=')] = 64;
    for (char c : {' ', '\t', '\r', '\n'})
      values[static_cast<uint8_t>(c)] = base64_whitespace;
  }
};

constexpr base64_table base64_values;

// The two base64 characters of every 12-bit value: a group of three bytes
// is two lookups instead of four (8 KiB, read-only).
struct base64_pair_table {
  char chars[4096][2];
  constexpr base64_pair_table() : chars{} {
    for (size_t v = 0; v < 4096; ++v) {
      chars[v][0] = base64_alphabet[v >> 6];
      chars[v][1] = base64_alphabet[v & 63];
    }
  }
};

constexpr base64_pair_table base64_pairs;

// Base64 text of a PEM body (RFC 7468: whitespace anywhere, '=' padding only
// at the end, the length a multiple of four) to bytes; nullopt otherwise.
std::optional<std::string> base64_decode(std::string_view text) {
  // Written through a pointer into a buffer sized once for the most the
  // text can hold, then cut to what it held: a push_back per byte checked
  // the capacity each time (a third of a CSR's decoding).
  std::string out(text.size() / 4 * 3 + 3, '\0');
  auto* put = reinterpret_cast<unsigned char*>(out.data());
  uint32_t quad = 0;
  int count = 0;
  int padding = 0;
  const auto* values = base64_values.values;
  for (size_t i = 0; i < text.size(); ++i) {
    // Four data characters in a row (the inside of every PEM line): values
    // of 64 and above (padding, whitespace, garbage) take the slow path.
    if (count == 0 && padding == 0 && i + 4 <= text.size()) {
      auto a = values[static_cast<uint8_t>(text[i])];
      auto b = values[static_cast<uint8_t>(text[i + 1])];
      auto c = values[static_cast<uint8_t>(text[i + 2])];
      auto d = values[static_cast<uint8_t>(text[i + 3])];
      if ((a | b | c | d) < 64) {
        uint32_t group = (uint32_t{a} << 18) | (uint32_t{b} << 12) | (uint32_t{c} << 6) | d;
        put[0] = static_cast<unsigned char>(group >> 16);
        put[1] = static_cast<unsigned char>((group >> 8) & 0xff);
        put[2] = static_cast<unsigned char>(group & 0xff);
        put += 3;
        i += 3;
        continue;
      }
    }
    auto v = values[static_cast<uint8_t>(text[i])];
    if (v == base64_whitespace)
      continue;
    if (v == base64_invalid)
      return std::nullopt;
    if (v == 64) {
      // '=' only in the last two places of the last quad.
      if (count < 2)
        return std::nullopt;
      ++padding;
      v = 0;
    } else if (padding > 0) {
      return std::nullopt;
    }
    quad = (quad << 6) | v;
    if (++count < 4)
      continue;
    *put++ = static_cast<unsigned char>(quad >> 16);
    if (padding < 2)
      *put++ = static_cast<unsigned char>((quad >> 8) & 0xff);
    if (padding < 1)
      *put++ = static_cast<unsigned char>(quad & 0xff);
    if (padding > 0 && padding < 3)
      padding = 3; // nothing may follow a padded quad
    quad = 0;
    count = 0;
  }
  if (count != 0)
    return std::nullopt;
  out.resize(static_cast<size_t>(put - reinterpret_cast<unsigned char*>(out.data())));
  return out;
}

template <class F> std::string i2d_to_string(F&& encode) {
  unsigned char* buf = nullptr;
  int len = encode(&buf);
  if (len <= 0)
    return {};
  std::string out(reinterpret_cast<char*>(buf), static_cast<size_t>(len));
  OPENSSL_free(buf);
  return out;
}

} // namespace

std::string pem_encode(std::string_view label, std::string_view der) {
  std::string out;
  append_pem(out, label, der);
  return out;
}

void append_pem(std::string& out, std::string_view label, std::string_view der,
                std::string_view line_break) {
  // 48 bytes make one 64-character line.
  constexpr size_t line_bytes = 48;
  auto encoded = 4 * ((der.size() + 2) / 3);
  auto lines = (der.size() + line_bytes - 1) / line_bytes;
  out.append("-----BEGIN ").append(label).append("-----").append(line_break);
  auto body = out.size();
  out.resize(body + encoded + lines * line_break.size());
  auto* w = out.data() + body;
  const auto* in = reinterpret_cast<const unsigned char*>(der.data());
  auto encode_group = [](const unsigned char* from, char* to) {
    uint32_t group = (uint32_t{from[0]} << 16) | (uint32_t{from[1]} << 8) | from[2];
    std::memcpy(to, base64_pairs.chars[group >> 12], 2);
    std::memcpy(to + 2, base64_pairs.chars[group & 0xfff], 2);
  };
  size_t left = der.size();
  for (; left >= line_bytes; left -= line_bytes, in += line_bytes) {
    for (size_t i = 0; i < line_bytes; i += 3, w += 4)
      encode_group(in + i, w);
    std::memcpy(w, line_break.data(), line_break.size());
    w += line_break.size();
  }
  if (left > 0) {
    for (; left >= 3; left -= 3, in += 3, w += 4)
      encode_group(in, w);
    if (left > 0) {
      uint32_t group = uint32_t{in[0]} << 16;
      if (left == 2)
        group |= uint32_t{in[1]} << 8;
      w[0] = base64_alphabet[(group >> 18) & 63];
      w[1] = base64_alphabet[(group >> 12) & 63];
      w[2] = left == 2 ? base64_alphabet[(group >> 6) & 63] : '=';
      w[3] = '=';
      w += 4;
    }
    std::memcpy(w, line_break.data(), line_break.size());
    w += line_break.size();
  }
  out.resize(static_cast<size_t>(w - out.data()));
  out.append("-----END ").append(label).append("-----").append(line_break);
}

// RFC 7468: "-----BEGIN label-----", base64 text, "-----END label-----";
// text before the first block and after its end is ignored. RFC 1421
// headers (Proc-Type, DEK-Info) have no place in what certmint reads, so a
// body with ':' in it does not decode.
std::optional<std::string> pem_decode(std::string_view text,
                                      std::initializer_list<std::string_view> labels,
                                      size_t* block_end) {
  constexpr std::string_view begin = "-----BEGIN ";
  constexpr std::string_view dashes = "-----";
  auto start = text.find(begin);
  if (start == std::string_view::npos)
    return std::nullopt;
  auto label_start = start + begin.size();
  auto label_end = text.find(dashes, label_start);
  if (label_end == std::string_view::npos)
    return std::nullopt;
  auto label = text.substr(label_start, label_end - label_start);
  bool known = false;
  for (auto wanted : labels)
    known = known || wanted == label;
  if (!known)
    return std::nullopt;
  std::string end_line;
  end_line.reserve(label.size() + 14);
  end_line.append("-----END ").append(label).append(dashes);
  auto body_start = label_end + dashes.size();
  auto body_end = text.find(end_line, body_start);
  if (body_end == std::string_view::npos)
    return std::nullopt;
  auto decoded = base64_decode(text.substr(body_start, body_end - body_start));
  if (!decoded || decoded->empty())
    return std::nullopt;
  if (block_end != nullptr)
    *block_end = body_end + end_line.size();
  return decoded;
}

std::vector<std::string> split_pem_blocks(std::string_view text) {
  std::vector<std::string> blocks;
  constexpr std::string_view begin_marker = "-----BEGIN ";
  constexpr std::string_view end_marker = "-----END ";
  size_t pos = 0;
  while ((pos = text.find(begin_marker, pos)) != std::string_view::npos) {
    auto end = text.find(end_marker, pos);
    if (end == std::string_view::npos)
      break;
    auto close = text.find("-----", end + end_marker.size());
    if (close == std::string_view::npos)
      break;
    close += 5;
    std::string block{text.substr(pos, close - pos)};
    block += '\n';
    blocks.push_back(std::move(block));
    pos = close;
  }
  return blocks;
}

std::string certificate_to_der(X509* cert) {
  return i2d_to_string([cert](unsigned char** out) { return i2d_X509(cert, out); });
}

std::string certificate_to_pem(X509* cert) {
  return pem_encode("CERTIFICATE", certificate_to_der(cert));
}

result<x509_ptr> certificate_from_der(std::string_view der) {
  auto ptr = reinterpret_cast<const unsigned char*>(der.data());
  x509_ptr cert{d2i_X509(nullptr, &ptr, static_cast<long>(der.size()))};
  if (!cert || ptr != reinterpret_cast<const unsigned char*>(der.data() + der.size()))
    return make_failure(errc::bad_request, "not a DER-encoded X.509 certificate");
  return cert;
}

result<x509_ptr> certificate_from_pem(std::string_view pem) {
  bio_ptr bio{BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()))};
  x509_ptr cert{PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)};
  if (!cert) {
    ERR_clear_error();
    return make_failure(errc::bad_request, "not a PEM-encoded X.509 certificate");
  }
  return cert;
}

} // namespace certmint
