#include "gateway/approval_policy_parser.hpp"

#include "engine/ttl.hpp"
#include "gateway/schema.hpp"

namespace certmint {

namespace {

constexpr int64_t max_approval_ttl_seconds = int64_t{30} * 86400;

const std::vector<std::string_view> approver_types = {"user", "group"};
const std::vector<std::string_view> enforcement_levels = {"hard", "soft"};

std::string duration_text(int64_t seconds) {
  if (seconds == 3600)
    return "1 hour";
  return std::to_string(seconds) + " seconds";
}

void read_max_ttl(object_reader& root, int64_t min_ttl, approval_policy_body& out) {
  if (root.is_null("maxRequestTtl")) {
    out.max_request_ttl = std::string{};
    return;
  }
  auto text = root.string("maxRequestTtl", false, 1, 32);
  if (!text)
    return;
  auto seconds = parse_ttl(*text);
  if (!seconds || *seconds < min_ttl || *seconds > max_approval_ttl_seconds) {
    root.add_issue("maxRequestTtl", "custom",
                   "Duration must be between " + duration_text(min_ttl) + " and 30 days");
    return;
  }
  out.max_request_ttl = std::move(*text);
  out.max_request_ttl_seconds = *seconds;
}

// A member that must be an array: "Required" when absent, a type issue
// when it is something else.
void require_array(object_reader& reader, std::string_view key, bool required) {
  if (!reader.has(key)) {
    if (required)
      reader.add_issue(key, "invalid_type", "Required",
                       "\"expected\":\"array\",\"received\":\"undefined\"");
    return;
  }
  reader.array(key, 0, [](auto, auto) {});
}

// Unsupported-but-valid choices, reported as one 400 after the schema.
struct unsupported {
  std::string message;
  void note(std::string what) {
    if (message.empty())
      message = std::move(what);
  }
};

void read_steps(object_reader& root, bool create, std::vector<validation_issue>& issues,
                unsupported& refusals, approval_policy_body& out) {
  if (!root.has_array("steps")) {
    require_array(root, "steps", create);
    return;
  }
  std::vector<approval_step> steps;
  root.array("steps", 20, [&](simdjson::dom::element item, std::vector<path_element> path) {
    object_reader entry{item,
                        std::move(path),
                        issues,
                        {"name", "requiredApprovals", "notifyApprovers", "approvers"}};
    if (!entry.is_object())
      return;
    approval_step step;
    if (auto name = entry.name("name", false, 128, true))
      step.name = std::move(*name);
    auto required = entry.integer("requiredApprovals", true, 1, 100);
    if (required)
      step.required_approvals = static_cast<int>(*required);
    if (!entry.is_null("notifyApprovers"))
      entry.boolean("notifyApprovers", false);
    if (!entry.has_array("approvers"))
      require_array(entry, "approvers", true);
    entry.array("approvers", 100,
                [&](simdjson::dom::element approver, std::vector<path_element> at) {
                  object_reader who{approver, std::move(at), issues, {"type", "id"}};
                  if (!who.is_object())
                    return;
                  auto type = who.string("type", true, 0, 16);
                  auto id = who.uuid("id", true);
                  if (type && *type != "user" && *type != "group")
                    issues.push_back(enum_issue(who.path_to("type"), *type, approver_types));
                  else if (type && *type == "group")
                    refusals.note("Group approvers are not supported: list the tokenId of each "
                                  "approving identity as type \"user\"");
                  else if (id)
                    step.approvers.push_back(std::move(*id));
                });
    if (required && !step.approvers.empty()
        && static_cast<size_t>(*required) > step.approvers.size())
      entry.add_issue("requiredApprovals", "custom",
                      "requiredApprovals cannot exceed the number of approvers");
    steps.push_back(std::move(step));
  });
  if (steps.empty() && issues.empty())
    root.add_issue("steps", "too_small", "Array must contain at least 1 element(s)",
                   "\"minimum\":1,\"type\":\"array\",\"inclusive\":true,\"exact\":false");
  out.steps = std::move(steps);
}

void read_conditions(object_reader& root, bool create, std::vector<validation_issue>& issues,
                     approval_policy_body& out) {
  if (!root.has_array("conditions")) {
    require_array(root, "conditions", create);
    return;
  }
  std::vector<std::vector<std::string>> conditions;
  root.array("conditions", 100, [&](simdjson::dom::element item, std::vector<path_element> path) {
    object_reader entry{item, std::move(path), issues, {"profileNames"}};
    if (!entry.is_object())
      return;
    std::vector<std::string> names;
    if (!entry.has_array("profileNames"))
      require_array(entry, "profileNames", true);
    entry.array("profileNames", 100,
                [&](simdjson::dom::element name, std::vector<path_element> at) {
                  std::string_view text;
                  if (name.get_string().get(text)) {
                    entry.add_issue_at(std::move(at), "invalid_type", "Expected string",
                                       "\"expected\":\"string\"");
                    return;
                  }
                  names.emplace_back(text);
                });
    conditions.push_back(std::move(names));
  });
  out.profile_names = std::move(conditions);
}

} // namespace

void approval_policy_body::apply_to(approval_policy_record& policy) const {
  if (project_id)
    policy.project_id = *project_id;
  if (name)
    policy.name = *name;
  if (max_request_ttl) {
    policy.max_request_ttl = *max_request_ttl;
    policy.max_request_ttl_seconds = max_request_ttl_seconds;
  }
  if (steps)
    policy.steps = *steps;
  if (bypass_for_machine_identities)
    policy.bypass_for_machine_identities = *bypass_for_machine_identities;
  if (profile_names)
    policy.profile_names = *profile_names;
}

std::optional<api_error> parse_approval_policy_body(std::string_view body, bool create,
                                                    int64_t min_ttl_seconds,
                                                    approval_policy_body& out) {
  simdjson::dom::element doc;
  if (auto err = parse_json_body(body, doc))
    return err;
  std::vector<validation_issue> issues;
  unsupported refusals;
  object_reader root{doc,
                     {},
                     issues,
                     {"projectId", "name", "maxRequestTtl", "steps", "bypassForMachineIdentities",
                      "enforcementLevel", "bypassers", "conditions", "constraints"}};
  if (root.is_object()) {
    if (create)
      out.project_id = root.string("projectId", false, 0, 255).value_or("");
    out.name = root.name("name", create, 128);
    read_max_ttl(root, min_ttl_seconds, out);
    read_steps(root, create, issues, refusals, out);
    out.bypass_for_machine_identities = root.boolean("bypassForMachineIdentities", false);
    if (auto level = root.string("enforcementLevel", false, 0, 16)) {
      if (*level != "hard" && *level != "soft")
        issues.push_back(enum_issue(root.path_to("enforcementLevel"), *level, enforcement_levels));
      else if (*level == "soft")
        refusals.note("enforcementLevel \"soft\" is not supported: approvals are always enforced");
    }
    root.array("bypassers", 100, [&](simdjson::dom::element, const std::vector<path_element>&) {
      refusals.note("bypassers are not supported: use bypassForMachineIdentities");
    });
    read_conditions(root, create, issues, out);
    root.object("constraints", {});
  }
  if (!issues.empty())
    return api_error{errc::validation_failed, {}, std::move(issues)};
  if (!refusals.message.empty())
    return api_error{errc::bad_request, std::move(refusals.message), {}};
  return std::nullopt;
}

std::optional<api_error> parse_approval_decision_body(std::string_view body, std::string& comment) {
  if (body.empty())
    return std::nullopt;
  simdjson::dom::element doc;
  if (auto err = parse_json_body(body, doc))
    return err;
  std::vector<validation_issue> issues;
  object_reader root{doc, {}, issues, {"comment"}};
  if (root.is_object())
    comment = root.string("comment", false, 0, 1000).value_or("");
  if (!issues.empty())
    return api_error{errc::validation_failed, {}, std::move(issues)};
  return std::nullopt;
}

} // namespace certmint
