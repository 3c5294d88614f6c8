#include "gateway/configuration_responses.hpp"

#include "engine/hex.hpp"
#include "engine/pem.hpp"
#include "engine/time_format.hpp"
#include "gateway/json_writer.hpp"
#include "gateway/responses.hpp"

namespace certmint {

namespace {

void write_strings(json_writer& w, const std::vector<std::string>& items) {
  w.begin_array();
  for (const auto& item : items)
    w.value(item);
  w.end_array();
}

// allowed/required/denied members, each only when the policy has values.
template <class Rule> void write_rule_members(json_writer& w, const Rule& rule) {
  if (!rule.allowed.empty()) {
    w.key("allowed");
    write_strings(w, rule.allowed);
  }
  if (!rule.required.empty()) {
    w.key("required");
    write_strings(w, rule.required);
  }
  if (!rule.denied.empty()) {
    w.key("denied");
    write_strings(w, rule.denied);
  }
}

void write_policy(json_writer& w, const policy_record& p) {
  const auto& r = p.rules;
  w.begin_object();
  w.key("id").value(p.id).key("projectId").null();
  w.key("name").value(p.name).key("description").value(p.description);
  w.key("subject").begin_array();
  for (const auto& rule : r.subject) {
    w.begin_object().key("type").value(to_string(rule.type));
    write_rule_members(w, rule.values);
    w.end_object();
  }
  w.end_array();
  w.key("sans").begin_array();
  for (const auto& rule : r.sans) {
    w.begin_object().key("type").value(to_string(rule.type));
    write_rule_members(w, rule.values);
    w.end_object();
  }
  w.end_array();
  auto write_usage = [&w](const char* key, const std::optional<usage_rule>& rule) {
    w.key(key);
    if (!rule) {
      w.null();
      return;
    }
    w.begin_object();
    write_rule_members(w, *rule);
    w.end_object();
  };
  write_usage("keyUsages", r.key_usages);
  write_usage("extendedKeyUsages", r.ext_key_usages);
  w.key("algorithms").begin_object();
  if (r.signature_algorithms) {
    w.key("signature");
    write_strings(w, *r.signature_algorithms);
  }
  if (r.key_algorithms) {
    w.key("keyAlgorithm");
    write_strings(w, *r.key_algorithms);
  }
  w.end_object();
  w.key("validity");
  if (r.max_validity)
    w.begin_object().key("max").value(*r.max_validity).end_object();
  else
    w.null();
  w.key("basicConstraints");
  if (r.basic_constraints)
    w.begin_object()
        .key("isCA")
        .value(to_string(r.basic_constraints->is_ca))
        .key("maxPathLength")
        .value(r.basic_constraints->max_path_length)
        .end_object();
  else
    w.null();
  w.key("createdAt").value(format_iso8601(p.created_at));
  w.key("updatedAt").value(format_iso8601(p.updated_at));
  w.end_object();
}

void write_defaults(json_writer& w, const profile_defaults& d) {
  w.begin_object();
  if (d.ttl_days)
    w.key("ttlDays").value(*d.ttl_days);
  for_each_subject_attribute(static_cast<const subject_overrides&>(d),
                             [&w](const char* key, const std::optional<std::string>& value) {
                               if (value)
                                 w.key(key).value(*value);
                             });
  if (d.key_alg)
    w.key("keyAlgorithm").value(to_string(*d.key_alg));
  if (d.signature_alg)
    w.key("signatureAlgorithm").value(to_string(*d.signature_alg));
  if (d.key_usages)
    w.key("keyUsages").string_array(key_usage_names(*d.key_usages));
  if (d.ext_key_usages)
    w.key("extendedKeyUsages").string_array(ext_key_usage_names(*d.ext_key_usages));
  if (d.is_ca) {
    w.key("basicConstraints").begin_object().key("isCA").value(*d.is_ca);
    if (d.path_length)
      w.key("pathLength").value(*d.path_length);
    w.end_object();
  }
  w.end_object();
}

void write_profile(json_writer& w, const profile_record& profile,
                   const catalog_snapshot& snapshot) {
  w.begin_object();
  w.key("id").value(profile.id).key("projectId").null();
  w.key("slug").value(profile.slug);
  w.key("description").value(profile.description);
  w.key("caId").string_or_null(profile.ca_id);
  w.key("certificatePolicyId").value(profile.policy_id);
  w.key("enrollmentType").value(profile.enrollment_type);
  w.key("issuerType").value(profile.issuer_type);
  w.key("apiConfig").begin_object().key("autoRenew").value(profile.auto_renew);
  if (profile.renew_before_days > 0)
    w.key("renewBeforeDays").value(profile.renew_before_days);
  w.end_object();
  w.key("estConfig").null().key("acmeConfig").null();
  w.key("defaults");
  write_defaults(w, profile.defaults);
  if (const auto* ca = snapshot.ca(profile.ca_id))
    w.key("certificateAuthority")
        .begin_object()
        .key("id")
        .value(ca->id)
        .key("name")
        .value(ca->name)
        .key("status")
        .value(to_string(ca->status))
        .end_object();
  if (const auto* policy = snapshot.policy(profile.policy_id))
    w.key("certificatePolicy")
        .begin_object()
        .key("id")
        .value(policy->id)
        .key("name")
        .value(policy->name)
        .end_object();
  w.key("createdAt").value(format_iso8601(profile.created_at));
  w.key("updatedAt").value(format_iso8601(profile.updated_at));
  w.end_object();
}

void write_ca(json_writer& w, const ca_record& ca) {
  w.begin_object();
  w.key("id").value(ca.id).key("name").value(ca.name).key("type").value("internal");
  w.key("status").value(to_string(ca.status)).key("projectId").null();
  w.key("configuration").begin_object();
  w.key("type").value(to_string(ca.type));
  w.key("friendlyName").value(ca.friendly_name);
  w.key("commonName").value(ca.subject.common_name);
  w.key("organization").value(ca.subject.organization);
  w.key("ou").value(ca.subject.organizational_unit);
  w.key("country").value(ca.subject.country);
  w.key("province").value(ca.subject.state);
  w.key("locality").value(ca.subject.locality);
  if (ca.certificate_der.empty()) {
    w.key("notBefore").null().key("notAfter").null().key("serialNumber").null();
    w.key("activeCaCertId").null();
  } else {
    w.key("notBefore").value(format_iso8601(ca.not_before));
    w.key("notAfter").value(format_iso8601(ca.not_after));
    w.key("serialNumber").value(to_hex(ca.serial));
    w.key("activeCaCertId").value(ca.ca_cert_id);
  }
  w.key("maxPathLength").value(ca.path_length);
  w.key("keyAlgorithm").value(to_string(ca.key_alg));
  w.key("parentCaId").string_or_null(ca.parent_id);
  w.end_object();
  w.key("createdAt").value(format_iso8601(ca.created_at));
  w.key("updatedAt").value(format_iso8601(ca.updated_at));
  w.end_object();
}

} // namespace

std::string render_policy(const policy_record& policy) {
  json_writer w;
  w.begin_object().key("certificatePolicy");
  write_policy(w, policy);
  w.end_object();
  return w.take();
}

std::string render_policy_page(const page<policy_record>& policies) {
  json_writer w;
  w.begin_object().key("certificatePolicies").begin_array();
  for (const auto& policy : policies.items)
    write_policy(w, policy);
  w.end_array().key("totalCount").value(static_cast<int64_t>(policies.total)).end_object();
  return w.take();
}

std::string render_profile(const profile_record& profile, const catalog_snapshot& snapshot) {
  json_writer w;
  w.begin_object().key("certificateProfile");
  write_profile(w, profile, snapshot);
  w.end_object();
  return w.take();
}

std::string render_profile_page(const page<profile_record>& profiles,
                                const catalog_snapshot& snapshot) {
  json_writer w;
  w.begin_object().key("certificateProfiles").begin_array();
  for (const auto& profile : profiles.items)
    write_profile(w, profile, snapshot);
  w.end_array().key("totalCount").value(static_cast<int64_t>(profiles.total)).end_object();
  return w.take();
}

std::string render_profile_certificates(const page<listed_certificate>& certificates) {
  json_writer w;
  w.begin_object().key("certificates").begin_array();
  for (const auto& [cert, revocation] : certificates.items) {
    w.begin_object()
        .key("id")
        .value(cert.id)
        .key("serialNumber")
        .value(to_hex(cert.serial))
        .key("cn")
        .value(cert.subject.common_name)
        .key("status")
        .value(cert.status == certificate_status::active ? "active" : "revoked")
        .key("notBefore")
        .value(format_iso8601(cert.not_before))
        .key("notAfter")
        .value(format_iso8601(cert.not_after))
        .key("revokedAt");
    if (revocation)
      w.value(format_iso8601(revocation->revoked_at));
    else
      w.null();
    w.key("createdAt").value(format_iso8601(cert.created_at)).end_object();
  }
  w.end_array().key("totalCount").value(static_cast<int64_t>(certificates.total)).end_object();
  return w.take();
}

std::string render_ca(const ca_record& ca) {
  json_writer w;
  write_ca(w, ca);
  return w.take();
}

std::string render_ca_list(const std::vector<ca_record>& cas) {
  json_writer w;
  w.begin_array();
  for (const auto& ca : cas)
    write_ca(w, ca);
  w.end_array();
  return w.take();
}

std::string render_ca_certificates(const ca_view& ca) {
  json_writer w;
  std::vector<std::string> parents(ca.chain_pem.begin() + 1, ca.chain_pem.end());
  w.begin_array()
      .begin_object()
      .key("certificate")
      .value(ca.chain_pem.front())
      .key("certificateChain")
      .value(join_chain(parents))
      .key("serialNumber")
      .value(ca.serial_hex)
      .key("version")
      .value(1)
      .end_object()
      .end_array();
  return w.take();
}

std::string render_crl_list(const std::vector<crl_record>& crls) {
  json_writer w;
  w.begin_array();
  for (const auto& crl : crls) {
    w.begin_object().key("id").value(crl.id);
    w.key("crl").pem("X509 CRL", crl.der);
    w.end_object();
  }
  w.end_array();
  return w.take();
}

std::string render_signed_intermediate(const signed_intermediate& signed_ca) {
  json_writer w;
  w.begin_object();
  w.key("certificate").pem("CERTIFICATE", signed_ca.der);
  w.key("certificateChain").value(join_chain(signed_ca.chain_pem));
  w.key("issuingCaCertificate")
      .value(signed_ca.chain_pem.empty() ? std::string{} : signed_ca.chain_pem.front());
  w.key("serialNumber").value(to_hex(signed_ca.serial));
  w.end_object();
  return w.take();
}

} // namespace certmint
