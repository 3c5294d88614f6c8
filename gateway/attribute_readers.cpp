#include "gateway/attribute_readers.hpp"

#include "engine/time_format.hpp"
#include "engine/x509_names.hpp"

namespace certmint {

namespace {

constexpr size_t max_usages = 20;

const std::vector<std::string_view> key_algorithm_names = {
    "RSA_2048", "RSA_3072", "RSA_4096", "EC_prime256v1", "EC_secp384r1", "EC_secp521r1"};
const std::vector<std::string_view> signature_algorithm_names = {
    "RSA-SHA256", "RSA-SHA384", "RSA-SHA512", "ECDSA-SHA256", "ECDSA-SHA384", "ECDSA-SHA512"};

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

} // namespace

std::optional<uint16_t> read_key_usages(object_reader& reader, std::string_view key,
                                        std::vector<validation_issue>& issues) {
  return read_usages<uint16_t>(reader, key, issues, parse_key_usage, key_usage_names(0x1ff));
}

std::optional<uint8_t> read_ext_key_usages(object_reader& reader, std::string_view key,
                                           std::vector<validation_issue>& issues) {
  return read_usages<uint8_t>(reader, key, issues, parse_ext_key_usage, ext_key_usage_names(0x7f));
}

std::optional<key_algorithm> read_key_algorithm(object_reader& reader, std::string_view key,
                                                std::vector<validation_issue>& issues) {
  return read_enum<key_algorithm>(reader, key, issues, parse_key_algorithm, key_algorithm_names);
}

std::optional<signature_algorithm> read_signature_algorithm(object_reader& reader,
                                                            std::string_view key,
                                                            std::vector<validation_issue>& issues) {
  return read_enum<signature_algorithm>(reader, key, issues, parse_signature_algorithm,
                                        signature_algorithm_names);
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

void read_metadata(object_reader& reader, std::vector<validation_issue>& issues,
                   std::vector<std::pair<std::string, std::string>>& out) {
  reader.array("metadata", max_metadata_entries,
               [&](simdjson::dom::element item, std::vector<path_element> path) {
                 object_reader entry{item, std::move(path), issues, {"key", "value"}};
                 auto key = entry.string("key", true, 1, 255);
                 auto value = entry.string("value", true, 0, 1020);
                 if (key && value)
                   out.emplace_back(std::move(*key), std::move(*value));
               });
}

api_error application_unsupported() {
  return api_error{
      errc::bad_request, "applicationId is not supported: certmint has no applications yet", {}};
}

} // namespace certmint
