#include "engine/policy.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include "engine/text.hpp"
#include "engine/ttl.hpp"

namespace certmint {

namespace {

constexpr subject_attribute request_attribute_order[] = {
    subject_attribute::common_name,
    subject_attribute::organization,
    subject_attribute::organizational_unit,
    subject_attribute::country,
    subject_attribute::state,
    subject_attribute::locality,
};

// URIs: scheme and authority are case-insensitive (RFC 3986 §6.2.2.1),
// the path is not.
std::string normalize(std::string_view text, bool is_uri) {
  if (!is_uri)
    return to_lower(text);
  auto scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos)
    return to_lower(text);
  auto path = text.find('/', scheme_end + 3);
  if (path == std::string_view::npos)
    return to_lower(text);
  return to_lower(text.substr(0, path)) + std::string{text.substr(path)};
}

bool glob(std::string_view pattern, std::string_view value) {
  size_t p = 0;
  size_t v = 0;
  size_t star = std::string_view::npos;
  size_t resume = 0;
  while (v < value.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = v;
    } else if (p < pattern.size() && pattern[p] == value[v]) {
      ++p;
      ++v;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      v = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*')
    ++p;
  return p == pattern.size();
}

bool any_matches(const std::vector<std::string>& patterns, std::string_view value, bool is_uri) {
  return std::any_of(patterns.begin(), patterns.end(), [&](const std::string& pattern) {
    return pattern_matches(pattern, value, is_uri);
  });
}

// Infisical's "allowed" message: patterns named when any has a wildcard.
std::string not_allowed_message(const std::string& field, std::string_view value,
                                const std::vector<std::string>& allowed) {
  bool wildcard = std::any_of(allowed.begin(), allowed.end(), [](const std::string& p) {
    return p.find('*') != std::string::npos;
  });
  if (wildcard)
    return field + " value '" + std::string{value}
           + "' does not match allowed patterns: " + join(allowed);
  return field + " value '" + std::string{value} + "' is not in allowed values list";
}

void check_subject(const certificate_policy& policy, const subject_fields& subject,
                   std::vector<std::string>& errors) {
  if (policy.subject.empty()) {
    for (auto type : request_attribute_order)
      if (!subject_value(subject, type).empty())
        errors.push_back(std::string{to_string(type)}
                         + " is not allowed by template policy (no subject policies defined)");
    return;
  }
  for (const auto& rule : policy.subject) {
    auto name = std::string{to_string(rule.type)};
    const auto& value = subject_value(subject, rule.type);
    const auto& v = rule.values;
    bool satisfies_required =
        !v.required.empty() && !value.empty() && any_matches(v.required, value, false);
    if (!v.required.empty()) {
      if (value.empty())
        errors.push_back("Missing required " + name + " attribute");
      else if (!satisfies_required)
        errors.push_back(concat({name, " value '", value,
                                 "' does not match any required patterns: ", join(v.required)}));
    }
    if (value.empty())
      continue;
    if (!v.denied.empty() && any_matches(v.denied, value, false)) {
      errors.push_back(concat({name, " value '", value, "' is denied by template policy"}));
      continue;
    }
    if (!v.allowed.empty() && !satisfies_required && !any_matches(v.allowed, value, false))
      errors.push_back(not_allowed_message(name, value, v.allowed));
  }
  for (auto type : request_attribute_order) {
    if (subject_value(subject, type).empty())
      continue;
    bool covered = std::any_of(policy.subject.begin(), policy.subject.end(),
                               [type](const subject_rule& r) { return r.type == type; });
    if (!covered)
      errors.push_back(std::string{to_string(type)}
                       + " is not allowed by template policy (not defined in template)");
  }
}

void check_sans(const certificate_policy& policy, const std::vector<subject_alt_name>& sans,
                std::vector<std::string>& errors) {
  if (policy.sans.empty()) {
    for (const auto& san : sans)
      errors.push_back(std::string{to_string(san.type)}
                       + " SAN is not allowed by template policy (no SAN policies defined)");
    return;
  }
  for (const auto& rule : policy.sans) {
    auto name = std::string{to_string(rule.type)};
    bool is_uri = rule.type == san_type::uri;
    std::vector<std::string_view> values;
    for (const auto& san : sans)
      if (san.type == rule.type)
        values.push_back(san.value);
    const auto& v = rule.values;
    for (const auto& pattern : v.required) {
      bool found = std::any_of(values.begin(), values.end(), [&](std::string_view value) {
        return pattern_matches(pattern, value, is_uri);
      });
      if (!found)
        errors.push_back(concat(
            {"Required ", name, " SAN matching pattern '", pattern, "' not found in request"}));
    }
    if (!v.denied.empty())
      for (auto value : values)
        if (any_matches(v.denied, value, is_uri))
          errors.push_back(name + " SAN matching denied pattern '" + std::string{value}
                           + "' found in request");
    if (!v.allowed.empty())
      for (auto value : values) {
        bool satisfies_required = !v.required.empty() && any_matches(v.required, value, is_uri);
        if (!satisfies_required && !any_matches(v.allowed, value, is_uri))
          errors.push_back(not_allowed_message(name + " SAN", value, v.allowed));
      }
  }
  std::vector<san_type> reported;
  for (const auto& san : sans) {
    bool covered = std::any_of(policy.sans.begin(), policy.sans.end(),
                               [&san](const san_rule& r) { return r.type == san.type; });
    if (covered || std::find(reported.begin(), reported.end(), san.type) != reported.end())
      continue;
    reported.push_back(san.type);
    errors.push_back(std::string{to_string(san.type)}
                     + " SAN is not allowed by template policy (not defined in template)");
  }
}

template <class Names>
void check_usages(const std::optional<usage_rule>& rule, const Names& requested,
                  std::string_view noun, std::string_view capitalized,
                  std::vector<std::string>& errors) {
  auto contains = [](const auto& list, std::string_view name) {
    return std::find(list.begin(), list.end(), name) != list.end();
  };
  if (!rule) {
    if (!requested.empty())
      errors.push_back(std::string{capitalized}
                       + " are not allowed by template policy (not defined in template)");
    return;
  }
  std::vector<std::string> missing;
  for (const auto& usage : rule->required)
    if (!contains(requested, usage))
      missing.push_back(usage);
  if (!missing.empty())
    errors.push_back("Missing required " + std::string{noun} + ": " + join(missing));
  std::vector<std::string> denied;
  std::vector<std::string> invalid;
  for (auto usage : requested) {
    if (contains(rule->denied, usage))
      denied.emplace_back(usage);
    if (!contains(rule->required, usage) && !contains(rule->allowed, usage))
      invalid.emplace_back(usage);
  }
  if (!denied.empty())
    errors.push_back("Denied " + std::string{noun} + " found in request: " + join(denied));
  if (!invalid.empty())
    errors.push_back("Invalid " + std::string{noun} + ": " + join(invalid));
}

void check_algorithms(const certificate_policy& policy, const policy_request& request,
                      std::vector<std::string>& errors) {
  const auto& sig_list = policy.signature_algorithms;
  const auto& key_list = policy.key_algorithms;
  if (sig_list && !sig_list->empty() && !request.signature_alg)
    errors.emplace_back("Signature algorithm is required by this policy but not provided in "
                        "request");
  if (key_list && !key_list->empty() && !request.key_alg)
    errors.emplace_back("Key algorithm is required by this policy but not provided in request");
  if (request.signature_alg) {
    auto name = std::string{to_string(*request.signature_alg)};
    if (!sig_list) {
      errors.push_back("Signature algorithm '" + name
                       + "' is not allowed by template policy (not defined in template)");
    } else if (!sig_list->empty()
               && std::none_of(sig_list->begin(), sig_list->end(), [&](const std::string& a) {
                    return map_policy_signature_algorithm(a) == name;
                  })) {
      errors.push_back("Signature algorithm '" + name + "' is not allowed by template policy");
    }
  }
  if (request.key_alg) {
    auto name = std::string{to_string(*request.key_alg)};
    if (!key_list) {
      errors.push_back("Key algorithm '" + name
                       + "' is not allowed by template policy (not defined in template)");
    } else if (!key_list->empty()
               && std::none_of(key_list->begin(), key_list->end(), [&](const std::string& a) {
                    return map_policy_key_algorithm(a) == name;
                  })) {
      errors.push_back("Key algorithm '" + name + "' is not allowed by template policy");
    }
  }
}

void check_validity(const certificate_policy& policy, const policy_request& request, int64_t now,
                    std::vector<std::string>& errors) {
  if (!policy.max_validity)
    return;
  auto max = parse_policy_duration(*policy.max_validity);
  if (!max)
    return;
  if (request.ttl_seconds && *request.ttl_seconds > *max)
    errors.emplace_back("Requested validity period exceeds maximum allowed duration");
  if (request.not_after) {
    auto start = request.not_before.value_or(now);
    if (*request.not_after - start > *max)
      errors.push_back("Requested validity period (notBefore to notAfter) exceeds maximum "
                       "allowed duration of "
                       + *policy.max_validity);
  }
}

void check_basic_constraints(const certificate_policy& policy, const policy_request& request,
                             std::vector<std::string>& errors) {
  auto rule = policy.basic_constraints.value_or(basic_constraints_rule{});
  if (rule.is_ca == ca_rule::denied && request.wants_ca)
    errors.emplace_back("CA certificate issuance is denied by this policy. The policy does not "
                        "allow issuing CA certificates.");
  if (rule.is_ca == ca_rule::required && !request.wants_ca)
    errors.emplace_back("CA certificate issuance is required by this policy. The request must "
                        "include basicConstraints with isCA set to true.");
  if (request.wants_ca && rule.is_ca != ca_rule::denied && rule.max_path_length != -1) {
    if (!request.path_length)
      errors.push_back("Path length is required when issuing CA certificates because the policy "
                       "only allows a maximum path length of "
                       + std::to_string(rule.max_path_length) + ".");
    else if (*request.path_length > rule.max_path_length)
      errors.push_back("Requested path length (" + std::to_string(*request.path_length)
                       + ") exceeds maximum allowed by policy ("
                       + std::to_string(rule.max_path_length) + ").");
  }
}

template <class T, class Name>
std::optional<std::string> duplicate_type(const std::vector<T>& rules, Name&& name) {
  std::set<std::string> seen;
  for (const auto& rule : rules)
    if (!seen.insert(std::string{name(rule.type)}).second)
      return std::string{name(rule.type)};
  return std::nullopt;
}

// The first list (allowed, required, denied) holding a value twice.
std::optional<std::string> duplicate_list(const std::vector<std::string>& allowed,
                                          const std::vector<std::string>& required,
                                          const std::vector<std::string>& denied) {
  const std::pair<const char*, const std::vector<std::string>*> lists[] = {
      {"allowed", &allowed}, {"required", &required}, {"denied", &denied}};
  for (const auto& [name, list] : lists) {
    std::set<std::string> unique(list->begin(), list->end());
    if (unique.size() != list->size())
      return std::string{name};
  }
  return std::nullopt;
}

} // namespace

std::string_view to_string(subject_attribute type) {
  switch (type) {
    case subject_attribute::common_name:
      return "common_name";
    case subject_attribute::organization:
      return "organization";
    case subject_attribute::organizational_unit:
      return "organizational_unit";
    case subject_attribute::country:
      return "country";
    case subject_attribute::state:
      return "state";
    case subject_attribute::locality:
      return "locality";
  }
  return "unknown";
}

std::optional<subject_attribute> parse_subject_attribute(std::string_view name) {
  for (auto type : request_attribute_order)
    if (to_string(type) == name)
      return type;
  return std::nullopt;
}

const std::string& subject_value(const subject_fields& subject, subject_attribute type) {
  switch (type) {
    case subject_attribute::organization:
      return subject.organization;
    case subject_attribute::organizational_unit:
      return subject.organizational_unit;
    case subject_attribute::country:
      return subject.country;
    case subject_attribute::state:
      return subject.state;
    case subject_attribute::locality:
      return subject.locality;
    default:
      return subject.common_name;
  }
}

std::string_view to_string(ca_rule rule) {
  switch (rule) {
    case ca_rule::allowed:
      return "allowed";
    case ca_rule::required:
      return "required";
    case ca_rule::denied:
      return "denied";
  }
  return "denied";
}

std::optional<ca_rule> parse_ca_rule(std::string_view name) {
  for (auto rule : {ca_rule::allowed, ca_rule::required, ca_rule::denied})
    if (to_string(rule) == name)
      return rule;
  return std::nullopt;
}

bool pattern_matches(std::string_view pattern, std::string_view value, bool is_uri) {
  auto p = normalize(pattern, is_uri);
  auto v = normalize(value, is_uri);
  if (p.find('*') == std::string::npos)
    return p == v;
  return glob(p, v);
}

std::string map_policy_signature_algorithm(std::string_view name) {
  static const std::pair<std::string_view, std::string_view> table[] = {
      {"SHA256-RSA", "RSA-SHA256"},     {"SHA384-RSA", "RSA-SHA384"},
      {"SHA512-RSA", "RSA-SHA512"},     {"SHA256-ECDSA", "ECDSA-SHA256"},
      {"SHA384-ECDSA", "ECDSA-SHA384"}, {"SHA512-ECDSA", "ECDSA-SHA512"},
  };
  for (const auto& [from, to] : table)
    if (from == name)
      return std::string{to};
  return std::string{name};
}

std::string map_policy_key_algorithm(std::string_view name) {
  static const std::pair<std::string_view, std::string_view> table[] = {
      {"RSA-2048", "RSA_2048"},       {"RSA-3072", "RSA_3072"},
      {"RSA-4096", "RSA_4096"},       {"ECDSA-P256", "EC_prime256v1"},
      {"ECDSA-P384", "EC_secp384r1"}, {"ECDSA-P521", "EC_secp521r1"},
  };
  for (const auto& [from, to] : table)
    if (from == name)
      return std::string{to};
  return std::string{name};
}

std::optional<int64_t> parse_policy_duration(std::string_view text) {
  if (text.size() < 2)
    return std::nullopt;
  int64_t amount = 0;
  for (size_t i = 0; i + 1 < text.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i])) || amount > int64_t{1} << 40)
      return std::nullopt;
    amount = amount * 10 + (text[i] - '0');
  }
  switch (text.back()) {
    case 'h':
      return amount * 3600;
    case 'd':
      return amount * seconds_per_day;
    case 'm':
      return amount * 30 * seconds_per_day;
    case 'y':
      return amount * 365 * seconds_per_day;
    default:
      return std::nullopt;
  }
}

std::vector<std::string> evaluate_policy(const certificate_policy& policy,
                                         const policy_request& request, int64_t now) {
  std::vector<std::string> errors;
  check_subject(policy, request.subject, errors);
  check_sans(policy, request.sans, errors);
  check_usages(policy.key_usages, key_usage_names(request.key_usages), "key usages", "Key usages",
               errors);
  check_usages(policy.ext_key_usages, ext_key_usage_names(request.ext_key_usages),
               "extended key usages", "Extended key usages", errors);
  check_algorithms(policy, request, errors);
  check_validity(policy, request, now, errors);
  check_basic_constraints(policy, request, errors);
  return errors;
}

std::vector<std::string> evaluate_issuer(const certificate_policy& policy,
                                         const policy_request& request, key_algorithm ca_alg,
                                         int ca_path_length) {
  std::vector<std::string> errors;
  auto family = family_of(ca_alg);
  auto prefix = family == key_family::rsa ? std::string_view{"RSA-"} : std::string_view{"ECDSA-"};
  if (policy.signature_algorithms && !policy.signature_algorithms->empty()) {
    bool compatible = std::any_of(policy.signature_algorithms->begin(),
                                  policy.signature_algorithms->end(), [&](const std::string& a) {
                                    return map_policy_signature_algorithm(a).rfind(prefix, 0) == 0;
                                  });
    if (!compatible)
      errors.push_back("Signature algorithms (" + join(*policy.signature_algorithms)
                       + ") are not compatible with CA key algorithm ("
                       + std::string{to_string(ca_alg)} + ")");
  }
  if (request.wants_ca && ca_path_length >= 0) {
    if (ca_path_length == 0)
      errors.emplace_back("Issuing CA cannot issue subordinate CA certificates (path length is 0)");
    else if (request.path_length && *request.path_length >= ca_path_length)
      errors.push_back("Path length (" + std::to_string(*request.path_length)
                       + ") must be less than issuing CA's path length ("
                       + std::to_string(ca_path_length) + ")");
  }
  return errors;
}

status check_policy_consistency(const certificate_policy& policy) {
  auto forbidden = [](std::string message) {
    return make_failure(errc::forbidden, std::move(message));
  };
  auto type_message = [](const std::string& type) {
    return "Duplicate attribute type '" + type
           + "' found in request. Each attribute type must appear only once.";
  };
  if (auto dup = duplicate_type(policy.subject, [](subject_attribute t) { return to_string(t); }))
    return forbidden(type_message(*dup));
  if (auto dup = duplicate_type(policy.sans, [](san_type t) { return to_string(t); }))
    return forbidden(type_message(*dup));
  for (const auto& rule : policy.subject)
    if (auto list = duplicate_list(rule.values.allowed, rule.values.required, rule.values.denied))
      return forbidden("Duplicate values found in " + *list + " list for subject attribute type '"
                       + std::string{to_string(rule.type)} + "'");
  for (const auto& rule : policy.sans)
    if (auto list = duplicate_list(rule.values.allowed, rule.values.required, rule.values.denied))
      return forbidden("Duplicate values found in " + *list + " list for SAN type '"
                       + std::string{to_string(rule.type)} + "'");
  if (policy.key_usages)
    if (auto list = duplicate_list(policy.key_usages->allowed, policy.key_usages->required,
                                   policy.key_usages->denied))
      return forbidden("Duplicate values found in " + *list + " key usages list");
  if (policy.ext_key_usages)
    if (auto list = duplicate_list(policy.ext_key_usages->allowed, policy.ext_key_usages->required,
                                   policy.ext_key_usages->denied))
      return forbidden("Duplicate values found in " + *list + " extended key usages list");
  return {};
}

} // namespace certmint
