#include "engine/x509_names.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>
#include <iterator>

#include "engine/der.hpp"
#include "engine/text.hpp"

namespace certmint {

namespace {

constexpr std::string_view key_usage_wire[] = {
    "digital_signature", "non_repudiation", "key_encipherment",
    "data_encipherment", "key_agreement",   "key_cert_sign",
    "crl_sign",          "encipher_only",   "decipher_only",
};

constexpr std::string_view ext_key_usage_wire[] = {
    "server_auth",   "client_auth",  "code_signing", "email_protection",
    "time_stamping", "ocsp_signing", "any_purpose",
};

constexpr int ext_key_usage_nids[] = {
    NID_server_auth, NID_client_auth, NID_code_sign,           NID_email_protect,
    NID_time_stamp,  NID_OCSP_sign,   NID_anyExtendedKeyUsage,
};

bool is_ldh_label(std::string_view label) {
  if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
    return false;
  for (auto c : label)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'))
      return false;
  return true;
}

bool is_host_name(std::string_view name, bool allow_wildcard) {
  if (name.empty() || name.size() > 253)
    return false;
  if (allow_wildcard && name.substr(0, 2) == "*.")
    name.remove_prefix(2);
  size_t start = 0;
  while (true) {
    auto dot = name.find('.', start);
    auto label = name.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (!is_ldh_label(label))
      return false;
    if (dot == std::string_view::npos)
      return true;
    start = dot + 1;
  }
}

bool is_printable_ascii(std::string_view text) {
  for (auto c : text)
    if (c <= 0x20 || c >= 0x7f)
      return false;
  return !text.empty();
}

bool is_email(std::string_view value) {
  auto at = value.rfind('@');
  if (at == std::string_view::npos || at == 0 || !is_printable_ascii(value))
    return false;
  return is_host_name(value.substr(at + 1), false);
}

bool is_uri(std::string_view value) {
  auto colon = value.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == value.size()
      || !is_printable_ascii(value))
    return false;
  auto scheme = value.substr(0, colon);
  if (!((scheme[0] >= 'a' && scheme[0] <= 'z') || (scheme[0] >= 'A' && scheme[0] <= 'Z')))
    return false;
  for (auto c : scheme)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+'
          || c == '-' || c == '.'))
      return false;
  return true;
}

bool is_ip(std::string_view value) {
  std::string text{value};
  unsigned char buf[16];
  return inet_pton(AF_INET, text.c_str(), buf) == 1 || inet_pton(AF_INET6, text.c_str(), buf) == 1;
}

std::string entry_text(const X509_NAME* name, int nid) {
  auto idx = X509_NAME_get_index_by_NID(name, nid, -1);
  if (idx < 0)
    return {};
  auto* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
  unsigned char* utf8 = nullptr;
  auto len = ASN1_STRING_to_UTF8(&utf8, data);
  if (len < 0)
    return {};
  std::string out(reinterpret_cast<char*>(utf8), static_cast<size_t>(len));
  OPENSSL_free(utf8);
  return out;
}

// RFC 3629 UTF-8: no overlong forms, no surrogates, nothing past
// U+10FFFF (a subset of what OpenSSL's UTF8_getc accepts, so OpenSSL
// would return these bytes unchanged).
bool is_strict_utf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    auto c = static_cast<uint8_t>(text[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t extra = 0;
    uint32_t cp = 0;
    uint32_t min = 0;
    if ((c & 0xe0) == 0xc0) {
      extra = 1, cp = c & 0x1fu, min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
      extra = 2, cp = c & 0x0fu, min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
      extra = 3, cp = c & 0x07u, min = 0x10000;
    } else {
      return false;
    }
    if (text.size() - i <= extra)
      return false;
    for (size_t k = 1; k <= extra; ++k) {
      auto cont = static_cast<uint8_t>(text[i + k]);
      if ((cont & 0xc0) != 0x80)
        return false;
      cp = (cp << 6) | (cont & 0x3fu);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
      return false;
    i += extra + 1;
  }
  return true;
}

bool is_ascii(std::string_view text) {
  for (auto c : text)
    if (static_cast<uint8_t>(c) >= 0x80)
      return false;
  return true;
}

// A DirectoryString that OpenSSL's ASN1_STRING_to_UTF8 would return
// byte for byte: well-formed UTF-8 in a UTF8String, ASCII in a
// PrintableString or IA5String.
bool is_plain_text(const der::element& value) {
  if (value.tag == der::utf8_string_tag)
    return is_strict_utf8(value.content);
  if (value.tag == der::printable_string_tag || value.tag == der::ia5_string_tag)
    return is_ascii(value.content);
  return false;
}

// The id-at (2.5.4) numbers of the attributes read_subject_der reads, in
// the order of its fields: commonName, countryName, localityName,
// stateOrProvinceName, organizationName, organizationalUnitName.
constexpr char subject_attribute_numbers[] = {3, 6, 7, 8, 10, 11};

// The position among those of an attribute type (OID content bytes), or -1.
int subject_attribute(std::string_view oid) {
  if (oid.size() != 3 || oid[0] != 0x55 || oid[1] != 0x04)
    return -1;
  for (size_t i = 0; i < std::size(subject_attribute_numbers); ++i)
    if (oid[2] == subject_attribute_numbers[i])
      return static_cast<int>(i);
  return -1;
}

} // namespace

std::optional<subject_fields> read_subject_der(std::string_view name_der) {
  der::reader top{name_der};
  der::element name;
  if (!top.expect(der::sequence_tag, name) || !top.at_end())
    return std::nullopt;
  subject_fields out;
  std::string* fields[] = {&out.common_name, &out.country,      &out.locality,
                           &out.state,       &out.organization, &out.organizational_unit};
  // A repeated attribute or a control character is refused by
  // check_csr_subject, which says why.
  bool seen[std::size(fields)] = {};
  der::reader rdns{name.content};
  der::element rdn;
  while (rdns.next(rdn)) {
    der::reader set{rdn.content};
    der::element atv;
    if (rdn.tag != der::set_tag || !set.expect(der::sequence_tag, atv) || !set.at_end())
      return std::nullopt;
    der::reader parts{atv.content};
    der::element type;
    der::element value;
    if (!parts.expect(der::oid_tag, type) || !parts.next(value) || !parts.at_end())
      return std::nullopt;
    auto at = subject_attribute(type.content);
    if (at < 0 || !is_plain_text(value) || has_control_character(value.content))
      return std::nullopt;
    auto i = static_cast<size_t>(at);
    if (seen[i])
      return std::nullopt;
    seen[i] = true;
    fields[i]->assign(value.content);
  }
  if (rdns.failed())
    return std::nullopt;
  return out;
}

std::string_view to_string(san_type type) {
  switch (type) {
    case san_type::dns_name:
      return "dns_name";
    case san_type::ip_address:
      return "ip_address";
    case san_type::email:
      return "email";
    case san_type::uri:
      return "uri";
  }
  return "unknown";
}

std::optional<san_type> parse_san_type(std::string_view name) {
  for (auto type : {san_type::dns_name, san_type::ip_address, san_type::email, san_type::uri})
    if (to_string(type) == name)
      return type;
  return std::nullopt;
}

status validate_san(const subject_alt_name& san) {
  bool ok = false;
  switch (san.type) {
    case san_type::dns_name:
      ok = is_host_name(san.value, true);
      break;
    case san_type::ip_address:
      ok = is_ip(san.value);
      break;
    case san_type::email:
      ok = is_email(san.value);
      break;
    case san_type::uri:
      ok = is_uri(san.value);
      break;
  }
  if (ok)
    return {};
  return make_failure(errc::bad_request, "Invalid " + std::string{to_string(san.type)}
                                             + " SAN value '" + san.value + "'");
}

namespace {

// Adds the non-empty attributes of `subject` for which `wanted` holds, in
// the order C, ST, L, O, OU, CN, enforcing RFC 5280's upper bounds
// (CN/O/OU 64, ST/L 128) and a two-letter country.
template <class Wanted>
status add_attributes(X509_NAME* name, const subject_fields& subject, Wanted&& wanted) {
  struct attribute {
    int nid;
    const std::string* value;
    size_t max;
    const char* name;
  };
  const attribute attributes[] = {
      {NID_countryName, &subject.country, 2, "country"},
      {NID_stateOrProvinceName, &subject.state, 128, "state"},
      {NID_localityName, &subject.locality, 128, "locality"},
      {NID_organizationName, &subject.organization, 64, "organization"},
      {NID_organizationalUnitName, &subject.organizational_unit, 64, "organizationalUnit"},
      {NID_commonName, &subject.common_name, 64, "commonName"},
  };
  for (const auto& attr : attributes) {
    if (attr.value->empty() || !wanted(attr.nid))
      continue;
    if (attr.nid == NID_countryName) {
      const auto& c = *attr.value;
      if (c.size() != 2 || c[0] < 'A' || c[0] > 'Z' || c[1] < 'A' || c[1] > 'Z')
        return make_failure(errc::bad_request,
                            "country must be a two-letter ISO 3166 code in upper case, got '" + c
                                + "'");
    }
    if (has_control_character(*attr.value))
      return make_failure(errc::bad_request,
                          std::string{attr.name} + " must not contain control characters");
    if (attr.value->size() > attr.max)
      return make_failure(errc::bad_request, std::string{attr.name} + " must be at most "
                                                 + std::to_string(attr.max)
                                                 + " characters (RFC 5280 upper bound)");
    if (X509_NAME_add_entry_by_NID(name, attr.nid, MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(attr.value->data()),
                                   static_cast<int>(attr.value->size()), -1, 0)
        != 1) {
      openssl_error_string();
      return make_failure(errc::bad_request, std::string{attr.name} + " is not valid UTF-8 text");
    }
  }
  return {};
}

result<std::string> name_to_der(const X509_NAME* name) {
  unsigned char* der = nullptr;
  auto len = i2d_X509_NAME(name, &der);
  if (len < 0)
    return make_failure(errc::internal, "cannot encode subject: " + openssl_error_string());
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

} // namespace

result<std::string> encode_subject(const subject_fields& subject) {
  x509_name_ptr name{X509_NAME_new()};
  if (auto ok = add_attributes(name.get(), subject, [](int) { return true; }); !ok)
    return std::move(ok).error();
  return name_to_der(name.get());
}

result<std::string> append_subject_attributes(std::string_view subject_der,
                                              const subject_fields& present,
                                              const subject_fields& wanted) {
  auto ptr = reinterpret_cast<const unsigned char*>(subject_der.data());
  x509_name_ptr name{d2i_X509_NAME(nullptr, &ptr, static_cast<long>(subject_der.size()))};
  if (!name)
    return make_failure(errc::bad_request, "the subject does not decode");
  auto missing = [&present](int nid) {
    switch (nid) {
      case NID_countryName:
        return present.country.empty();
      case NID_stateOrProvinceName:
        return present.state.empty();
      case NID_localityName:
        return present.locality.empty();
      case NID_organizationName:
        return present.organization.empty();
      case NID_organizationalUnitName:
        return present.organizational_unit.empty();
      default:
        return present.common_name.empty();
    }
  };
  if (auto ok = add_attributes(name.get(), wanted, missing); !ok)
    return std::move(ok).error();
  return name_to_der(name.get());
}

subject_fields read_subject(const X509_NAME* name) {
  subject_fields out;
  out.common_name = entry_text(name, NID_commonName);
  out.organization = entry_text(name, NID_organizationName);
  out.organizational_unit = entry_text(name, NID_organizationalUnitName);
  out.country = entry_text(name, NID_countryName);
  out.state = entry_text(name, NID_stateOrProvinceName);
  out.locality = entry_text(name, NID_localityName);
  return out;
}

status check_csr_subject(const X509_NAME* name, csr_subject_rule rule) {
  auto refuse = [](std::string message) {
    return make_failure(errc::bad_request, "Invalid CSR: " + std::move(message));
  };
  constexpr int judged[] = {NID_commonName,       NID_countryName,
                            NID_localityName,     NID_stateOrProvinceName,
                            NID_organizationName, NID_organizationalUnitName};
  bool seen[std::size(judged)] = {};
  auto count = X509_NAME_entry_count(name);
  for (int i = 0; i < count; ++i) {
    const auto* entry = X509_NAME_get_entry(name, i);
    const auto* object = X509_NAME_ENTRY_get_object(entry);
    auto nid = OBJ_obj2nid(object);
    // The attribute's name, for a refusal only: OpenSSL's short name, or
    // the OID of one it has no name for.
    auto type_name = [nid, object] {
      if (nid != NID_undef)
        return std::string{OBJ_nid2sn(nid)};
      char oid[80];
      OBJ_obj2txt(oid, sizeof(oid), object, 1);
      return std::string{oid};
    };
    if (rule == csr_subject_rule::policy_judged) {
      if (i > 0
          && X509_NAME_ENTRY_set(entry) == X509_NAME_ENTRY_set(X509_NAME_get_entry(name, i - 1)))
        return refuse("the subject has a multi-valued RDN (" + type_name()
                      + " joined to another attribute); give each attribute its own RDN");
      auto at = std::find(std::begin(judged), std::end(judged), nid);
      if (at == std::end(judged))
        return refuse("subject attribute " + type_name()
                      + " is not supported; a subject may hold C, ST, L, O, OU and CN");
      auto& was_seen = seen[at - std::begin(judged)];
      if (was_seen)
        return refuse("subject attribute " + type_name()
                      + " appears more than once; a policy judges one value of each attribute");
      was_seen = true;
    }
    unsigned char* utf8 = nullptr;
    auto len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(entry));
    if (len < 0)
      return refuse("subject attribute " + type_name() + " is not a text string");
    bool control = has_control_character(
        std::string_view{reinterpret_cast<char*>(utf8), static_cast<size_t>(len)});
    OPENSSL_free(utf8);
    if (control)
      return refuse("subject attribute " + type_name() + " contains a control character");
  }
  return {};
}

std::optional<uint16_t> parse_key_usage(std::string_view name) {
  for (size_t i = 0; i < std::size(key_usage_wire); ++i)
    if (key_usage_wire[i] == name)
      return static_cast<uint16_t>(1u << i);
  return std::nullopt;
}

std::optional<uint8_t> parse_ext_key_usage(std::string_view name) {
  for (size_t i = 0; i < std::size(ext_key_usage_wire); ++i)
    if (ext_key_usage_wire[i] == name)
      return static_cast<uint8_t>(1u << i);
  return std::nullopt;
}

std::vector<std::string_view> key_usage_names(uint16_t mask) {
  std::vector<std::string_view> out;
  for (size_t i = 0; i < std::size(key_usage_wire); ++i)
    if (mask & (1u << i))
      out.push_back(key_usage_wire[i]);
  return out;
}

std::vector<std::string_view> ext_key_usage_names(uint8_t mask) {
  std::vector<std::string_view> out;
  for (size_t i = 0; i < std::size(ext_key_usage_wire); ++i)
    if (mask & (1u << i))
      out.push_back(ext_key_usage_wire[i]);
  return out;
}

int ext_key_usage_nid(uint8_t bit) {
  for (size_t i = 0; i < std::size(ext_key_usage_nids); ++i)
    if (bit == (1u << i))
      return ext_key_usage_nids[i];
  return NID_undef;
}

} // namespace certmint
