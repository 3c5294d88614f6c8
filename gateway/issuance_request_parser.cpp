#include "gateway/issuance_request_parser.hpp"

#include "engine/text.hpp"
#include "engine/ttl.hpp"
#include "gateway/attribute_readers.hpp"

namespace certmint {

namespace {

const std::vector<std::string_view> san_type_names = {"dns_name", "ip_address", "email", "uri"};
void read_alt_names(object_reader& attrs, certificate_attributes& out,
                    std::vector<validation_issue>& issues) {
  size_t joined = 0;
  std::vector<subject_alt_name> sans;
  attrs.array("altNames", max_alt_names,
              [&](simdjson::dom::element item, std::vector<path_element> path) {
                object_reader entry{item, std::move(path), issues, {"type", "value"}};
                if (!entry.is_object())
                  return;
                auto type_text = entry.string("type", true, 0, 64);
                auto value = entry.string("value", true, 1, 255);
                std::optional<san_type> type;
                if (type_text) {
                  type = parse_san_type(*type_text);
                  if (!type)
                    issues.push_back(enum_issue(entry.path_to("type"), *type_text, san_type_names));
                }
                if (type && value) {
                  joined += value->size() + (sans.empty() ? 0 : 1);
                  sans.push_back({*type, std::move(*value)});
                }
              });
  if (joined > max_alt_names_joined)
    attrs.add_issue("altNames", "custom",
                    "The joined alternative names must not exceed 4096 characters");
  if (attrs.has_array("altNames"))
    out.alt_names = std::move(sans);
}

void read_attributes(object_reader& attrs, certificate_attributes& out,
                     std::vector<validation_issue>& issues) {
  // JSON null clears a profile default (an empty value), omission keeps it.
  auto subject = [&](std::string_view key) -> std::optional<std::string> {
    if (attrs.is_null(key))
      return std::string{};
    return attrs.string(key, false, 0, max_subject_field_length);
  };
  for_each_subject_attribute(
      static_cast<subject_overrides&>(out),
      [&subject](const char* key, std::optional<std::string>& field) { field = subject(key); });
  read_alt_names(attrs, out, issues);
  out.key_usages = read_key_usages(attrs, "keyUsages", issues);
  out.ext_key_usages = read_ext_key_usages(attrs, "extendedKeyUsages", issues);
  out.signature_alg = read_signature_algorithm(attrs, "signatureAlgorithm", issues);
  out.key_alg = read_key_algorithm(attrs, "keyAlgorithm", issues);
  out.ttl = attrs.string("ttl", false, 1, 32);
  if (out.ttl) {
    if (auto parsed = parse_ttl(*out.ttl); !parsed)
      attrs.add_issue("ttl", "custom", parsed.error().message);
  }
  out.not_before = read_date(attrs, "notBefore");
  out.not_after = read_date(attrs, "notAfter");
  if (auto bc = attrs.object("basicConstraints", {"isCA", "pathLength"})) {
    out.is_ca = bc->boolean("isCA", true);
    if (auto len = bc->integer("pathLength", false, 0, 255))
      out.path_length = static_cast<int>(*len);
  }
  if (out.ttl && (out.not_before || out.not_after))
    attrs.add_issue("", "custom",
                    "Cannot specify both TTL and notBefore/notAfter. Use either TTL for "
                    "duration-based validity or notBefore/notAfter for explicit date range.");
  if (out.not_before && out.not_after && *out.not_before >= *out.not_after)
    attrs.add_issue("", "custom", "notBefore must be earlier than notAfter");
}

} // namespace

std::optional<api_error> parse_issuance_request(std::string_view body, issuance_input& out) {
  simdjson::dom::element doc;
  if (auto err = parse_json_body(body, doc))
    return err;
  std::vector<validation_issue> issues;
  object_reader root{
      doc,
      {},
      issues,
      {"profileId", "applicationId", "csr", "attributes", "removeRootsFromChain", "metadata"}};
  if (root.is_object()) {
    if (auto id = root.uuid("profileId", true))
      out.profile_id = std::move(*id);
    auto application = root.uuid("applicationId", false);
    if (auto csr = root.string("csr", false, 1, max_csr_length)) {
      auto trimmed = trim(*csr);
      if (trimmed.empty())
        root.add_issue("csr", "too_small", "String must contain at least 1 character(s)",
                       "\"minimum\":1,\"type\":\"string\",\"inclusive\":true,\"exact\":false");
      else
        out.csr = std::string{trimmed};
    }
    if (auto attrs =
            root.object("attributes", {"commonName", "organization", "organizationalUnit",
                                       "country", "state", "locality", "altNames", "keyUsages",
                                       "extendedKeyUsages", "signatureAlgorithm", "keyAlgorithm",
                                       "ttl", "basicConstraints", "notBefore", "notAfter"}))
      read_attributes(*attrs, out.attributes, issues);
    if (auto remove = root.boolean("removeRootsFromChain", false))
      out.remove_roots_from_chain = *remove;
    read_metadata(root, issues, out.metadata);
    if (issues.empty() && application)
      return application_unsupported();
  }
  if (!issues.empty())
    return api_error{errc::validation_failed, {}, std::move(issues)};
  return std::nullopt;
}

} // namespace certmint
