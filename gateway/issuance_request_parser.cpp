#include "gateway/issuance_request_parser.hpp"

#include "engine/time_format.hpp"
#include "engine/ttl.hpp"
#include "gateway/schema.hpp"

namespace certmint {

namespace {

const std::vector<std::string_view> san_type_names = {"dns_name", "ip_address", "email", "uri"};
const std::vector<std::string_view> key_algorithm_names = {
    "RSA_2048", "RSA_3072", "RSA_4096", "EC_prime256v1", "EC_secp384r1", "EC_secp521r1"};
const std::vector<std::string_view> signature_algorithm_names = {
    "RSA-SHA256", "RSA-SHA384", "RSA-SHA512", "ECDSA-SHA256", "ECDSA-SHA384", "ECDSA-SHA512"};

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
    text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.remove_suffix(1);
  return text;
}

// Reads an array of enum names into a bit mask.
template <class Mask, class Parse>
std::optional<Mask> read_usages(object_reader& reader, std::string_view key,
                                std::vector<validation_issue>& issues, Parse&& parse,
                                const std::vector<std::string_view>& names) {
  std::optional<Mask> mask;
  if (reader.has_array(key))
    mask = Mask{0};
  reader.array(key, max_usages, [&](simdjson::dom::element item, std::vector<path_element> path) {
    std::string_view name;
    if (item.get_string().get(name)) {
      issues.push_back(
          validation_issue{"invalid_type",
                           std::move(path),
                           "Expected string, received " + std::string{json_type_name(item)},
                           {}});
      return;
    }
    auto bit = parse(name);
    if (!bit) {
      issues.push_back(enum_issue(std::move(path), name, names));
      return;
    }
    *mask = static_cast<Mask>(*mask | *bit);
  });
  return mask;
}

std::vector<std::string_view> all_key_usage_names() {
  return key_usage_names(0x1ff);
}

std::vector<std::string_view> all_ext_key_usage_names() {
  return ext_key_usage_names(0x7f);
}

template <class T, class Parse>
std::optional<T> read_enum(object_reader& reader, std::string_view key,
                           std::vector<validation_issue>& issues, Parse&& parse,
                           const std::vector<std::string_view>& names) {
  auto text = reader.string(key, false, 0, 64);
  if (!text)
    return std::nullopt;
  auto value = parse(*text);
  if (!value)
    issues.push_back(enum_issue(reader.path_to(key), *text, names));
  return value;
}

std::optional<int64_t> read_date(object_reader& reader, std::string_view key) {
  auto text = reader.string(key, false, 1, 64);
  if (!text)
    return std::nullopt;
  auto when = parse_iso8601(*text);
  if (!when)
    reader.add_issue(key, "invalid_date",
                     "Invalid date: expected ISO 8601 such as '2026-01-31T12:00:00Z'");
  return when;
}

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
  auto subject = [&](std::string_view key) {
    return attrs.string(key, false, 0, max_subject_field_length, true);
  };
  out.common_name = subject("commonName");
  out.organization = subject("organization");
  out.organizational_unit = subject("organizationalUnit");
  out.country = subject("country");
  out.state = subject("state");
  out.locality = subject("locality");
  read_alt_names(attrs, out, issues);
  out.key_usages =
      read_usages<uint16_t>(attrs, "keyUsages", issues, parse_key_usage, all_key_usage_names());
  out.ext_key_usages = read_usages<uint8_t>(attrs, "extendedKeyUsages", issues, parse_ext_key_usage,
                                            all_ext_key_usage_names());
  out.signature_alg = read_enum<signature_algorithm>(
      attrs, "signatureAlgorithm", issues, parse_signature_algorithm, signature_algorithm_names);
  out.key_alg = read_enum<key_algorithm>(attrs, "keyAlgorithm", issues, parse_key_algorithm,
                                         key_algorithm_names);
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
    root.array("metadata", max_metadata_entries,
               [&](simdjson::dom::element item, std::vector<path_element> path) {
                 object_reader entry{item, std::move(path), issues, {"key", "value"}};
                 auto key = entry.string("key", true, 1, 255);
                 auto value = entry.string("value", true, 0, 1020);
                 if (key && value)
                   out.metadata.emplace_back(std::move(*key), std::move(*value));
               });
    if (issues.empty() && application)
      return api_error{errc::bad_request,
                       "applicationId is not supported: certmint has no applications yet",
                       {}};
  }
  if (!issues.empty())
    return api_error{errc::validation_failed, {}, std::move(issues)};
  return std::nullopt;
}

} // namespace certmint
