#include "gateway/ca_parser.hpp"

#include <algorithm>

#include "engine/text.hpp"
#include "gateway/attribute_readers.hpp"

namespace certmint {

namespace {

const std::vector<std::string_view> ca_statuses = {"active", "disabled"};
const std::vector<std::string_view> ca_types = {"root", "intermediate"};

std::optional<std::string> read_slug(object_reader& reader, std::string_view key, bool required) {
  auto name = reader.string(key, required, 1, 255);
  if (name && !is_slug(*name)) {
    reader.add_issue(key, "invalid_string",
                     "Name must be a slug: lowercase letters, numbers and hyphens",
                     "\"validation\":\"regex\"");
    return std::nullopt;
  }
  return name;
}

std::optional<bool> read_disabled(object_reader& reader, std::vector<validation_issue>& issues) {
  auto status = reader.string("status", false, 1, 32);
  if (!status)
    return std::nullopt;
  if (std::find(ca_statuses.begin(), ca_statuses.end(), *status) == ca_statuses.end()) {
    issues.push_back(enum_issue(reader.path_to("status"), *status, ca_statuses));
    return std::nullopt;
  }
  return *status == "disabled";
}

std::optional<api_error> finish(std::vector<validation_issue>& issues) {
  if (issues.empty())
    return std::nullopt;
  return api_error{errc::validation_failed, {}, std::move(issues)};
}

} // namespace

std::optional<api_error> parse_ca_create_body(std::string_view body, ca_create_body& out) {
  simdjson::dom::element doc;
  if (auto err = parse_json_body(body, doc))
    return err;
  std::vector<validation_issue> issues;
  object_reader root{doc, {}, issues, {"name", "projectId", "status", "configuration"}};
  if (!root.is_object())
    return finish(issues);
  if (auto name = read_slug(root, "name", true))
    out.name = *name;
  out.disabled = read_disabled(root, issues).value_or(false);
  auto config =
      root.object("configuration", {"type", "friendlyName", "commonName", "organization", "ou",
                                    "country", "province", "locality", "notBefore", "notAfter",
                                    "maxPathLength", "keyAlgorithm", "parentCaId"});
  if (!config) {
    if (root.is_object() && issues.empty())
      root.add_issue("configuration", "invalid_type", "Required",
                     "\"expected\":\"object\",\"received\":\"undefined\"");
    return finish(issues);
  }
  if (auto type = config->string("type", true, 1, 32)) {
    if (std::find(ca_types.begin(), ca_types.end(), *type) == ca_types.end())
      issues.push_back(enum_issue(config->path_to("type"), *type, ca_types));
    out.root = *type == "root";
  }
  out.friendly_name = config->string("friendlyName", false, 0, 255).value_or("");
  out.subject.common_name = config->string("commonName", false, 0, 255).value_or("");
  out.subject.organization = config->string("organization", false, 0, 255).value_or("");
  out.subject.organizational_unit = config->string("ou", false, 0, 255).value_or("");
  out.subject.country = config->string("country", false, 0, 255).value_or("");
  out.subject.state = config->string("province", false, 0, 255).value_or("");
  out.subject.locality = config->string("locality", false, 0, 255).value_or("");
  if (out.subject.empty())
    config->add_issue("", "custom",
                      "At least one of commonName, organization, ou, country, province or "
                      "locality must be non-empty");
  out.not_before = read_date(*config, "notBefore");
  out.not_after = read_date(*config, "notAfter");
  if (auto len = config->integer("maxPathLength", false, -1, 255))
    out.max_path_length = static_cast<int>(*len);
  if (auto alg = read_key_algorithm(*config, "keyAlgorithm", issues))
    out.key_alg = *alg;
  if (auto parent = config->uuid("parentCaId", false))
    out.parent_id = *parent;
  if (out.root && !out.parent_id.empty())
    config->add_issue("parentCaId", "custom", "A root CA cannot have a parent CA");
  // A root is self-signed at creation; without notAfter it would stay
  // pending with no way to get a certificate, so certmint asks for it.
  if (out.root && !out.not_after)
    config->add_issue("notAfter", "custom", "notAfter is required for a root CA");
  if (out.not_before && out.not_after && *out.not_before >= *out.not_after)
    config->add_issue("", "custom", "notBefore must be earlier than notAfter");
  return finish(issues);
}

std::optional<api_error> parse_ca_patch_body(std::string_view body, ca_patch_body& out) {
  simdjson::dom::element doc;
  if (auto err = parse_json_body(body, doc))
    return err;
  std::vector<validation_issue> issues;
  object_reader root{doc, {}, issues, {"name", "status", "configuration"}};
  if (!root.is_object())
    return finish(issues);
  out.name = read_slug(root, "name", false);
  out.disabled = read_disabled(root, issues);
  root.object("configuration", {"friendlyName"});
  return finish(issues);
}

std::optional<api_error> parse_sign_intermediate_body(std::string_view body,
                                                      sign_intermediate_body& out) {
  simdjson::dom::element doc;
  if (auto err = parse_json_body(body, doc))
    return err;
  std::vector<validation_issue> issues;
  object_reader root{doc, {}, issues, {"csr", "notBefore", "notAfter", "maxPathLength"}};
  if (!root.is_object())
    return finish(issues);
  out.csr = root.string("csr", true, 1, 8192).value_or("");
  out.not_before = read_date(root, "notBefore");
  if (!root.string("notAfter", true, 1, 64))
    return finish(issues);
  if (auto when = read_date(root, "notAfter"))
    out.not_after = *when;
  if (auto len = root.integer("maxPathLength", false, -1, 255))
    out.max_path_length = static_cast<int>(*len);
  return finish(issues);
}

std::optional<api_error> parse_import_certificate_body(std::string_view body,
                                                       import_certificate_body& out) {
  simdjson::dom::element doc;
  if (auto err = parse_json_body(body, doc))
    return err;
  std::vector<validation_issue> issues;
  object_reader root{doc, {}, issues, {"certificate", "certificateChain"}};
  if (!root.is_object())
    return finish(issues);
  out.certificate = root.string("certificate", true, 1, 65536).value_or("");
  out.certificate_chain = root.string("certificateChain", true, 1, 262144).value_or("");
  return finish(issues);
}

} // namespace certmint
