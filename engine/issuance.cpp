#include "engine/issuance.hpp"

#include "engine/text.hpp"
#include "engine/ttl.hpp"

namespace certmint {

std::vector<std::string> certificate_attributes::fields_not_allowed_with_csr() const {
  std::vector<std::string> out;
  auto note = [&out](bool present, const char* name) {
    if (present)
      out.emplace_back(name);
  };
  // An empty subject value only clears a default, which a CSR never uses.
  for_each_subject_attribute(static_cast<const subject_overrides&>(*this),
                             [&note](const char* name, const std::optional<std::string>& field) {
                               note(field && !field->empty(), name);
                             });
  note(alt_names.has_value(), "altNames");
  note(key_usages.has_value(), "keyUsages");
  note(ext_key_usages.has_value(), "extendedKeyUsages");
  note(signature_alg.has_value(), "signatureAlgorithm");
  note(key_alg.has_value(), "keyAlgorithm");
  return out;
}

namespace {

subject_fields subject_from(const certificate_attributes& attrs) {
  subject_fields out;
  zip_subject_attributes(out, static_cast<const subject_overrides&>(attrs),
                         [](const char*, std::string& field, const std::optional<std::string>& v) {
                           field = v.value_or("");
                         });
  return out;
}

// Applies `fill(field, default)` to each subject attribute, so both the
// request's optional attributes and a CSR's subject take the same defaults.
template <class Subject, class Fill>
void fill_subject_defaults(Subject& subject, const profile_defaults& d, Fill&& fill) {
  zip_subject_attributes(subject, static_cast<const subject_overrides&>(d),
                         [&fill](const char*, auto& field,
                                 const std::optional<std::string>& value) { fill(field, value); });
}

// The CSR's subject attributes, with the profile's defaults filling gaps.
subject_fields csr_subject_with_defaults(const parsed_csr& csr, const profile_defaults& d) {
  auto out = csr.subject;
  fill_subject_defaults(out, d, [](std::string& field, const std::optional<std::string>& value) {
    if (field.empty() && value)
      field = *value;
  });
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

std::optional<int64_t> ttl_seconds(const certificate_attributes& attrs,
                                   const profile_defaults& defaults) {
  if (attrs.ttl) {
    auto parsed = parse_ttl(*attrs.ttl);
    return parsed ? std::optional<int64_t>{*parsed} : std::nullopt;
  }
  if (defaults.ttl_days && !attrs.not_after)
    return *defaults.ttl_days * seconds_per_day;
  return std::nullopt;
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
    if (attrs.ttl) {
      if (auto parsed = parse_ttl(*attrs.ttl); !parsed) {
        errors.push_back(parsed.error().message);
        return;
      }
    }
    auto ttl = ttl_seconds(attrs, defaults);
    if (!ttl) {
      errors.emplace_back("Certificate issuance requires a valid TTL");
      return;
    }
    // RFC 5280 validity is inclusive of both ends: a 90-day certificate ends
    // one second before notBefore + 90 days.
    plan.not_after = plan.not_before + *ttl - 1;
  }
  // Explicit dates must differ, as in Infisical. A TTL of one second ends
  // where it begins: the one second both inclusive ends cover.
  if (plan.not_before > plan.not_after || (attrs.not_after && plan.not_before == plan.not_after))
    errors.emplace_back("notBefore date is after notAfter date");
  if (issuer.self_signed)
    return;
  if (plan.not_before < issuer.not_before)
    errors.emplace_back("notBefore date is before CA certificate's notBefore date");
  if (plan.not_after > issuer.not_after)
    errors.emplace_back("notAfter date is after CA certificate's notAfter date");
}

} // namespace

certificate_attributes with_profile_defaults(const certificate_attributes& attributes,
                                             const profile_defaults& d) {
  auto out = attributes;
  auto fill = [](auto& field, const auto& value) {
    if (!field && value)
      field = value;
  };
  fill_subject_defaults(out, d, fill);
  fill(out.key_usages, d.key_usages);
  fill(out.ext_key_usages, d.ext_key_usages);
  fill(out.key_alg, d.key_alg);
  fill(out.signature_alg, d.signature_alg);
  // basicConstraints is one object: the request's replaces the default's.
  if (!out.is_ca && d.is_ca) {
    out.is_ca = d.is_ca;
    out.path_length = d.path_length;
  }
  return out;
}

policy_request make_policy_request(const issuance_input& input, const parsed_csr* csr,
                                   const profile_defaults& defaults) {
  auto attrs = with_profile_defaults(input.attributes, defaults);
  policy_request out;
  out.ttl_seconds = ttl_seconds(input.attributes, defaults);
  out.not_before = attrs.not_before;
  out.not_after = attrs.not_after;
  out.wants_ca = attrs.is_ca.value_or(false);
  out.path_length = attrs.path_length;
  if (csr != nullptr) {
    out.subject = csr_subject_with_defaults(*csr, defaults);
    out.sans = csr->sans;
    out.key_usages = csr->key_usages.value_or(defaults.key_usages.value_or(0));
    out.ext_key_usages = csr->ext_key_usages.value_or(defaults.ext_key_usages.value_or(0));
    out.key_alg = csr->key_alg;
    out.signature_alg = csr->signature;
    out.wants_ca = out.wants_ca || csr->requests_ca;
  } else {
    out.subject = subject_from(attrs);
    out.sans = attrs.alt_names.value_or(std::vector<subject_alt_name>{});
    out.key_usages = attrs.key_usages.value_or(0);
    out.ext_key_usages = attrs.ext_key_usages.value_or(0);
    out.key_alg = attrs.key_alg;
    out.signature_alg = attrs.signature_alg;
  }
  if (out.key_usages & ku_key_cert_sign)
    out.wants_ca = true;
  return out;
}

result<issuance_plan> plan_issuance(const issuance_input& input, const parsed_csr* csr,
                                    const profile_defaults& defaults, const issuer_facts& issuer,
                                    int64_t now) {
  if (!issuer.self_signed) {
    if (!issuer.active)
      return make_failure(errc::bad_request, "CA is not active");
    if (now > issuer.not_after)
      return make_failure(errc::bad_request, "CA is expired");
  }
  std::vector<std::string> errors;
  auto attrs = with_profile_defaults(input.attributes, defaults);
  issuance_plan plan;
  if (csr != nullptr) {
    // The CSR is the source of truth for subject, SANs, usages and the key.
    // Infisical silently ignores such attributes; certmint refuses them so a
    // client never receives a certificate without the SAN it asked for.
    auto extra = input.attributes.fields_not_allowed_with_csr();
    if (!extra.empty())
      errors.push_back("attributes " + join(extra)
                       + " cannot be used with a CSR; the CSR is the source of truth for the "
                         "subject, SANs, key usages and algorithms");
    plan.subject = csr_subject_with_defaults(*csr, defaults);
    plan.subject_der = csr->subject_der;
    if (!(plan.subject == csr->subject)) {
      // Profile defaults fill attributes the CSR lacks (Infisical §7.3).
      auto der = append_subject_attributes(csr->subject_der, csr->subject, plan.subject);
      if (der)
        plan.subject_der = std::move(*der);
      else
        errors.push_back(der.error().message);
    }
    plan.sans = csr->sans;
    plan.key_usages = csr->key_usages.value_or(defaults.key_usages.value_or(0));
    plan.ext_key_usages = csr->ext_key_usages.value_or(defaults.ext_key_usages.value_or(0));
    plan.key_alg = csr->key_alg;
    plan.public_key_der = csr->public_key_der;
    plan.is_ca = attrs.is_ca.value_or(false) || csr->requests_ca;
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
    plan.key_usages = attrs.key_usages.value_or(0);
    plan.ext_key_usages = attrs.ext_key_usages.value_or(0);
    // Infisical §7.1: the CA's key algorithm, RSA_2048 for self-signed.
    plan.key_alg =
        attrs.key_alg.value_or(issuer.self_signed ? key_algorithm::rsa_2048 : issuer.key_alg);
    plan.is_ca = attrs.is_ca.value_or(false);
  }
  if (plan.key_usages & ku_key_cert_sign)
    plan.is_ca = true;
  if (plan.is_ca) {
    if (attrs.path_length)
      plan.path_length = *attrs.path_length;
    else if (issuer.path_length > 0)
      plan.path_length = issuer.path_length - 1;
  }
  plan.key_usages = usages_for_key(plan.key_usages, plan.key_alg);
  // The signature's family is the signing key's: the CA's, or the
  // certificate's own key when it is self-signed.
  auto signing_alg = issuer.self_signed ? plan.key_alg : issuer.key_alg;
  auto family = family_of(signing_alg);
  auto requested = csr == nullptr ? attrs.signature_alg : defaults.signature_alg;
  if (requested && requested->family != family) {
    errors.push_back("Requested signature algorithm " + std::string{to_string(*requested)}
                     + " is not compatible with CA key algorithm "
                     + std::string{to_string(signing_alg)} + ". CA can only sign with "
                     + std::string{to_string(family)} + "-based signature algorithms.");
  }
  plan.signature_alg = requested && requested->family == family
                           ? *requested
                           : signature_algorithm{family, default_hash(signing_alg)};
  plan_validity(attrs, defaults, issuer, now, plan, errors);
  if (!errors.empty())
    return make_failure(errc::bad_request,
                        "Certificate request validation failed: " + join(errors));
  return plan;
}

} // namespace certmint
