#include "engine/csr.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <iterator>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "engine/der.hpp"
#include "engine/pem.hpp"
#include "engine/public_key.hpp"
#include "engine/text.hpp"

namespace certmint {

using namespace std::string_view_literals;

namespace {

failure csr_error(std::string message) {
  ERR_clear_error();
  return make_failure(errc::bad_request, std::move(message));
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

// RFC 5280's name of a GeneralName form certmint does not issue.
std::string general_name_form(int type) {
  switch (type) {
    case GEN_OTHERNAME:
      return "otherName";
    case GEN_X400:
      return "x400Address";
    case GEN_DIRNAME:
      return "directoryName";
    case GEN_EDIPARTY:
      return "ediPartyName";
    case GEN_RID:
      return "registeredID";
    default:
      return "GeneralName [" + std::to_string(type) + "]";
  }
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
        // Infisical drops the other forms; the client would get a
        // certificate without the name it asked for (a UPN for smart-card
        // logon, say), so certmint refuses it, as it refuses attributes
        // sent with a CSR.
        return csr_error("Invalid altName from CSR: " + general_name_form(name->type)
                         + " names are not supported (DNS, IP, e-mail and URI are)");
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

result<signature_algorithm> read_signature_algorithm(std::string_view algorithm,
                                                     key_algorithm key_alg) {
  auto family = family_of(key_alg);
  // The encodings every common tool writes are recognized as bytes (the
  // family's three); anything else goes through OpenSSL's decoder, ~3k
  // instructions, for its verdict and its names in the message.
  for (auto hash : {hash_algorithm::sha256, hash_algorithm::sha384, hash_algorithm::sha512})
    if (algorithm == signature_algorithm_der({family, hash}))
      return signature_algorithm{family, hash};
  auto family_name = std::string{to_string(family)};
  auto ptr = reinterpret_cast<const unsigned char*>(algorithm.data());
  openssl_ptr<X509_ALGOR, X509_ALGOR_free> algor{
      d2i_X509_ALGOR(nullptr, &ptr, static_cast<long>(algorithm.size()))};
  if (!algor)
    return csr_error("Invalid CSR: the signature algorithm does not decode");
  const ASN1_OBJECT* oid = nullptr;
  X509_ALGOR_get0(&oid, nullptr, nullptr, algor.get());
  auto sig_nid = OBJ_obj2nid(oid);
  int md_nid = NID_undef;
  int pk_nid = NID_undef;
  if (OBJ_find_sigid_algs(sig_nid, &md_nid, &pk_nid) != 1 || md_nid == NID_undef)
    return csr_error("Unsupported " + family_name + " signature algorithm in CSR: "
                     + std::string{sig_nid == NID_undef ? "unknown" : OBJ_nid2sn(sig_nid)}
                     + ". Supported: SHA-256, SHA-384, SHA-512 with PKCS#1 v1.5 or ECDSA");
  auto signer_family = pk_nid == NID_rsaEncryption          ? key_family::rsa
                       : pk_nid == NID_X9_62_id_ecPublicKey ? key_family::ecdsa
                                                            : std::optional<key_family>{};
  if (signer_family != family)
    return csr_error("Invalid CSR: signature algorithm " + std::string{OBJ_nid2sn(sig_nid)}
                     + " does not match its " + family_name + " key");
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

// The parts of a CertificationRequest (RFC 2986), located in its DER.
struct csr_parts {
  std::string_view info;       ///< certificationRequestInfo, as signed
  std::string_view subject;    ///< Name
  std::string_view spki;       ///< SubjectPublicKeyInfo
  std::string_view attributes; ///< content of [0] attributes
  std::string_view algorithm;  ///< signatureAlgorithm
  std::string_view signature;  ///< signature bits
};

std::optional<csr_parts> split_csr(std::string_view der) {
  der::reader top{der};
  der::element request;
  if (!top.expect(der::sequence_tag, request) || !top.at_end())
    return std::nullopt;
  der::reader outer{request.content};
  der::element info;
  der::element algorithm;
  der::element signature;
  if (!outer.expect(der::sequence_tag, info) || !outer.expect(der::sequence_tag, algorithm)
      || !outer.expect(der::bit_string_tag, signature) || !outer.at_end()
      || signature.content.empty() || signature.content.front() != 0)
    return std::nullopt;
  der::reader fields{info.content};
  der::element version;
  der::element subject;
  der::element spki;
  der::element attributes;
  if (!fields.expect(der::integer_tag, version) || version.content != std::string_view{"\0", 1}
      || !fields.expect(der::sequence_tag, subject) || !fields.expect(der::sequence_tag, spki))
    return std::nullopt;
  if (!fields.at_end() && (!fields.expect(0xa0, attributes) || !fields.at_end()))
    return std::nullopt;
  return csr_parts{info.whole,         subject.whole,   spki.whole,
                   attributes.content, algorithm.whole, signature.content.substr(1)};
}

// The extensionRequest attribute (PKCS#9), if any, as X509_EXTENSIONS.
result<std::optional<extensions_ptr>> read_extension_request(std::string_view attributes) {
  constexpr std::string_view oid_extension_request = "\x2a\x86\x48\x86\xf7\x0d\x01\x09\x0e"sv;
  der::reader list{attributes};
  der::element attribute;
  while (list.next(attribute)) {
    der::reader parts{attribute.content};
    der::element type;
    der::element values;
    der::element value;
    if (attribute.tag != der::sequence_tag || !parts.expect(der::oid_tag, type)
        || !parts.expect(der::set_tag, values))
      return csr_error("Invalid CSR: malformed attribute");
    if (type.content != oid_extension_request)
      continue;
    der::reader first{values.content};
    if (!first.expect(der::sequence_tag, value))
      return csr_error("Invalid CSR: malformed extension request");
    auto ptr = reinterpret_cast<const unsigned char*>(value.whole.data());
    extensions_ptr exts{d2i_X509_EXTENSIONS(nullptr, &ptr, static_cast<long>(value.whole.size()))};
    if (!exts)
      return csr_error("Invalid CSR: malformed extension request");
    return std::optional<extensions_ptr>{std::move(exts)};
  }
  if (list.failed())
    return csr_error("Invalid CSR: malformed attributes");
  return std::optional<extensions_ptr>{};
}

status read_extensions(STACK_OF(X509_EXTENSION) * exts, parsed_csr& out) {
  // RFC 5280 §4.2: one instance of an extension. A second key usage would
  // silently replace the first. (The extensions certmint does not read are
  // not copied, so their repeats do no harm.)
  constexpr int read_here[] = {NID_subject_alt_name, NID_key_usage, NID_ext_key_usage,
                               NID_basic_constraints};
  bool seen[std::size(read_here)] = {};
  for (int i = 0; i < sk_X509_EXTENSION_num(exts); ++i) {
    auto* ext = sk_X509_EXTENSION_value(exts, i);
    auto nid = OBJ_obj2nid(X509_EXTENSION_get_object(ext));
    if (auto at = std::find(std::begin(read_here), std::end(read_here), nid);
        at != std::end(read_here)) {
      auto& was_seen = seen[at - std::begin(read_here)];
      if (was_seen)
        return csr_error(std::string{"Invalid CSR: the extension request has "} + OBJ_nid2sn(nid)
                         + " more than once");
      was_seen = true;
    }
    status ok;
    switch (nid) {
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

// The digest first, then EVP_PKEY_verify on it: EVP_DigestVerifyInit
// fetches the digest again inside the provider on every call (measured
// 77 us against 67 us for a P-256 verification).
status verify_signature(const csr_parts& parts, key_algorithm key_alg,
                        signature_algorithm signature) {
  auto refused = [] {
    return csr_error("Invalid CSR: signature verification failed (the CSR was not signed by the "
                     "private key of its public key, or it was altered)");
  };
  const auto* md = message_digest(signature.hash);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;
  if (md == nullptr
      || EVP_Digest(parts.info.data(), parts.info.size(), digest, &digest_len, md, nullptr) != 1)
    return refused();
  switch (verify_spki_signature(parts.spki, key_alg, md,
                                std::string_view{reinterpret_cast<const char*>(digest), digest_len},
                                parts.signature)) {
    case signature_check::valid:
      break;
    case signature_check::undecodable_key:
      return csr_error("Invalid CSR: the public key does not decode");
    case signature_check::invalid:
      return refused();
  }
  return {};
}

// What both parse_csr and verify_csr_signature read first: the DER of the
// PEM block (into `der`, which `parts` then views) and the request's key and
// signature algorithms (into `out`).
status read_head(std::string_view pem, std::string& der, csr_parts& parts, parsed_csr& out) {
  auto text = trim(pem);
  constexpr std::string_view header = "-----BEGIN CERTIFICATE REQUEST-----";
  constexpr std::string_view legacy_header = "-----BEGIN NEW CERTIFICATE REQUEST-----";
  if (text.substr(0, header.size()) != header
      && text.substr(0, legacy_header.size()) != legacy_header)
    return csr_error("Invalid CSR: expected a PEM-encoded PKCS#10 request starting with '"
                     + std::string{header} + "'");
  std::optional<csr_parts> split;
  size_t block_end = 0;
  if (auto decoded =
          pem_decode(text, {"CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST"}, &block_end)) {
    der = std::move(*decoded);
    split = split_csr(der);
  }
  if (!split)
    return csr_error("Invalid CSR: the PEM block does not decode to a PKCS#10 request");
  // A second request, or anything else, after the first block would be
  // ignored: which of two CSRs was meant is not ours to guess. (`text` is
  // trimmed, so whitespace around the block is not "after".)
  if (block_end != text.size())
    return csr_error("Invalid CSR: text follows the request's END line; send one PEM block");
  parts = *split;
  auto key_alg = classify_spki(parts.spki, "CSR");
  if (!key_alg)
    return std::move(key_alg).error();
  out.key_alg = *key_alg;
  auto sig = read_signature_algorithm(parts.algorithm, out.key_alg);
  if (!sig)
    return std::move(sig).error();
  out.signature = *sig;
  return {};
}

} // namespace

status verify_csr_signature(std::string_view pem) {
  std::string der;
  csr_parts parts;
  parsed_csr head;
  if (auto ok = read_head(pem, der, parts, head); !ok)
    return ok;
  return verify_signature(parts, head.key_alg, head.signature);
}

result<parsed_csr> parse_csr(std::string_view pem, csr_signature_check check,
                             csr_subject_rule subject_rule) {
  std::string der;
  csr_parts parts;
  parsed_csr out;
  if (auto ok = read_head(pem, der, parts, out); !ok)
    return std::move(ok).error();
  if (check == csr_signature_check::verify)
    if (auto ok = verify_signature(parts, out.key_alg, out.signature); !ok)
      return std::move(ok).error();
  auto exts = read_extension_request(parts.attributes);
  if (!exts)
    return std::move(exts).error();
  if (*exts)
    if (auto ok = read_extensions((**exts).get(), out); !ok)
      return std::move(ok).error();
  if (auto plain = read_subject_der(parts.subject)) {
    out.subject = std::move(*plain);
  } else {
    // OpenSSL's decoder takes BER (long-form lengths, say), and the
    // subject is copied into the certificate as the CSR encodes it: what is
    // not DER would make a certificate strict parsers refuse.
    if (!der::well_framed(parts.subject))
      return csr_error("Invalid CSR: the subject is not DER-encoded");
    auto ptr = reinterpret_cast<const unsigned char*>(parts.subject.data());
    x509_name_ptr subject{d2i_X509_NAME(nullptr, &ptr, static_cast<long>(parts.subject.size()))};
    if (!subject)
      return csr_error("Invalid CSR: the subject does not decode");
    if (auto ok = check_csr_subject(subject.get(), subject_rule); !ok) {
      ERR_clear_error();
      return std::move(ok).error();
    }
    out.subject = read_subject(subject.get());
  }
  out.subject_der = std::string{parts.subject};
  out.public_key_der = std::string{parts.spki};
  return out;
}

} // namespace certmint
