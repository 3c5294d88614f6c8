#include "engine/certificate_builder.hpp"

#include <arpa/inet.h>

#include "engine/der.hpp"
#include "engine/key_encoding.hpp"
#include "engine/public_key.hpp"

namespace certmint {

using namespace std::string_view_literals;

// For RSA the digest's name makes the PKCS#1 v1.5 DigestInfo.
pkey_ctx_ptr signing_context(EVP_PKEY* key, hash_algorithm hash) {
  pkey_ctx_ptr ctx{EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr)};
  if (!ctx || EVP_PKEY_sign_init(ctx.get()) != 1
      || EVP_PKEY_CTX_set_signature_md(ctx.get(), message_digest(hash)) != 1)
    return pkey_ctx_ptr{};
  return ctx;
}

namespace {

failure build_error(std::string_view what) {
  return make_failure(errc::internal, "certificate build failed (" + std::string{what}
                                          + "): " + openssl_error_string());
}

} // namespace

result<std::string> sign_data(EVP_PKEY_CTX* ctx, hash_algorithm hash, std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;
  size_t sig_len = 0;
  if (ctx == nullptr
      || EVP_Digest(data.data(), data.size(), digest, &digest_len, message_digest(hash), nullptr)
             != 1
      || EVP_PKEY_sign(ctx, nullptr, &sig_len, digest, digest_len) != 1)
    return build_error("signature");
  std::string signature(sig_len, '\0');
  if (EVP_PKEY_sign(ctx, reinterpret_cast<unsigned char*>(signature.data()), &sig_len, digest,
                    digest_len)
      != 1)
    return build_error("signature");
  signature.resize(sig_len);
  return signature;
}

namespace {

// Object identifiers (content bytes).
constexpr std::string_view oid_basic_constraints = "\x55\x1d\x13"sv;
constexpr std::string_view oid_key_usage = "\x55\x1d\x0f"sv;
constexpr std::string_view oid_ext_key_usage = "\x55\x1d\x25"sv;
constexpr std::string_view oid_subject_alt_name = "\x55\x1d\x11"sv;
constexpr std::string_view oid_subject_key_id = "\x55\x1d\x0e"sv;
constexpr std::string_view oid_authority_key_id = "\x55\x1d\x23"sv;
constexpr std::string_view oid_crl_distribution_points = "\x55\x1d\x1f"sv;
constexpr std::string_view oid_authority_info_access = "\x2b\x06\x01\x05\x05\x07\x01\x01"sv;
constexpr std::string_view oid_ca_issuers = "\x2b\x06\x01\x05\x05\x07\x30\x02"sv;
constexpr std::string_view oid_crl_number = "\x55\x1d\x14"sv;
constexpr std::string_view oid_crl_reason = "\x55\x1d\x15"sv;
constexpr uint8_t enumerated_tag = 0x0a;

// In the bit order of ext_key_usage_bit.
constexpr std::string_view oid_ext_key_usages[] = {
    "\x2b\x06\x01\x05\x05\x07\x03\x01"sv, // serverAuth
    "\x2b\x06\x01\x05\x05\x07\x03\x02"sv, // clientAuth
    "\x2b\x06\x01\x05\x05\x07\x03\x03"sv, // codeSigning
    "\x2b\x06\x01\x05\x05\x07\x03\x04"sv, // emailProtection
    "\x2b\x06\x01\x05\x05\x07\x03\x08"sv, // timeStamping
    "\x2b\x06\x01\x05\x05\x07\x03\x09"sv, // OCSPSigning
    "\x55\x1d\x25\x00"sv,                 // anyExtendedKeyUsage
};

void append_extension(std::string& out, std::string_view oid, bool critical,
                      std::string_view value) {
  std::string content = der::tlv(der::oid_tag, oid);
  if (critical)
    content += der::tlv(der::boolean_tag, "\xff"sv);
  der::append_tlv(content, der::octet_string_tag, value);
  der::append_tlv(out, der::sequence_tag, content);
}

std::string basic_constraints_value(bool is_ca, int path_length) {
  std::string content;
  if (is_ca) {
    content += der::tlv(der::boolean_tag, "\xff"sv);
    if (path_length >= 0)
      content += der::unsigned_integer(std::string(1, static_cast<char>(path_length)));
  }
  return der::tlv(der::sequence_tag, content);
}

// A named BIT STRING in DER: trailing zero bits are not encoded.
std::string key_usage_value(uint16_t usages) {
  int highest = 15;
  while (highest >= 0 && !(usages & (1u << highest)))
    --highest;
  std::string content(1, static_cast<char>(7 - highest % 8));
  content.resize(1 + static_cast<size_t>(highest / 8 + 1), '\0');
  for (int bit = 0; bit <= highest; ++bit)
    if (usages & (1u << bit)) {
      auto& byte = content[1 + static_cast<size_t>(bit / 8)];
      byte = static_cast<char>(static_cast<unsigned char>(byte) | (0x80u >> (bit % 8)));
    }
  return der::tlv(der::bit_string_tag, content);
}

std::string ext_key_usage_value(uint8_t usages) {
  std::string content;
  for (size_t i = 0; i < std::size(oid_ext_key_usages); ++i)
    if (usages & (1u << i))
      der::append_tlv(content, der::oid_tag, oid_ext_key_usages[i]);
  return der::tlv(der::sequence_tag, content);
}

result<std::string> subject_alt_name_value(const std::vector<subject_alt_name>& sans) {
  std::string content;
  for (const auto& san : sans) {
    switch (san.type) {
      case san_type::dns_name:
        der::append_tlv(content, 0x82, san.value);
        break;
      case san_type::email:
        der::append_tlv(content, 0x81, san.value);
        break;
      case san_type::uri:
        der::append_tlv(content, 0x86, san.value);
        break;
      case san_type::ip_address: {
        unsigned char buf[16];
        size_t len = 0;
        if (inet_pton(AF_INET, san.value.c_str(), buf) == 1)
          len = 4;
        else if (inet_pton(AF_INET6, san.value.c_str(), buf) == 1)
          len = 16;
        else
          return make_failure(errc::bad_request,
                              "Invalid ip_address SAN value '" + san.value + "'");
        der::append_tlv(content, 0x87, std::string_view{reinterpret_cast<char*>(buf), len});
        break;
      }
    }
  }
  return der::tlv(der::sequence_tag, content);
}

std::string authority_key_id_value(std::string_view key_id) {
  return der::tlv(der::sequence_tag, der::tlv(0x80, key_id));
}

std::string crl_distribution_points_value(std::string_view url) {
  auto full_name = der::tlv(0xa0, der::tlv(0x86, url));
  auto distribution_point = der::tlv(0xa0, full_name);
  return der::tlv(der::sequence_tag, der::tlv(der::sequence_tag, distribution_point));
}

std::string authority_info_access_value(std::string_view url) {
  auto description = der::sequence({der::tlv(der::oid_tag, oid_ca_issuers), der::tlv(0x86, url)});
  return der::tlv(der::sequence_tag, description);
}

// The CRL distribution point and AIA caIssuers of certificates `issuer`
// signs (empty URLs are left out).
void append_issuer_urls(std::string& extensions, const issuer_material& issuer) {
  if (!issuer.crl_url.empty())
    append_extension(extensions, oid_crl_distribution_points, false,
                     crl_distribution_points_value(issuer.crl_url));
  if (!issuer.ca_issuers_url.empty())
    append_extension(extensions, oid_authority_info_access, false,
                     authority_info_access_value(issuer.ca_issuers_url));
}

std::string name_der(const X509_NAME* name) {
  unsigned char* der = nullptr;
  auto len = i2d_X509_NAME(name, &der);
  if (len < 0)
    return {};
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

std::string issuer_key_id(const issuer_material& issuer) {
  const ASN1_OCTET_STRING* id = X509_get0_subject_key_id(issuer.certificate.get());
  if (id == nullptr)
    return {};
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(id)),
                     static_cast<size_t>(ASN1_STRING_length(id)));
}

struct tbs_fields {
  std::string_view serial;
  signature_algorithm signature_alg;
  std::string_view issuer_name;
  int64_t not_before = 0;
  int64_t not_after = 0;
  std::string_view subject_name;
  std::string_view spki;
  std::string_view extensions; ///< concatenated Extension elements
};

// SEQUENCE { tbs, signatureAlgorithm, signature BIT STRING }, the shape of
// a Certificate and of a CertificateList: the digest of `tbs`, signed by
// `ctx` (made for the algorithm's hash).
result<std::string> sign_structure(std::string_view tbs, signature_algorithm alg,
                                   EVP_PKEY_CTX* ctx) {
  auto signature = sign_data(ctx, alg.hash, tbs);
  if (!signature)
    return std::move(signature).error();
  // The BIT STRING's header and its "no unused bits" byte go in front of
  // the signature where it lies, instead of into a copy of it.
  std::string signature_header;
  der::append_header(signature_header, der::bit_string_tag, signature->size() + 1);
  signature_header.push_back('\0');
  return der::sequence({tbs, signature_algorithm_der(alg), signature_header, *signature});
}

// Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signature }.
result<std::string> sign_certificate(const tbs_fields& f, EVP_PKEY_CTX* ctx) {
  auto algorithm = signature_algorithm_der(f.signature_alg);
  std::string tbs_content;
  tbs_content.reserve(512 + f.spki.size() + f.extensions.size());
  tbs_content += der::tlv(0xa0, der::tlv(der::integer_tag, "\x02"sv)); // version v3
  tbs_content += der::unsigned_integer(f.serial);
  tbs_content += algorithm;
  tbs_content += f.issuer_name;
  tbs_content += der::sequence({der::time(f.not_before), der::time(f.not_after)});
  tbs_content += f.subject_name;
  tbs_content += f.spki;
  if (!f.extensions.empty())
    tbs_content += der::tlv(0xa3, der::tlv(der::sequence_tag, f.extensions));
  return sign_structure(der::tlv(der::sequence_tag, tbs_content), f.signature_alg, ctx);
}

EVP_PKEY_CTX* issuer_context(const issuer_material& issuer, hash_algorithm hash) {
  auto index = static_cast<size_t>(hash) - 1;
  return index < issuer.signing.size() ? issuer.signing[index].get() : nullptr;
}

signature_algorithm ca_signature(key_algorithm key_alg, hash_algorithm hash) {
  return signature_algorithm{family_of(key_alg), hash};
}

result<std::string> sign_ca_certificate(std::string_view spki, EVP_PKEY* signing_key,
                                        key_algorithm signing_alg, std::string_view serial,
                                        const ca_certificate_spec& spec,
                                        const issuer_material* parent) {
  std::string subject = spec.subject_der;
  if (subject.empty()) {
    auto encoded = encode_subject(spec.subject);
    if (!encoded)
      return std::move(encoded).error();
    subject = std::move(*encoded);
  }
  auto key_id = spki_key_identifier(spki);
  if (!key_id)
    return std::move(key_id).error();
  std::string extensions;
  append_extension(extensions, oid_subject_key_id, false, der::tlv(der::octet_string_tag, *key_id));
  append_extension(extensions, oid_basic_constraints, true,
                   basic_constraints_value(true, spec.path_length));
  uint16_t usages = ku_key_cert_sign | ku_crl_sign;
  if (parent != nullptr)
    usages |= ku_digital_signature;
  append_extension(extensions, oid_key_usage, true, key_usage_value(usages));
  std::string issuer_name = subject;
  if (parent != nullptr) {
    issuer_name = parent->name_der;
    extensions += parent->issuer_extensions;
  }
  tbs_fields f{serial,         ca_signature(signing_alg, spec.hash),
               issuer_name,    spec.not_before,
               spec.not_after, subject,
               spki,           extensions};
  if (parent != nullptr)
    return sign_certificate(f, issuer_context(*parent, spec.hash));
  return sign_certificate(f, signing_context(signing_key, spec.hash).get());
}

} // namespace

namespace {

// The extensions of an end-entity (or, when the plan says so, CA)
// certificate that do not depend on the issuer.
result<std::string> subject_extensions(const issuance_plan& plan) {
  auto key_id = spki_key_identifier(plan.public_key_der);
  if (!key_id)
    return std::move(key_id).error();
  std::string extensions;
  extensions.reserve(512);
  append_extension(extensions, oid_subject_key_id, false, der::tlv(der::octet_string_tag, *key_id));
  append_extension(extensions, oid_basic_constraints, true,
                   basic_constraints_value(plan.is_ca, plan.path_length));
  if (plan.key_usages != 0)
    append_extension(extensions, oid_key_usage, true, key_usage_value(plan.key_usages));
  if (plan.ext_key_usages != 0)
    append_extension(extensions, oid_ext_key_usage, false,
                     ext_key_usage_value(plan.ext_key_usages));
  if (!plan.sans.empty()) {
    auto sans = subject_alt_name_value(plan.sans);
    if (!sans)
      return std::move(sans).error();
    // RFC 5280 §4.2.1.6: with an empty subject the SAN extension is critical
    // (an empty Name encodes as 30 00).
    append_extension(extensions, oid_subject_alt_name, plan.subject_der.size() <= 2, *sans);
  }
  return extensions;
}

} // namespace

result<std::string> sign_leaf(const issuer_material& issuer, std::string_view serial,
                              const issuance_plan& plan) {
  auto extensions = subject_extensions(plan);
  if (!extensions)
    return std::move(extensions).error();
  *extensions += issuer.issuer_extensions;
  tbs_fields f{serial,         plan.signature_alg, issuer.name_der,     plan.not_before,
               plan.not_after, plan.subject_der,   plan.public_key_der, *extensions};
  return sign_certificate(f, issuer_context(issuer, plan.signature_alg.hash));
}

issuer_material make_issuer_material(x509_ptr certificate, pkey_ptr key, key_algorithm key_alg,
                                     std::string crl_url, std::string ca_issuers_url) {
  issuer_material out;
  out.certificate = std::move(certificate);
  out.key = std::move(key);
  out.key_alg = key_alg;
  out.crl_url = std::move(crl_url);
  out.ca_issuers_url = std::move(ca_issuers_url);
  out.name_der = name_der(X509_get_subject_name(out.certificate.get()));
  append_extension(out.issuer_extensions, oid_authority_key_id, false,
                   authority_key_id_value(issuer_key_id(out)));
  append_issuer_urls(out.issuer_extensions, out);
  for (auto hash : {hash_algorithm::sha256, hash_algorithm::sha384, hash_algorithm::sha512})
    out.signing[static_cast<size_t>(hash) - 1] = signing_context(out.key.get(), hash);
  return out;
}

result<std::string> sign_self_signed(EVP_PKEY* key, std::string_view serial,
                                     const issuance_plan& plan) {
  auto extensions = subject_extensions(plan);
  if (!extensions)
    return std::move(extensions).error();
  tbs_fields f{serial,         plan.signature_alg, plan.subject_der,    plan.not_before,
               plan.not_after, plan.subject_der,   plan.public_key_der, *extensions};
  return sign_certificate(f, signing_context(key, plan.signature_alg.hash).get());
}

result<std::string> sign_root(EVP_PKEY* key, std::string_view serial,
                              const ca_certificate_spec& spec) {
  auto spki = public_key_to_der(key);
  auto alg = classify_spki(spki, "CA key");
  if (!alg)
    return std::move(alg).error();
  return sign_ca_certificate(spki, key, *alg, serial, spec, nullptr);
}

result<std::string> sign_intermediate(const issuer_material& parent, std::string_view subject_spki,
                                      std::string_view serial, const ca_certificate_spec& spec) {
  return sign_ca_certificate(subject_spki, parent.key.get(), parent.key_alg, serial, spec, &parent);
}

result<std::string> sign_crl(const issuer_material& issuer, const crl_contents& contents) {
  auto alg = ca_signature(issuer.key_alg, default_hash(issuer.key_alg));
  std::string extensions;
  append_extension(extensions, oid_authority_key_id, false,
                   authority_key_id_value(issuer_key_id(issuer)));
  std::string number;
  for (auto n = contents.number; n != 0; n >>= 8)
    number.insert(number.begin(), static_cast<char>(n & 0xff));
  append_extension(extensions, oid_crl_number, false, der::unsigned_integer(number));
  std::string tbs_content;
  tbs_content += der::tlv(der::integer_tag, "\x01"sv); // version v2
  tbs_content += signature_algorithm_der(alg);
  tbs_content += issuer.name_der;
  tbs_content += der::time(contents.this_update);
  tbs_content += der::time(contents.next_update);
  if (!contents.revoked.empty()) {
    std::string entries;
    entries.reserve(contents.revoked.size() * 64);
    for (const auto& entry : contents.revoked) {
      std::string content = der::unsigned_integer(entry.serial);
      content += der::time(entry.revoked_at);
      if (entry.reason != revocation_reason::unspecified) {
        std::string reason;
        append_extension(reason, oid_crl_reason, false,
                         der::tlv(enumerated_tag, std::string(1, static_cast<char>(entry.reason))));
        der::append_tlv(content, der::sequence_tag, reason);
      }
      der::append_tlv(entries, der::sequence_tag, content);
    }
    der::append_tlv(tbs_content, der::sequence_tag, entries);
  }
  tbs_content += der::tlv(0xa0, der::tlv(der::sequence_tag, extensions));
  return sign_structure(der::tlv(der::sequence_tag, tbs_content), alg,
                        issuer_context(issuer, alg.hash));
}

} // namespace certmint
