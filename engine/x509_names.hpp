#pragma once

// The vocabulary of certificate contents shared by requests, plans and
// records: subject attributes, subject alternative names, key usages.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/error.hpp"
#include "engine/openssl_types.hpp"

namespace certmint {

enum class san_type : uint8_t { dns_name = 1, ip_address = 2, email = 3, uri = 4 };

struct subject_alt_name {
  san_type type = san_type::dns_name;
  std::string value;
  friend bool operator==(const subject_alt_name& a, const subject_alt_name& b) {
    return a.type == b.type && a.value == b.value;
  }
};

std::string_view to_string(san_type type);
std::optional<san_type> parse_san_type(std::string_view name);

/// Checks that a SAN value has the syntax of its type: an LDH host name
/// (single labels such as `localhost` allowed; `*` only as the whole left-most
/// label), an IPv4/IPv6 address, an e-mail address, or an absolute URI.
status validate_san(const subject_alt_name& san);

/// Calls `visit(json_name, a_field, b_field)` for each of the six subject
/// attributes of two subjects, in subject order. Works on `subject_fields`
/// and `subject_overrides` (same member names): the one list of attributes.
template <class A, class B, class Visit> void zip_subject_attributes(A& a, B& b, Visit&& visit) {
  visit("commonName", a.common_name, b.common_name);
  visit("organization", a.organization, b.organization);
  visit("organizationalUnit", a.organizational_unit, b.organizational_unit);
  visit("country", a.country, b.country);
  visit("state", a.state, b.state);
  visit("locality", a.locality, b.locality);
}

/// Calls `visit(json_name, field)` for each subject attribute.
template <class Subject, class Visit> void for_each_subject_attribute(Subject& s, Visit&& visit) {
  zip_subject_attributes(s, s,
                         [&visit](const char* name, auto& field, auto&) { visit(name, field); });
}

/// Subject attributes each of which may be absent: what a request sends
/// (`certificate_attributes`) and what a profile supplies (`profile_defaults`).
struct subject_overrides {
  std::optional<std::string> common_name;
  std::optional<std::string> organization;
  std::optional<std::string> organizational_unit;
  std::optional<std::string> country;
  std::optional<std::string> state;
  std::optional<std::string> locality;
};

struct subject_fields {
  std::string common_name;
  std::string organization;
  std::string organizational_unit;
  std::string country;
  std::string state;
  std::string locality;
  friend bool operator==(const subject_fields& a, const subject_fields& b) {
    return a.common_name == b.common_name && a.organization == b.organization
           && a.organizational_unit == b.organizational_unit && a.country == b.country
           && a.state == b.state && a.locality == b.locality;
  }
  bool empty() const {
    return common_name.empty() && organization.empty() && organizational_unit.empty()
           && country.empty() && state.empty() && locality.empty();
  }
};

/// Builds a DN in the order C, ST, L, O, OU, CN and returns its DER. Enforces
/// RFC 5280's upper bounds (CN/O/OU 64, ST/L 128) and a two-letter country.
result<std::string> encode_subject(const subject_fields& subject);

/// Appends to a DN (DER) the attributes `wanted` has and `present` lacks,
/// keeping the original entries and their encoding.
result<std::string> append_subject_attributes(std::string_view subject_der,
                                              const subject_fields& present,
                                              const subject_fields& wanted);

/// Reads the common attributes of a DN (first occurrence of each).
subject_fields read_subject(const X509_NAME* name);

/// What a CSR's subject may hold. The DN is copied into the certificate as
/// the CSR encodes it, so under a policy it may hold only what the policy
/// judges: single-valued RDNs of C, ST, L, O, OU and CN, each at most once
/// (a second CN or an emailAddress would reach the certificate without any
/// rule having seen it). A subordinate CA's CSR, signed by an administrator
/// with no policy in between, may hold any attributes (DC components, two
/// OUs). Either way every value is a text string without control
/// characters.
enum class csr_subject_rule { policy_judged, any_attributes };

/// Checks a CSR's subject against `rule`. Every failure is
/// errc::bad_request, "Invalid CSR: ...", naming the attribute.
status check_csr_subject(const X509_NAME* name, csr_subject_rule rule);

/// The same fields read straight from a DN's DER, for the shape nearly
/// every CSR has: single-valued RDNs of C, ST, L, O, OU and CN, each at
/// most once, in UTF8String (well-formed UTF-8), PrintableString or
/// IA5String (ASCII), without control characters. Anything else (other
/// attributes or string types, multi-valued RDNs, repeats, malformed DER)
/// gives nullopt, and the caller decodes the DN with OpenSSL,
/// check_csr_subject and read_subject, whose answer this equals where it
/// answers (and check_csr_subject passes what this reads, under either
/// rule). Saves OpenSSL's d2i_X509_NAME (~20k instructions a CSR).
std::optional<subject_fields> read_subject_der(std::string_view name_der);

/// Key usages as a mask whose bit i is bit i of the X.509 KeyUsage BIT STRING.
enum key_usage_bit : uint16_t {
  ku_digital_signature = 1u << 0,
  ku_non_repudiation = 1u << 1,
  ku_key_encipherment = 1u << 2,
  ku_data_encipherment = 1u << 3,
  ku_key_agreement = 1u << 4,
  ku_key_cert_sign = 1u << 5,
  ku_crl_sign = 1u << 6,
  ku_encipher_only = 1u << 7,
  ku_decipher_only = 1u << 8,
};

/// Extended key usages as a mask (order = the order we emit them in).
enum ext_key_usage_bit : uint8_t {
  eku_server_auth = 1u << 0,
  eku_client_auth = 1u << 1,
  eku_code_signing = 1u << 2,
  eku_email_protection = 1u << 3,
  eku_time_stamping = 1u << 4,
  eku_ocsp_signing = 1u << 5,
  eku_any_purpose = 1u << 6,
};

/// Wire names (`digital_signature`, `server_auth`, ...), in bit order.
std::optional<uint16_t> parse_key_usage(std::string_view name);
std::optional<uint8_t> parse_ext_key_usage(std::string_view name);
std::vector<std::string_view> key_usage_names(uint16_t mask);
std::vector<std::string_view> ext_key_usage_names(uint8_t mask);
int ext_key_usage_nid(uint8_t bit);

} // namespace certmint
