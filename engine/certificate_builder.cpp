#include "engine/certificate_builder.hpp"

#include <arpa/inet.h>

#include "engine/pem.hpp"

namespace certmint {

namespace {

failure build_error(std::string_view what) {
  return make_failure(errc::internal, "certificate build failed (" + std::string{what}
                                          + "): " + openssl_error_string());
}

bool set_serial(X509* cert, std::string_view serial) {
  bignum_ptr bn{BN_bin2bn(reinterpret_cast<const unsigned char*>(serial.data()),
                          static_cast<int>(serial.size()), nullptr)};
  if (!bn)
    return false;
  asn1_integer_ptr integer{BN_to_ASN1_INTEGER(bn.get(), nullptr)};
  return integer && X509_set_serialNumber(cert, integer.get()) == 1;
}

// Sets everything every certificate has: version 3, serial, names, validity,
// public key and the subject key identifier (RFC 5280 §4.2.1.2 method 1).
result<x509_ptr> start_certificate(std::string_view serial, X509_NAME* subject,
                                   const X509_NAME* issuer, int64_t not_before, int64_t not_after,
                                   EVP_PKEY* public_key) {
  x509_ptr cert{X509_new()};
  if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1 || !set_serial(cert.get(), serial)
      || X509_set_subject_name(cert.get(), subject) != 1
      || X509_set_issuer_name(cert.get(), issuer) != 1
      || !ASN1_TIME_set(X509_getm_notBefore(cert.get()), static_cast<time_t>(not_before))
      || !ASN1_TIME_set(X509_getm_notAfter(cert.get()), static_cast<time_t>(not_after))
      || X509_set_pubkey(cert.get(), public_key) != 1)
    return build_error("fields");
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (X509_pubkey_digest(cert.get(), EVP_sha1(), digest, &len) != 1)
    return build_error("subject key identifier");
  asn1_octet_string_ptr ski{ASN1_OCTET_STRING_new()};
  if (!ski || ASN1_OCTET_STRING_set(ski.get(), digest, static_cast<int>(len)) != 1
      || X509_add1_ext_i2d(cert.get(), NID_subject_key_identifier, ski.get(), 0, 0) != 1)
    return build_error("subject key identifier");
  return cert;
}

bool add_basic_constraints(X509* cert, bool is_ca, int path_length) {
  basic_constraints_ptr bc{BASIC_CONSTRAINTS_new()};
  if (!bc)
    return false;
  bc->ca = is_ca ? 0xff : 0;
  if (is_ca && path_length >= 0) {
    bc->pathlen = ASN1_INTEGER_new();
    if (!bc->pathlen || ASN1_INTEGER_set(bc->pathlen, path_length) != 1)
      return false;
  }
  return X509_add1_ext_i2d(cert, NID_basic_constraints, bc.get(), 1, 0) == 1;
}

bool add_key_usage(X509* cert, uint16_t usages) {
  if (usages == 0)
    return true;
  asn1_bit_string_ptr bits{ASN1_BIT_STRING_new()};
  if (!bits)
    return false;
  for (int i = 0; i < 9; ++i)
    if ((usages & (1u << i)) && ASN1_BIT_STRING_set_bit(bits.get(), i, 1) != 1)
      return false;
  return X509_add1_ext_i2d(cert, NID_key_usage, bits.get(), 1, 0) == 1;
}

bool add_ext_key_usage(X509* cert, uint8_t usages) {
  if (usages == 0)
    return true;
  eku_ptr ekus{sk_ASN1_OBJECT_new_null()};
  if (!ekus)
    return false;
  for (unsigned i = 0; i < 8; ++i) {
    auto bit = static_cast<uint8_t>(1u << i);
    if (!(usages & bit))
      continue;
    auto* obj = OBJ_nid2obj(ext_key_usage_nid(bit));
    if (obj == nullptr || sk_ASN1_OBJECT_push(ekus.get(), OBJ_dup(obj)) <= 0)
      return false;
  }
  return X509_add1_ext_i2d(cert, NID_ext_key_usage, ekus.get(), 0, 0) == 1;
}

GENERAL_NAME* make_string_name(int type, std::string_view value) {
  auto* name = GENERAL_NAME_new();
  auto* str = ASN1_IA5STRING_new();
  if (name == nullptr || str == nullptr
      || ASN1_STRING_set(str, value.data(), static_cast<int>(value.size())) != 1) {
    GENERAL_NAME_free(name);
    ASN1_IA5STRING_free(str);
    return nullptr;
  }
  GENERAL_NAME_set0_value(name, type, str);
  return name;
}

GENERAL_NAME* make_ip_name(const std::string& value) {
  unsigned char buf[16];
  int len = 0;
  if (inet_pton(AF_INET, value.c_str(), buf) == 1)
    len = 4;
  else if (inet_pton(AF_INET6, value.c_str(), buf) == 1)
    len = 16;
  else
    return nullptr;
  auto* name = GENERAL_NAME_new();
  auto* octets = ASN1_OCTET_STRING_new();
  if (name == nullptr || octets == nullptr || ASN1_OCTET_STRING_set(octets, buf, len) != 1) {
    GENERAL_NAME_free(name);
    ASN1_OCTET_STRING_free(octets);
    return nullptr;
  }
  GENERAL_NAME_set0_value(name, GEN_IPADD, octets);
  return name;
}

// Built from typed GeneralNames, never from OpenSSL's config-string syntax,
// so a SAN value can never smuggle in another name or extension.
bool add_subject_alt_names(X509* cert, const std::vector<subject_alt_name>& sans,
                           bool subject_empty) {
  if (sans.empty())
    return true;
  general_names_ptr names{sk_GENERAL_NAME_new_null()};
  if (!names)
    return false;
  for (const auto& san : sans) {
    GENERAL_NAME* name = nullptr;
    switch (san.type) {
      case san_type::dns_name:
        name = make_string_name(GEN_DNS, san.value);
        break;
      case san_type::email:
        name = make_string_name(GEN_EMAIL, san.value);
        break;
      case san_type::uri:
        name = make_string_name(GEN_URI, san.value);
        break;
      case san_type::ip_address:
        name = make_ip_name(san.value);
        break;
    }
    if (name == nullptr || sk_GENERAL_NAME_push(names.get(), name) <= 0) {
      GENERAL_NAME_free(name);
      return false;
    }
  }
  // RFC 5280 §4.2.1.6: with an empty subject the SAN extension is critical.
  return X509_add1_ext_i2d(cert, NID_subject_alt_name, names.get(), subject_empty ? 1 : 0, 0) == 1;
}

bool add_authority_key_id(X509* cert, X509* issuer) {
  const ASN1_OCTET_STRING* issuer_ski = X509_get0_subject_key_id(issuer);
  if (issuer_ski == nullptr)
    return false;
  authority_keyid_ptr akid{AUTHORITY_KEYID_new()};
  if (!akid)
    return false;
  akid->keyid = ASN1_OCTET_STRING_dup(issuer_ski);
  return akid->keyid != nullptr
         && X509_add1_ext_i2d(cert, NID_authority_key_identifier, akid.get(), 0, 0) == 1;
}

bool add_conf_extension(X509* cert, int nid, const std::string& value) {
  x509_extension_ptr ext{X509V3_EXT_conf_nid(nullptr, nullptr, nid, value.c_str())};
  return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

// The URLs come from the server configuration, which refuses characters that
// OpenSSL's config syntax would interpret (commas, whitespace).
bool add_issuer_urls(X509* cert, const issuer_material& issuer) {
  if (!issuer.crl_url.empty()
      && !add_conf_extension(cert, NID_crl_distribution_points, "URI:" + issuer.crl_url))
    return false;
  if (!issuer.ca_issuers_url.empty()
      && !add_conf_extension(cert, NID_info_access, "caIssuers;URI:" + issuer.ca_issuers_url))
    return false;
  return true;
}

result<std::string> finish(X509* cert, EVP_PKEY* key, hash_algorithm hash) {
  if (X509_sign(cert, key, message_digest(hash)) <= 0)
    return build_error("signature");
  return certificate_to_der(cert);
}

result<x509_name_ptr> decode_name(std::string_view der) {
  auto ptr = reinterpret_cast<const unsigned char*>(der.data());
  x509_name_ptr name{d2i_X509_NAME(nullptr, &ptr, static_cast<long>(der.size()))};
  if (!name)
    return build_error("subject");
  return name;
}

} // namespace

result<std::string> sign_leaf(const issuer_material& issuer, std::string_view serial,
                              const issuance_plan& plan) {
  auto subject = decode_name(plan.subject_der);
  if (!subject)
    return std::move(subject).error();
  auto public_key = public_key_from_der(plan.public_key_der);
  if (!public_key)
    return build_error("public key");
  auto cert =
      start_certificate(serial, subject->get(), X509_get_subject_name(issuer.certificate.get()),
                        plan.not_before, plan.not_after, public_key->get());
  if (!cert)
    return std::move(cert).error();
  auto* x = cert->get();
  if (!add_basic_constraints(x, false, -1) || !add_key_usage(x, plan.key_usages)
      || !add_ext_key_usage(x, plan.ext_key_usages)
      || !add_subject_alt_names(x, plan.sans, X509_NAME_entry_count(subject->get()) == 0)
      || !add_authority_key_id(x, issuer.certificate.get()) || !add_issuer_urls(x, issuer))
    return build_error("extensions");
  return finish(x, issuer.key.get(), plan.signature_alg.hash);
}

result<std::string> sign_root(EVP_PKEY* key, std::string_view serial,
                              const ca_certificate_spec& spec) {
  auto subject_der = encode_subject(spec.subject);
  if (!subject_der)
    return std::move(subject_der).error();
  auto subject = decode_name(*subject_der);
  if (!subject)
    return std::move(subject).error();
  auto cert = start_certificate(serial, subject->get(), subject->get(), spec.not_before,
                                spec.not_after, key);
  if (!cert)
    return std::move(cert).error();
  if (!add_basic_constraints(cert->get(), true, spec.path_length)
      || !add_key_usage(cert->get(), ku_key_cert_sign | ku_crl_sign))
    return build_error("extensions");
  return finish(cert->get(), key, spec.hash);
}

result<std::string> sign_intermediate(const issuer_material& parent, EVP_PKEY* subject_key,
                                      std::string_view serial, const ca_certificate_spec& spec) {
  auto subject_der = encode_subject(spec.subject);
  if (!subject_der)
    return std::move(subject_der).error();
  auto subject = decode_name(*subject_der);
  if (!subject)
    return std::move(subject).error();
  auto cert =
      start_certificate(serial, subject->get(), X509_get_subject_name(parent.certificate.get()),
                        spec.not_before, spec.not_after, subject_key);
  if (!cert)
    return std::move(cert).error();
  auto* x = cert->get();
  if (!add_basic_constraints(x, true, spec.path_length)
      || !add_key_usage(x, ku_digital_signature | ku_key_cert_sign | ku_crl_sign)
      || !add_authority_key_id(x, parent.certificate.get()) || !add_issuer_urls(x, parent))
    return build_error("extensions");
  return finish(x, parent.key.get(), spec.hash);
}

} // namespace certmint
