#include "tests/support/test_pki.hpp"

#include <filesystem>
#include <stdexcept>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "engine/chain_verifier.hpp"
#include "engine/hex.hpp"
#include "engine/key_encoding.hpp"
#include "engine/key_generator.hpp"
#include "engine/pem.hpp"
#include "engine/time_format.hpp"

namespace certmint::test {

namespace {

void add_ext(STACK_OF(X509_EXTENSION) * exts, int nid, const std::string& value) {
  if (value.empty())
    return;
  auto* ext = X509V3_EXT_conf_nid(nullptr, nullptr, nid, value.c_str());
  if (ext == nullptr)
    throw std::runtime_error("bad test extension " + value);
  sk_X509_EXTENSION_push(exts, ext);
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& part : parts)
    out += (out.empty() ? "" : ",") + part;
  return out;
}

// A GeneralName's text when it is a URI, else "".
std::string uri_text(const GENERAL_NAME* name) {
  if (name->type != GEN_URI)
    return "";
  const auto* uri = name->d.uniformResourceIdentifier;
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)),
                     static_cast<size_t>(ASN1_STRING_length(uri)));
}

} // namespace

std::string make_csr_for(EVP_PKEY* key, const csr_options& options) {
  x509_req_ptr req{X509_REQ_new()};
  X509_REQ_set_version(req.get(), 0);
  auto* name = X509_REQ_get_subject_name(req.get());
  if (!options.common_name.empty())
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(options.common_name.c_str()),
                               -1, -1, 0);
  if (!options.organization.empty())
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(options.organization.c_str()),
                               -1, -1, 0);
  for (const auto& [type, value] : options.more_subject)
    X509_NAME_add_entry_by_txt(name, type.c_str(), MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(value.data()),
                               static_cast<int>(value.size()), -1, 0);
  X509_REQ_set_pubkey(req.get(), key);
  extensions_ptr exts{sk_X509_EXTENSION_new_null()};
  add_ext(exts.get(), NID_subject_alt_name, join(options.sans));
  add_ext(exts.get(), NID_key_usage, options.key_usage);
  add_ext(exts.get(), NID_ext_key_usage, options.ext_key_usage);
  add_ext(exts.get(), NID_basic_constraints, options.basic_constraints);
  for (const auto& [nid, value] : options.more_extensions)
    add_ext(exts.get(), nid, value);
  if (sk_X509_EXTENSION_num(exts.get()) > 0)
    X509_REQ_add_extensions(req.get(), exts.get());
  const EVP_MD* md = options.digest;
  if (md == nullptr && EVP_PKEY_get_base_id(key) != EVP_PKEY_ED25519)
    md = EVP_sha256();
  if (X509_REQ_sign(req.get(), key, md) <= 0)
    throw std::runtime_error("test CSR signing failed: " + openssl_error_string());
  bio_ptr bio{BIO_new(BIO_s_mem())};
  PEM_write_bio_X509_REQ(bio.get(), req.get());
  char* data = nullptr;
  auto len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

key_and_csr make_csr(key_algorithm alg, const csr_options& options) {
  auto key = generate_key(alg);
  if (!key)
    throw std::runtime_error(key.error().message);
  auto csr = make_csr_for(key->get(), options);
  return {std::move(*key), std::move(csr)};
}

pkey_ptr make_rsa_key(unsigned bits) {
  return pkey_ptr{EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{bits})};
}

pkey_ptr make_ec_key(const char* curve) {
  return pkey_ptr{EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve)};
}

pkey_ptr make_ed25519_key() {
  return pkey_ptr{EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")};
}

std::string tamper_csr(const std::string& csr_pem) {
  bio_ptr in{BIO_new_mem_buf(csr_pem.data(), static_cast<int>(csr_pem.size()))};
  x509_req_ptr req{PEM_read_bio_X509_REQ(in.get(), nullptr, nullptr, nullptr)};
  unsigned char* der = nullptr;
  auto len = i2d_X509_REQ(req.get(), &der);
  std::string bytes(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  // The common name's text is inside the signed part; change one letter.
  auto pos = bytes.find("example");
  if (pos == std::string::npos)
    throw std::runtime_error("tamper_csr needs 'example' in the CSR");
  bytes[pos] = 'E';
  return pem_encode("CERTIFICATE REQUEST", bytes);
}

std::string verify_chain(const std::string& leaf_pem, const std::string& chain_pem,
                         const char* purpose) {
  auto ok = verify_certificate_chain(leaf_pem, chain_pem, purpose == nullptr ? "" : purpose);
  return ok ? std::string{} : ok.error().message;
}

std::string verify_chain_with_crls(const std::string& leaf_pem, const std::string& chain_pem,
                                   const std::vector<std::string>& crls_der, bool whole_chain) {
  auto leaf = certificate_from_pem(leaf_pem);
  auto blocks = split_pem_blocks(chain_pem);
  if (!leaf || blocks.empty())
    return "the certificate or the chain does not parse";
  x509_store_ptr trust{X509_STORE_new()};
  certificate_stack_ptr untrusted{sk_X509_new_null()};
  for (size_t i = 0; i < blocks.size(); ++i) {
    auto cert = certificate_from_pem(blocks[i]);
    if (!cert)
      return "a chain certificate does not parse";
    if (i + 1 == blocks.size())
      X509_STORE_add_cert(trust.get(), cert->get());
    else
      sk_X509_push(untrusted.get(), cert->release());
  }
  for (const auto& der : crls_der) {
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    X509_CRL* crl = d2i_X509_CRL(nullptr, &p, static_cast<long>(der.size()));
    if (crl == nullptr)
      return "a CRL does not parse";
    X509_STORE_add_crl(trust.get(), crl);
    X509_CRL_free(crl);
  }
  X509_STORE_set_flags(trust.get(),
                       X509_V_FLAG_CRL_CHECK | (whole_chain ? X509_V_FLAG_CRL_CHECK_ALL : 0));
  x509_store_ctx_ptr ctx{X509_STORE_CTX_new()};
  if (!ctx || X509_STORE_CTX_init(ctx.get(), trust.get(), leaf->get(), untrusted.get()) != 1)
    return "cannot set up verification";
  // At the precise current second, as verify_certificate_chain does: a CRL
  // signed this second is otherwise "not yet valid" to time().
  X509_STORE_CTX_set_time(ctx.get(), 0, static_cast<time_t>(unix_now()));
  X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_SERVER);
  if (X509_verify_cert(ctx.get()) != 1)
    return X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get()));
  return "";
}

std::string crl_distribution_url(const std::string& cert_pem) {
  auto cert = certificate_from_pem(cert_pem);
  if (!cert)
    return "";
  auto* points = static_cast<CRL_DIST_POINTS*>(
      X509_get_ext_d2i(cert->get(), NID_crl_distribution_points, nullptr, nullptr));
  if (points == nullptr)
    return "";
  std::string url;
  if (sk_DIST_POINT_num(points) > 0) {
    const auto* name = sk_DIST_POINT_value(points, 0)->distpoint;
    if (name != nullptr && name->type == 0 && sk_GENERAL_NAME_num(name->name.fullname) > 0)
      url = uri_text(sk_GENERAL_NAME_value(name->name.fullname, 0));
  }
  CRL_DIST_POINTS_free(points);
  return url;
}

bool key_matches_certificate(const std::string& key_pem, const std::string& cert_pem) {
  bio_ptr bio{BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size()))};
  pkey_ptr key{PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr)};
  auto cert = certificate_from_pem(cert_pem);
  if (!key || !cert)
    return false;
  return X509_check_private_key(cert->get(), key.get()) == 1;
}

std::string ca_issuers_url(const std::string& cert_pem) {
  auto cert = certificate_from_pem(cert_pem);
  if (!cert)
    return "";
  auto* aia = static_cast<AUTHORITY_INFO_ACCESS*>(
      X509_get_ext_d2i(cert->get(), NID_info_access, nullptr, nullptr));
  if (aia == nullptr)
    return "";
  std::string url;
  if (sk_ACCESS_DESCRIPTION_num(aia) > 0)
    url = uri_text(sk_ACCESS_DESCRIPTION_value(aia, 0)->location);
  AUTHORITY_INFO_ACCESS_free(aia);
  return url;
}

temp_dir::temp_dir() {
  auto base = std::filesystem::temp_directory_path();
  path_ = (base / ("certmint-test-" + to_hex(random_bytes(8)))).string();
  std::filesystem::create_directories(path_);
}

temp_dir::~temp_dir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

} // namespace certmint::test
