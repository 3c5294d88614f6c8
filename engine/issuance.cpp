#include "engine/issuance.hpp"

#include "engine/ttl.hpp"

namespace certmint {

std::vector<std::string> certificate_attributes::fields_not_allowed_with_csr() const {
  std::vector<std::string> out;
  auto note = [&out](bool present, const char* name) {
    if (present)
      out.emplace_back(name);
  };
  note(common_name.has_value(), "commonName");
  note(organization.has_value(), "organization");
  note(organizational_unit.has_value(), "organizationalUnit");
  note(country.has_value(), "country");
  note(state.has_value(), "state");
  note(locality.has_value(), "locality");
  note(alt_names.has_value(), "altNames");
  note(key_usages.has_value(), "keyUsages");
  note(ext_key_usages.has_value(), "extendedKeyUsages");
  note(signature_alg.has_value(), "signatureAlgorithm");
  note(key_alg.has_value(), "keyAlgorithm");
  return out;
}

namespace {

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (const auto& part : parts) {
    if (!out.empty())
      out += sep;
    out += part;
  }
  return out;
}

subject_fields subject_from(const certificate_attributes& attrs) {
  subject_fields out;
  out.common_name = attrs.common_name.value_or("");
  out.organization = attrs.organization.value_or("");
  out.organizational_unit = attrs.organizational_unit.value_or("");
  out.country = attrs.country.value_or("");
  out.state = attrs.state.value_or("");
  out.locality = attrs.locality.value_or("");
  return out;
}

// Key usages that make no sense for the key: RFC 5480 §3 allows no
// keyEncipherment or dataEncipherment for EC keys (zlint e_ecdsa_ee_invalid_ku),
// so they are dropped rather than signed into an invalid certificate.
uint16_t usages_for_key(uint16_t usages, key_algorithm alg) {
  if (family_of(alg) == key_family::ecdsa)
    usages = static_cast<uint16_t>(usages & ~(ku_key_encipherment | ku_data_encipherment));
  return usages;
}

void plan_validity(const certificate_attributes& attrs, const profile_defaults& defaults,
                   const issuer_facts& issuer, int64_t now, issuance_plan& plan,
                   std::vector<std::string>& errors) {
  if (attrs.ttl && (attrs.not_before || attrs.not_after)) {
    errors.emplace_back("Cannot specify both TTL and notBefore/notAfter. Use either TTL for "
                        "duration-based validity or notBefore/notAfter for explicit date range.");
    return;
  }
  plan.not_before = attrs.not_before.value_or(now);
  if (attrs.not_after) {
    plan.not_after = *attrs.not_after;
  } else {
    std::optional<int64_t> ttl;
    if (attrs.ttl) {
      auto parsed = parse_ttl(*attrs.ttl);
      if (!parsed) {
        errors.push_back(parsed.error().message);
        return;
      }
      ttl = *parsed;
    } else if (defaults.ttl_days) {
      ttl = *defaults.ttl_days * 86400;
    }
    if (!ttl) {
      errors.emplace_back("Certificate issuance requires a valid TTL");
      return;
    }
    // RFC 5280 validity is inclusive of both ends: a 90-day certificate ends
    // one second before notBefore + 90 days.
    plan.not_after = plan.not_before + *ttl - 1;
  }
  if (plan.not_before >= plan.not_after)
    errors.emplace_back("notBefore date is after notAfter date");
  if (plan.not_before < issuer.not_before)
    errors.emplace_back("notBefore date is before CA certificate's notBefore date");
  if (plan.not_after > issuer.not_after)
    errors.emplace_back("notAfter date is after CA certificate's notAfter date");
}

} // namespace

result<issuance_plan> plan_issuance(const issuance_input& input, const parsed_csr* csr,
                                    const profile_defaults& defaults, const issuer_facts& issuer,
                                    int64_t now) {
  if (!issuer.active)
    return make_failure(errc::bad_request, "CA is not active");
  if (now > issuer.not_after)
    return make_failure(errc::bad_request, "CA is expired");
  const auto& attrs = input.attributes;
  std::vector<std::string> errors;
  issuance_plan plan;
  bool wants_ca = attrs.is_ca.value_or(false);
  if (csr != nullptr) {
    // The CSR is the source of truth for subject, SANs, usages and the key.
    // Infisical silently ignores such attributes; certmint refuses them so a
    // client never receives a certificate without the SAN it asked for.
    auto extra = attrs.fields_not_allowed_with_csr();
    if (!extra.empty())
      errors.push_back("attributes " + join(extra, ", ")
                       + " cannot be used with a CSR; the CSR is the source of truth for the "
                         "subject, SANs, key usages and algorithms");
    plan.subject_der = csr->subject_der;
    plan.subject = csr->subject;
    plan.sans = csr->sans;
    plan.key_usages = csr->key_usages.value_or(defaults.key_usages.value_or(0));
    plan.ext_key_usages = csr->ext_key_usages.value_or(defaults.ext_key_usages.value_or(0));
    plan.key_alg = csr->key_alg;
    plan.public_key_der = csr->public_key_der;
    wants_ca = wants_ca || csr->requests_ca;
  } else {
    plan.subject = subject_from(attrs);
    auto der = encode_subject(plan.subject);
    if (der)
      plan.subject_der = std::move(*der);
    else
      errors.push_back(der.error().message);
    if (attrs.alt_names) {
      for (const auto& san : *attrs.alt_names)
        if (auto ok = validate_san(san); !ok)
          errors.push_back(ok.error().message);
      plan.sans = *attrs.alt_names;
    }
    if (plan.subject.empty() && plan.sans.empty())
      errors.emplace_back("a certificate needs a subject attribute or at least one subject "
                          "alternative name");
    plan.key_usages = attrs.key_usages.value_or(defaults.key_usages.value_or(0));
    plan.ext_key_usages = attrs.ext_key_usages.value_or(defaults.ext_key_usages.value_or(0));
    plan.key_alg = attrs.key_alg.value_or(defaults.key_alg.value_or(issuer.key_alg));
  }
  if (plan.key_usages & (ku_key_cert_sign | ku_crl_sign))
    wants_ca = true;
  if (wants_ca)
    errors.emplace_back("CA certificate issuance is denied by this policy. The policy does not "
                        "allow issuing CA certificates.");
  plan.key_usages = usages_for_key(plan.key_usages, plan.key_alg);
  auto ca_family = family_of(issuer.key_alg);
  auto requested = csr == nullptr ? attrs.signature_alg.has_value() ? attrs.signature_alg
                                                                    : defaults.signature_alg
                                  : defaults.signature_alg;
  if (requested && requested->family != ca_family) {
    errors.push_back("Requested signature algorithm " + std::string{to_string(*requested)}
                     + " is not compatible with CA key algorithm "
                     + std::string{to_string(issuer.key_alg)} + ". CA can only sign with "
                     + std::string{to_string(ca_family)} + "-based signature algorithms.");
  }
  plan.signature_alg = requested && requested->family == ca_family
                           ? *requested
                           : signature_algorithm{ca_family, default_hash(issuer.key_alg)};
  plan_validity(attrs, defaults, issuer, now, plan, errors);
  if (!errors.empty())
    return make_failure(errc::bad_request,
                        "Certificate request validation failed: " + join(errors, ", "));
  return plan;
}

} // namespace certmint
