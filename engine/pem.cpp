#include "engine/pem.hpp"

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

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.resize(4 * ((bytes.size() + 2) / 3) + 1);
  auto len = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                             reinterpret_cast<const unsigned char*>(bytes.data()),
                             static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(len));
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
  auto b64 = base64_encode(der);
  std::string out;
  out.reserve(b64.size() + b64.size() / 64 + 2 * label.size() + 40);
  out += "-----BEGIN ";
  out += label;
  out += "-----\n";
  for (size_t pos = 0; pos < b64.size(); pos += 64) {
    out.append(b64, pos, 64);
    out += '\n';
  }
  out += "-----END ";
  out += label;
  out += "-----\n";
  return out;
}

std::optional<std::string> pem_decode(std::string_view text,
                                      std::initializer_list<std::string_view> labels) {
  bio_ptr bio{BIO_new_mem_buf(text.data(), static_cast<int>(text.size()))};
  char* name = nullptr;
  char* header = nullptr;
  unsigned char* data = nullptr;
  long len = 0;
  if (PEM_read_bio(bio.get(), &name, &header, &data, &len) != 1) {
    ERR_clear_error();
    return std::nullopt;
  }
  std::optional<std::string> out;
  for (auto label : labels)
    if (label == name)
      out.emplace(reinterpret_cast<char*>(data), static_cast<size_t>(len));
  OPENSSL_free(name);
  OPENSSL_free(header);
  OPENSSL_free(data);
  return out;
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

std::string private_key_to_pkcs8_der(EVP_PKEY* key) {
  return i2d_to_string([key](unsigned char** out) { return i2d_PrivateKey(key, out); });
}

std::string private_key_to_pkcs8_pem(EVP_PKEY* key) {
  bio_ptr bio{BIO_new(BIO_s_mem())};
  if (PEM_write_bio_PKCS8PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
    return {};
  char* data = nullptr;
  auto len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

result<pkey_ptr> private_key_from_pkcs8_der(std::string_view der) {
  auto ptr = reinterpret_cast<const unsigned char*>(der.data());
  pkey_ptr key{d2i_AutoPrivateKey(nullptr, &ptr, static_cast<long>(der.size()))};
  if (!key) {
    ERR_clear_error();
    return make_failure(errc::internal, "stored private key does not decode");
  }
  return key;
}

std::string public_key_to_der(EVP_PKEY* key) {
  return i2d_to_string([key](unsigned char** out) { return i2d_PUBKEY(key, out); });
}

result<pkey_ptr> public_key_from_der(std::string_view der) {
  auto ptr = reinterpret_cast<const unsigned char*>(der.data());
  pkey_ptr key{d2i_PUBKEY(nullptr, &ptr, static_cast<long>(der.size()))};
  if (!key) {
    ERR_clear_error();
    return make_failure(errc::bad_request, "not a DER-encoded public key");
  }
  return key;
}

} // namespace certmint
