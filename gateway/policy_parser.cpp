#include "gateway/policy_parser.hpp"

#include <algorithm>

#include "gateway/schema.hpp"

namespace certmint {

namespace {

const std::vector<std::string_view> subject_type_names = {
    "common_name", "organization", "organizational_unit", "country", "state", "locality"};
const std::vector<std::string_view> san_type_names = {"dns_name", "ip_address", "email", "uri"};
const std::vector<std::string_view> ca_rule_names = {"allowed", "required", "denied"};

std::vector<std::string> read_strings(object_reader& reader, std::string_view key,
                                      std::vector<validation_issue>& issues,
                                      const std::vector<std::string_view>* options = nullptr) {
  std::vector<std::string> out;
  reader.array(key, 100, [&](simdjson::dom::element item, std::vector<path_element> path) {
    std::string_view text;
    if (item.get_string().get(text) || text.empty() || text.size() > 255) {
      issues.push_back(validation_issue{
          "invalid_type", std::move(path), "Expected a string of 1 to 255 characters", {}});
      return;
    }
    if (options != nullptr && std::find(options->begin(), options->end(), text) == options->end()) {
      issues.push_back(enum_issue(std::move(path), text, *options));
      return;
    }
    out.emplace_back(text);
  });
  return out;
}

// allowed/required/denied of one rule; false when none is given.
bool read_value_rule(object_reader& reader, std::vector<validation_issue>& issues,
                     std::vector<std::string>& allowed, std::vector<std::string>& required,
                     std::vector<std::string>& denied,
                     const std::vector<std::string_view>* options = nullptr) {
  allowed = read_strings(reader, "allowed", issues, options);
  required = read_strings(reader, "required", issues, options);
  denied = read_strings(reader, "denied", issues, options);
  return reader.has_array("allowed") || reader.has_array("required") || reader.has_array("denied");
}

template <class Rule, class Parse>
std::optional<std::vector<Rule>> read_typed_rules(object_reader& root, std::string_view key,
                                                  std::vector<validation_issue>& issues,
                                                  const std::vector<std::string_view>& types,
                                                  Parse&& parse, const char* empty_message) {
  if (!root.has_array(key)) {
    // Present but not an array: let the reader report it.
    root.array(key, 0, [](auto, auto) {});
    return std::nullopt;
  }
  std::vector<Rule> rules;
  root.array(key, 100, [&](simdjson::dom::element item, std::vector<path_element> path) {
    object_reader entry{item, std::move(path), issues, {"type", "allowed", "required", "denied"}};
    if (!entry.is_object())
      return;
    Rule rule;
    auto type = entry.string("type", true, 1, 64);
    if (type) {
      auto parsed = parse(*type);
      if (!parsed)
        issues.push_back(enum_issue(entry.path_to("type"), *type, types));
      else
        rule.type = *parsed;
    }
    if (!read_value_rule(entry, issues, rule.values.allowed, rule.values.required,
                         rule.values.denied))
      entry.add_issue("", "custom", empty_message);
    rules.push_back(std::move(rule));
  });
  return rules;
}

std::optional<std::optional<usage_rule>> read_usage_rule(object_reader& root, std::string_view key,
                                                         std::vector<validation_issue>& issues,
                                                         const std::vector<std::string_view>& names,
                                                         const char* empty_message,
                                                         const char* overlap_message) {
  auto obj = root.object(key, {"allowed", "required", "denied"});
  if (!obj)
    return std::nullopt;
  usage_rule rule;
  if (!read_value_rule(*obj, issues, rule.allowed, rule.required, rule.denied, &names))
    obj->add_issue("", "custom", empty_message);
  for (const auto& denied : rule.denied)
    if (std::find(rule.allowed.begin(), rule.allowed.end(), denied) != rule.allowed.end()
        || std::find(rule.required.begin(), rule.required.end(), denied) != rule.required.end()) {
      obj->add_issue("", "custom", overlap_message);
      break;
    }
  return std::optional<usage_rule>{std::move(rule)};
}

} // namespace

void policy_body::apply_to(certificate_policy& policy) const {
  if (subject)
    policy.subject = *subject;
  if (sans)
    policy.sans = *sans;
  if (key_usages)
    policy.key_usages = *key_usages;
  if (ext_key_usages)
    policy.ext_key_usages = *ext_key_usages;
  if (signature_algorithms)
    policy.signature_algorithms = *signature_algorithms;
  if (key_algorithms)
    policy.key_algorithms = *key_algorithms;
  if (max_validity)
    policy.max_validity = *max_validity;
  if (basic_constraints)
    policy.basic_constraints = *basic_constraints;
}

std::optional<api_error> parse_policy_body(std::string_view body, bool create, policy_body& out) {
  simdjson::dom::element doc;
  if (auto err = parse_json_body(body, doc))
    return err;
  std::vector<validation_issue> issues;
  object_reader root{doc,
                     {},
                     issues,
                     {"name", "description", "subject", "sans", "keyUsages", "extendedKeyUsages",
                      "algorithms", "validity", "basicConstraints", "projectId"}};
  if (!root.is_object())
    return api_error{errc::validation_failed, {}, std::move(issues)};
  out.name = root.string("name", create, 1, 255);
  out.description = root.string("description", false, 0, 1000);
  out.subject = read_typed_rules<subject_rule>(
      root, "subject", issues, subject_type_names, parse_subject_attribute,
      "Subject attribute must have at least one allowed, required, or denied value");
  out.sans = read_typed_rules<san_rule>(root, "sans", issues, san_type_names, parse_san_type,
                                        "SAN must have at least one allowed, required, or denied "
                                        "value");
  auto ku_names = key_usage_names(0x1ff);
  auto eku_names = ext_key_usage_names(0x7f);
  out.key_usages = read_usage_rule(
      root, "keyUsages", issues, ku_names,
      "Key usages must have at least one allowed, required, or denied value",
      "A key usage cannot be both denied and present in the allowed or required arrays.");
  out.ext_key_usages = read_usage_rule(
      root, "extendedKeyUsages", issues, eku_names,
      "Extended key usages must have at least one allowed, required, or denied value",
      "An extended key usage cannot be both denied and present in the allowed or required arrays.");
  if (auto algs = root.object("algorithms", {"signature", "keyAlgorithm"})) {
    auto read_list =
        [&](std::string_view key) -> std::optional<std::optional<std::vector<std::string>>> {
      if (!algs->has_array(key)) {
        algs->array(key, 0, [](auto, auto) {});
        return std::optional<std::vector<std::string>>{};
      }
      auto list = read_strings(*algs, key, issues);
      if (list.empty())
        algs->add_issue(key, "too_small", "Array must contain at least 1 element(s)",
                        "\"minimum\":1,\"type\":\"array\",\"inclusive\":true,\"exact\":false");
      return std::optional<std::vector<std::string>>{std::move(list)};
    };
    out.signature_algorithms = read_list("signature");
    out.key_algorithms = read_list("keyAlgorithm");
  }
  if (auto validity = root.object("validity", {"max"})) {
    auto max = validity->string("max", false, 1, 32);
    if (max && !parse_policy_duration(*max))
      validity->add_issue("max", "custom",
                          "Max validity must be in format like '365d', '12m', '1y', or '24h'");
    out.max_validity = max;
  }
  simdjson::dom::element bc_el;
  if (!doc.at_key("basicConstraints").get(bc_el)) {
    if (bc_el.is_null()) {
      out.basic_constraints = std::optional<basic_constraints_rule>{};
    } else if (auto bc = root.object("basicConstraints", {"isCA", "maxPathLength"})) {
      basic_constraints_rule rule;
      if (auto state = bc->string("isCA", true, 1, 16)) {
        if (auto parsed = parse_ca_rule(*state))
          rule.is_ca = *parsed;
        else
          issues.push_back(enum_issue(bc->path_to("isCA"), *state, ca_rule_names));
      }
      simdjson::dom::element len_el;
      if (!bc_el.at_key("maxPathLength").get(len_el)) {
        int64_t len = 0;
        if (len_el.get_int64().get(len) || len < -1 || len > 255)
          bc->add_issue("maxPathLength", "custom",
                        "Path length must be -1 (unlimited) or a non-negative integer");
        else
          rule.max_path_length = static_cast<int>(len);
      }
      out.basic_constraints = std::optional<basic_constraints_rule>{rule};
    }
  }
  if (!issues.empty())
    return api_error{errc::validation_failed, {}, std::move(issues)};
  return std::nullopt;
}

} // namespace certmint
