#include "engine/csr.hpp"

#include <arpa/inet.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "engine/pem.hpp"

namespace certmint {

namespace {

failure csr_error(std::string message) {
  ERR_clear_error();
  return make_failure(errc::bad_request, std::move(message));
}

std::string_view trim(std::string_view text) {
  while (!text.empty()
         && (text.front() == ' ' || text.front() == '\n' || text.front() == '\r'
             || text.front() == '\t'))
    text.remove_prefix(1);
  while (
      !text.empty()
      && (text.back() == ' ' || text.back() == '\n' || text.back() == '\r' || text.back() == '\t'))
    text.remove_suffix(1);
  return text;
}

std::string asn1_text(const ASN1_STRING* str) {
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(str)),
                     static_cast<size_t>(ASN1_STRING_length(str)));
}

result<std::string> ip_text(const ASN1_OCTET_STRING* ip) {
  char buf[INET6_ADDRSTRLEN] = {0};
  auto len = ASN1_STRING_length(ip);
  auto data = ASN1_STRING_get0_data(ip);
  if (len == 4 && inet_ntop(AF_INET, data, buf, sizeof(buf)))
    return std::string{buf};
  if (len == 16 && inet_ntop(AF_INET6, data, buf, sizeof(buf)))
    return std::string{buf};
  return csr_error("Invalid altName from CSR: IP address of " + std::to_string(len) + " bytes");
}

status read_sans(X509_EXTENSION* ext, std::vector<subject_alt_name>& out) {
  general_names_ptr names{static_cast<GENERAL_NAMES*>(X509V3_EXT_d2i(ext))};
  if (!names)
    return csr_error("Invalid CSR: malformed subjectAltName extension");
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    auto* name = sk_GENERAL_NAME_value(names.get(), i);
    subject_alt_name san;
    switch (name->type) {
      case GEN_DNS:
        san = {san_type::dns_name, asn1_text(name->d.dNSName)};
        break;
      case GEN_EMAIL:
        san = {san_type::email, asn1_text(name->d.rfc822Name)};
        break;
      case GEN_URI:
        san = {san_type::uri, asn1_text(name->d.uniformResourceIdentifier)};
        break;
      case GEN_IPADD: {
        auto text = ip_text(name->d.iPAddress);
        if (!text)
          return std::move(text).error();
        san = {san_type::ip_address, std::move(*text)};
        break;
      }
      default:
        continue; // other GeneralName forms are ignored, as Infisical does
    }
    if (auto ok = validate_san(san); !ok)
      return csr_error("Invalid altName from CSR: " + san.value);
    out.push_back(std::move(san));
  }
  return {};
}

status read_key_usage(X509_EXTENSION* ext, parsed_csr& out) {
  asn1_bit_string_ptr bits{static_cast<ASN1_BIT_STRING*>(X509V3_EXT_d2i(ext))};
  if (!bits)
    return csr_error("Invalid CSR: malformed keyUsage extension");
  uint16_t mask = 0;
  for (int i = 0; i < 9; ++i)
    if (ASN1_BIT_STRING_get_bit(bits.get(), i))
      mask = static_cast<uint16_t>(mask | (1u << i));
  out.key_usages = mask;
  if (mask & ku_key_cert_sign)
    out.requests_ca = true;
  return {};
}

status read_ext_key_usage(X509_EXTENSION* ext, parsed_csr& out) {
  eku_ptr ekus{static_cast<EXTENDED_KEY_USAGE*>(X509V3_EXT_d2i(ext))};
  if (!ekus)
    return csr_error("Invalid CSR: malformed extendedKeyUsage extension");
  uint8_t mask = 0;
  for (int i = 0; i < sk_ASN1_OBJECT_num(ekus.get()); ++i) {
    auto* obj = sk_ASN1_OBJECT_value(ekus.get(), i);
    auto nid = OBJ_obj2nid(obj);
    bool known = false;
    for (uint8_t bit = 1; bit != 0 && bit <= eku_any_purpose; bit = static_cast<uint8_t>(bit << 1))
      if (ext_key_usage_nid(bit) == nid) {
        mask = static_cast<uint8_t>(mask | bit);
        known = true;
      }
    if (!known) {
      char oid[128];
      OBJ_obj2txt(oid, sizeof(oid), obj, 1);
      return csr_error(std::string{"Unsupported extended key usage in CSR: "} + oid);
    }
  }
  out.ext_key_usages = mask;
  return {};
}

status read_basic_constraints(X509_EXTENSION* ext, parsed_csr& out) {
  basic_constraints_ptr bc{static_cast<BASIC_CONSTRAINTS*>(X509V3_EXT_d2i(ext))};
  if (!bc)
    return csr_error("Invalid CSR: malformed basicConstraints extension");
  if (bc->ca)
    out.requests_ca = true;
  return {};
}

status read_extensions(X509_REQ* req, parsed_csr& out) {
  extensions_ptr exts{X509_REQ_get_extensions(req)};
  if (!exts) {
    ERR_clear_error();
    return {};
  }
  for (int i = 0; i < sk_X509_EXTENSION_num(exts.get()); ++i) {
    auto* ext = sk_X509_EXTENSION_value(exts.get(), i);
    status ok;
    switch (OBJ_obj2nid(X509_EXTENSION_get_object(ext))) {
      case NID_subject_alt_name:
        ok = read_sans(ext, out.sans);
        break;
      case NID_key_usage:
        ok = read_key_usage(ext, out);
        break;
      case NID_ext_key_usage:
        ok = read_ext_key_usage(ext, out);
        break;
      case NID_basic_constraints:
        ok = read_basic_constraints(ext, out);
        break;
      default:
        break; // other requested extensions are not copied into certificates
    }
    if (!ok)
      return ok;
  }
  return {};
}

result<signature_algorithm> read_signature_algorithm(X509_REQ* req, key_algorithm key_alg) {
  int md_nid = NID_undef;
  int pk_nid = NID_undef;
  auto sig_nid = X509_REQ_get_signature_nid(req);
  auto family = family_of(key_alg);
  auto family_name = std::string{to_string(family)};
  if (OBJ_find_sigid_algs(sig_nid, &md_nid, &pk_nid) != 1 || md_nid == NID_undef)
    return csr_error("Unsupported " + family_name
                     + " signature algorithm in CSR: " + std::string{OBJ_nid2sn(sig_nid)}
                     + ". Supported: SHA-256, SHA-384, SHA-512 with PKCS#1 v1.5 or ECDSA");
  hash_algorithm hash;
  switch (md_nid) {
    case NID_sha256:
      hash = hash_algorithm::sha256;
      break;
    case NID_sha384:
      hash = hash_algorithm::sha384;
      break;
    case NID_sha512:
      hash = hash_algorithm::sha512;
      break;
    default:
      return csr_error("Unsupported " + family_name
                       + " hash algorithm in CSR: " + std::string{OBJ_nid2sn(md_nid)}
                       + ". Supported: SHA-256, SHA-384, SHA-512");
  }
  return signature_algorithm{family, hash};
}

} // namespace

result<parsed_csr> parse_csr(std::string_view pem) {
  auto text = trim(pem);
  constexpr std::string_view header = "-----BEGIN CERTIFICATE REQUEST-----";
  constexpr std::string_view legacy_header = "-----BEGIN NEW CERTIFICATE REQUEST-----";
  if (text.substr(0, header.size()) != header
      && text.substr(0, legacy_header.size()) != legacy_header)
    return csr_error("Invalid CSR: expected a PEM-encoded PKCS#10 request starting with '"
                     + std::string{header} + "'");
  bio_ptr bio{BIO_new_mem_buf(text.data(), static_cast<int>(text.size()))};
  x509_req_ptr req{PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr)};
  if (!req)
    return csr_error("Invalid CSR: the PEM block does not decode to a PKCS#10 request");
  auto* key = X509_REQ_get0_pubkey(req.get());
  if (key == nullptr)
    return csr_error("Invalid CSR: the public key does not decode");
  parsed_csr out;
  auto key_alg = classify_key(key, "CSR");
  if (!key_alg)
    return std::move(key_alg).error();
  out.key_alg = *key_alg;
  auto sig = read_signature_algorithm(req.get(), out.key_alg);
  if (!sig)
    return std::move(sig).error();
  out.signature = *sig;
  if (X509_REQ_verify(req.get(), key) != 1)
    return csr_error("Invalid CSR: signature verification failed (the CSR was not signed by the "
                     "private key of its public key, or it was altered)");
  if (auto ok = read_extensions(req.get(), out); !ok)
    return std::move(ok).error();
  const X509_NAME* subject = X509_REQ_get_subject_name(req.get());
  unsigned char* der = nullptr;
  auto len = i2d_X509_NAME(subject, &der);
  if (len < 0)
    return csr_error("Invalid CSR: the subject does not encode");
  out.subject_der.assign(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  out.subject = read_subject(subject);
  out.public_key_der = public_key_to_der(key);
  return out;
}

} // namespace certmint
