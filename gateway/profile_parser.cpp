#include "gateway/profile_parser.hpp"

#include <algorithm>

#include "engine/text.hpp"
#include "gateway/attribute_readers.hpp"

namespace certmint {

namespace {

const std::vector<std::string_view> enrollment_types = {"api", "est", "acme"};
const std::vector<std::string_view> issuer_types = {"ca", "self-signed"};

std::optional<std::string> read_choice(object_reader& reader, std::string_view key, bool required,
                                       const std::vector<std::string_view>& options,
                                       std::vector<validation_issue>& issues) {
  auto text = reader.string(key, required, 1, 32);
  if (text && std::find(options.begin(), options.end(), *text) == options.end()) {
    issues.push_back(enum_issue(reader.path_to(key), *text, options));
    return std::nullopt;
  }
  return text;
}

profile_defaults read_defaults(object_reader& d, std::vector<validation_issue>& issues) {
  profile_defaults out;
  if (auto ttl = d.integer("ttlDays", false, 1, 36500))
    out.ttl_days = *ttl;
  for_each_subject_attribute(static_cast<subject_overrides&>(out),
                             [&d](const char* key, std::optional<std::string>& field) {
                               field = d.string(key, false, 0, 255);
                             });
  out.key_alg = read_key_algorithm(d, "keyAlgorithm", issues);
  out.signature_alg = read_signature_algorithm(d, "signatureAlgorithm", issues);
  out.key_usages = read_key_usages(d, "keyUsages", issues);
  out.ext_key_usages = read_ext_key_usages(d, "extendedKeyUsages", issues);
  if (auto bc = d.object("basicConstraints", {"isCA", "pathLength"})) {
    out.is_ca = bc->boolean("isCA", true);
    if (auto len = bc->integer("pathLength", false, 0, 255))
      out.path_length = static_cast<int>(*len);
  }
  return out;
}

} // namespace

std::vector<std::string> profile_refinements(const std::string& enrollment_type,
                                             const std::string& issuer_type, bool has_ca_id,
                                             bool has_api_config, bool has_est_config,
                                             bool has_acme_config) {
  std::vector<std::string> out;
  if (enrollment_type == "est") {
    if (!has_est_config)
      out.emplace_back("EST enrollment type requires EST configuration");
    if (has_api_config || has_acme_config)
      out.emplace_back("EST enrollment type cannot have API or ACME configuration");
  } else if (enrollment_type == "api") {
    if (!has_api_config)
      out.emplace_back("API enrollment type requires API configuration");
    if (has_est_config || has_acme_config)
      out.emplace_back("API enrollment type cannot have EST or ACME configuration");
  } else if (enrollment_type == "acme") {
    if (!has_acme_config)
      out.emplace_back("ACME enrollment type requires ACME configuration");
    if (has_api_config || has_est_config)
      out.emplace_back("ACME enrollment type cannot have EST or API configuration");
  }
  if (issuer_type == "ca" && !has_ca_id)
    out.emplace_back("CA issuer type requires a CA ID");
  if (issuer_type == "self-signed") {
    if (has_ca_id)
      out.emplace_back("Self-signed issuer type cannot have a CA ID");
    if (enrollment_type != "api")
      out.emplace_back("Self-signed issuer type only supports API enrollment");
  }
  return out;
}

std::optional<api_error> parse_profile_body(std::string_view body, bool create, profile_body& out) {
  simdjson::dom::element doc;
  if (auto err = parse_json_body(body, doc))
    return err;
  std::vector<validation_issue> issues;
  object_reader root{doc,
                     {},
                     issues,
                     {"certificatePolicyId", "caId", "slug", "description", "enrollmentType",
                      "issuerType", "apiConfig", "estConfig", "acmeConfig", "externalConfigs",
                      "defaults", "projectId"}};
  if (!root.is_object())
    return api_error{errc::validation_failed, {}, std::move(issues)};
  out.policy_id = root.uuid("certificatePolicyId", create);
  simdjson::dom::element ca_el;
  if (!doc.at_key("caId").get(ca_el) && !ca_el.is_null())
    out.ca_id = root.uuid("caId", false);
  else if (!doc.at_key("caId").get(ca_el))
    out.ca_id = std::string{}; // explicit null: no CA
  out.slug = root.string("slug", create, 1, 255);
  if (out.slug && !is_slug(*out.slug))
    root.add_issue("slug", "invalid_string",
                   "Slug must contain only lowercase letters, numbers, "
                   "and hyphens",
                   "\"validation\":\"regex\"");
  out.description = root.string("description", false, 0, 1000);
  out.enrollment_type = read_choice(root, "enrollmentType", create, enrollment_types, issues);
  out.issuer_type = read_choice(root, "issuerType", false, issuer_types, issues);
  if (auto api = root.object("apiConfig", {"autoRenew", "renewBeforeDays"})) {
    out.has_api_config = true;
    out.auto_renew = api->boolean("autoRenew", false);
    if (auto days = api->integer("renewBeforeDays", false, 1, 30))
      out.renew_before_days = static_cast<int>(*days);
  }
  if (auto est =
          root.object("estConfig", {"disableBootstrapCaValidation", "passphrase", "caChain"}))
    out.has_est_config = true;
  if (auto acme = root.object("acmeConfig", {"skipDnsOwnershipVerification", "skipEabBinding"})) {
    out.has_acme_config = true;
    auto skip_dns = acme->boolean("skipDnsOwnershipVerification", false);
    auto skip_eab = acme->boolean("skipEabBinding", false);
    if (skip_dns.value_or(false) && skip_eab.value_or(false))
      acme->add_issue("", "custom",
                      "Cannot skip both External Account Binding (EAB) and DNS ownership "
                      "verification at the same time.");
  }
  simdjson::dom::element defaults_el;
  if (!doc.at_key("defaults").get(defaults_el)) {
    if (defaults_el.is_null()) {
      out.defaults = std::optional<profile_defaults>{};
    } else if (auto d =
                   root.object("defaults", {"ttlDays", "commonName", "organization",
                                            "organizationalUnit", "country", "state", "locality",
                                            "keyAlgorithm", "signatureAlgorithm", "keyUsages",
                                            "extendedKeyUsages", "basicConstraints"})) {
      out.defaults = std::optional<profile_defaults>{read_defaults(*d, issues)};
    }
  }
  if (create && issues.empty()) {
    auto enrollment = out.enrollment_type.value_or("api");
    auto issuer = out.issuer_type.value_or("ca");
    for (auto& message :
         profile_refinements(enrollment, issuer, out.ca_id && !out.ca_id->empty(),
                             out.has_api_config, out.has_est_config, out.has_acme_config))
      root.add_issue("", "custom", std::move(message));
  }
  if (!issues.empty())
    return api_error{errc::validation_failed, {}, std::move(issues)};
  return std::nullopt;
}

} // namespace certmint
