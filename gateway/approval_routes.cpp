#include "gateway/approval_routes.hpp"

#include <mutex>

#include "engine/identifiers.hpp"
#include "engine/time_format.hpp"
#include "gateway/actor_bridge.hpp"
#include "gateway/approval_policy_parser.hpp"
#include "gateway/http_responder.hpp"
#include "gateway/json_writer.hpp"
#include "storage/approval_flow.hpp"
#include "storage/catalog.hpp"
#include "storage/store.hpp"

namespace certmint {

namespace {

using request = http_request;
using response = http_response;

// Approvers are identities, named by token id (Infisical's type "user").
void write_approvers(json_writer& w, const approval_step& step) {
  w.key("approvers").begin_array();
  for (const auto& id : step.approvers)
    w.begin_object().key("type").value("user").key("id").value(id).end_object();
  w.end_array();
}

void write_steps(json_writer& w, const std::vector<approval_step>& steps) {
  w.begin_array();
  for (const auto& step : steps) {
    w.begin_object();
    w.key("name").string_or_null(step.name);
    w.key("requiredApprovals").value(step.required_approvals);
    w.key("notifyApprovers").value(false);
    write_approvers(w, step);
    w.end_object();
  }
  w.end_array();
}

void write_policy(json_writer& w, const approval_policy_record& p) {
  w.begin_object();
  w.key("id").value(p.id);
  w.key("projectId").string_or_null(p.project_id);
  w.key("name").value(p.name);
  w.key("type").value("cert-request");
  w.key("isActive").value(true);
  w.key("maxRequestTtl").string_or_null(p.max_request_ttl);
  w.key("bypassForMachineIdentities").value(p.bypass_for_machine_identities);
  w.key("enforcementLevel").value("hard");
  w.key("bypassers").begin_array().end_array();
  w.key("steps");
  write_steps(w, p.steps);
  w.key("conditions").begin_object().key("version").value(1).key("conditions").begin_array();
  for (const auto& names : p.profile_names) {
    w.begin_object().key("profileNames").begin_array();
    for (const auto& name : names)
      w.value(name);
    w.end_array().end_object();
  }
  w.end_array().end_object();
  w.key("constraints").begin_object().key("version").value(1).key("constraints");
  w.begin_object().end_object().end_object();
  w.key("createdAt").value(format_iso8601(p.created_at));
  w.key("updatedAt").value(format_iso8601(p.updated_at));
  w.end_object();
}

std::string render_policy(const approval_policy_record& p) {
  json_writer w;
  w.begin_object().key("policy");
  write_policy(w, p);
  w.end_object();
  return w.take();
}

std::string render_approval(const approval_request_record& a, const request_record* r) {
  json_writer w;
  w.begin_object().key("request").begin_object();
  w.key("id").value(a.id);
  w.key("projectId").string_or_null(a.project_id);
  w.key("policyId").value(a.policy_id);
  w.key("type").value("cert-request");
  w.key("requesterName").value(a.requester);
  w.key("status").value(to_string(a.status));
  w.key("justification").null();
  w.key("expiresAt");
  if (a.expires_at > 0)
    w.value(format_iso8601(a.expires_at));
  else
    w.null();
  auto current = current_step(a);
  w.key("currentStep").value(static_cast<int64_t>(current + 1));
  w.key("steps").begin_array();
  for (size_t i = 0; i < a.steps.size(); ++i) {
    const auto& step = a.steps[i];
    w.begin_object();
    w.key("stepNumber").value(static_cast<int64_t>(i + 1));
    w.key("name").string_or_null(step.name);
    w.key("requiredApprovals").value(step.required_approvals);
    const char* status = i < current ? "completed" : (i == current ? "in_progress" : "pending");
    w.key("status").value(status);
    write_approvers(w, step);
    w.key("approvals").begin_array();
    for (const auto& d : a.decisions) {
      if (static_cast<size_t>(d.step) != i)
        continue;
      w.begin_object();
      w.key("approverTokenId").value(d.approver_token_id);
      w.key("approverName").value(d.approver_name);
      w.key("decision").value(d.approved ? "approved" : "rejected");
      w.key("comment").string_or_null(d.comment);
      w.key("createdAt").value(format_iso8601(d.at));
      w.end_object();
    }
    w.end_array();
    w.end_object();
  }
  w.end_array();
  w.key("requestData").begin_object().key("version").value(1).key("requestData").begin_object();
  w.key("profileId").value(a.profile_id);
  w.key("profileName").value(a.profile_name);
  w.key("certificateRequestId").value(a.certificate_request_id);
  if (r != nullptr) {
    w.key("certificateRequestStatus").value(to_string(r->status));
    w.key("certificateRequest").begin_object();
    w.key("commonName").string_or_null(r->plan.subject.common_name);
    w.key("altNames").begin_array();
    for (const auto& san : r->plan.sans)
      w.begin_object()
          .key("type")
          .value(to_string(san.type))
          .key("value")
          .value(san.value)
          .end_object();
    w.end_array();
    w.end_object();
  }
  w.end_object().end_object();
  w.key("createdAt").value(format_iso8601(a.created_at));
  w.key("updatedAt").value(format_iso8601(a.updated_at));
  w.end_object().end_object();
  return w.take();
}

struct approval_context {
  approval_context(http_responder& r, std::shared_ptr<const store> store_ptr,
                   std::shared_ptr<catalog> config, actor_bridge& b, int64_t min_ttl)
      : respond(r), db(std::move(store_ptr)), configuration(std::move(config)), bridge(b),
        min_ttl_seconds(min_ttl) {}

  http_responder& respond;
  std::shared_ptr<const store> db;
  std::shared_ptr<catalog> configuration;
  actor_bridge& bridge;
  int64_t min_ttl_seconds;
  std::mutex writes; ///< policy changes, one at a time

  result<approval_policy_record> load_policy(const std::string& id) {
    auto found = db->get_record<approval_policy_record>(column::approval_policies, id);
    if (!found)
      return std::move(found).error();
    if (!*found)
      return make_failure(errc::not_found, "Approval policy with ID '" + id + "' not found");
    return std::move(**found);
  }

  // Conditions name profiles by slug; a typo would silently never match.
  status check_profiles(const approval_policy_record& policy) {
    auto snapshot = configuration->current();
    for (const auto& names : policy.profile_names)
      for (const auto& name : names)
        if (snapshot->profile_by_slug(name) == nullptr)
          return make_failure(errc::bad_request,
                              "Certificate profile with slug '" + name + "' not found");
    return {};
  }

  status store_policy(const approval_policy_record& policy, bool erase) {
    transaction tx;
    if (erase)
      tx.erase(column::approval_policies, policy.id);
    else
      tx.put(column::approval_policies, policy.id, policy);
    if (auto ok = bridge.commit(std::move(tx)); !ok)
      return ok;
    return configuration->refresh(*db);
  }

  result<approval_policy_record> create(const approval_policy_body& body) {
    approval_policy_record policy;
    body.apply_to(policy);
    policy.id = make_uuid_v7();
    policy.created_at = policy.updated_at = unix_now();
    if (auto ok = check_profiles(policy); !ok)
      return std::move(ok).error();
    std::lock_guard<std::mutex> guard{writes};
    if (auto ok = store_policy(policy, false); !ok)
      return std::move(ok).error();
    return policy;
  }

  result<approval_policy_record> update(const std::string& id, const approval_policy_body& body) {
    std::lock_guard<std::mutex> guard{writes};
    auto policy = load_policy(id);
    if (!policy)
      return policy;
    body.apply_to(*policy);
    policy->updated_at = unix_now();
    if (auto ok = check_profiles(*policy); !ok)
      return std::move(ok).error();
    if (auto ok = store_policy(*policy, false); !ok)
      return std::move(ok).error();
    return policy;
  }

  result<approval_policy_record> remove(const std::string& id) {
    std::lock_guard<std::mutex> guard{writes};
    auto policy = load_policy(id);
    if (!policy)
      return policy;
    if (auto ok = store_policy(*policy, true); !ok)
      return std::move(ok).error();
    return policy;
  }

  void decide(const request& req, response& res, const identity_record& who, bool approve) {
    const auto& id = req.param(0);
    if (!respond.uuid_param(res, id, "requestId"))
      return;
    std::string comment;
    if (auto err = parse_approval_decision_body(req.body, comment))
      return respond.error(res, *err);
    auto decided = decide_approval(*db, id, who, approve, comment, unix_now());
    if (!decided)
      return respond.fail(res, std::move(decided).error());
    if (auto ok = bridge.commit(std::move(decided->tx)); !ok)
      return respond.fail(res, std::move(ok).error());
    if (decided->released)
      bridge.enqueue(decided->request.id);
    respond.json(res, 200, render_approval(decided->approval, &decided->request));
  }

  void get_request(const request& req, response& res, const identity_record& who) {
    const auto& id = req.param(0);
    if (!respond.uuid_param(res, id, "requestId"))
      return;
    auto approval = load_approval(*db, id);
    if (!approval)
      return respond.fail(res, std::move(approval).error());
    if (!who.may(role_approve) && !who.may(role_read) && approval->requester != who.name)
      return respond.fail(res, make_failure(errc::permission_denied,
                                            "You are not allowed to read on ApprovalRequests"));
    auto cert_request =
        db->get_record<request_record>(column::requests, approval->certificate_request_id);
    if (!cert_request)
      return respond.fail(res, std::move(cert_request).error());
    respond.json(res, 200, render_approval(*approval, *cert_request ? &**cert_request : nullptr));
  }
};

} // namespace

void add_approval_routes(http_router& router, http_responder& r,
                         const std::shared_ptr<const store>& db,
                         const std::shared_ptr<catalog>& configuration, actor_bridge& bridge,
                         int64_t min_ttl_seconds) {
  const std::string base = "/api/v1/approval-policies/cert-request";
  const std::string id = "/:id";
  auto ctx = std::make_shared<approval_context>(r, db, configuration, bridge, min_ttl_seconds);
  router.add("POST", base, route_mode::blocking,
             r.authenticated(role_manage, "create", "ApprovalPolicies",
                             [ctx](const request& req, response& res, auto&) {
                               approval_policy_body body;
                               if (auto err = parse_approval_policy_body(
                                       req.body, true, ctx->min_ttl_seconds, body))
                                 return ctx->respond.error(res, *err);
                               ctx->respond.reply(res, ctx->create(body), render_policy);
                             }));
  router.add("GET", base, route_mode::blocking,
             r.authenticated(role_manage | role_read, "read", "ApprovalPolicies",
                             [ctx](const request&, response& res, auto&) {
                               auto snapshot = ctx->configuration->current();
                               json_writer w;
                               w.begin_object().key("policies").begin_array();
                               for (const auto& policy : snapshot->approval_policies)
                                 write_policy(w, policy);
                               w.end_array().end_object();
                               ctx->respond.json(res, 200, w.take());
                             }));
  router.add("GET", base + "/requests" + id, route_mode::blocking,
             r.authenticated(role_approve | role_read | role_issue, "read", "ApprovalRequests",
                             [ctx](const request& req, response& res, const auto& who) {
                               ctx->get_request(req, res, who);
                             }));
  router.add("POST", base + "/requests" + id + "/approve", route_mode::blocking,
             r.authenticated(role_approve, "approve", "ApprovalRequests",
                             [ctx](const request& req, response& res, const auto& who) {
                               ctx->decide(req, res, who, true);
                             }));
  router.add("POST", base + "/requests" + id + "/reject", route_mode::blocking,
             r.authenticated(role_approve, "reject", "ApprovalRequests",
                             [ctx](const request& req, response& res, const auto& who) {
                               ctx->decide(req, res, who, false);
                             }));
  router.add("GET", base + id, route_mode::blocking,
             r.authenticated(role_manage | role_read, "read", "ApprovalPolicies",
                             [ctx](const request& req, response& res, auto&) {
                               const auto& policy_id = req.param(0);
                               if (!ctx->respond.uuid_param(res, policy_id, "policyId"))
                                 return;
                               ctx->respond.reply(res, ctx->load_policy(policy_id), render_policy);
                             }));
  router.add(
      "PATCH", base + id, route_mode::blocking,
      r.authenticated(
          role_manage, "edit", "ApprovalPolicies", [ctx](const request& req, response& res, auto&) {
            const auto policy_id = req.param(0);
            if (!ctx->respond.uuid_param(res, policy_id, "policyId"))
              return;
            approval_policy_body body;
            if (auto err = parse_approval_policy_body(req.body, false, ctx->min_ttl_seconds, body))
              return ctx->respond.error(res, *err);
            ctx->respond.reply(res, ctx->update(policy_id, body), render_policy);
          }));
  router.add("DELETE", base + id, route_mode::blocking,
             r.authenticated(role_manage, "delete", "ApprovalPolicies",
                             [ctx](const request& req, response& res, auto&) {
                               const auto& policy_id = req.param(0);
                               if (!ctx->respond.uuid_param(res, policy_id, "policyId"))
                                 return;
                               ctx->respond.reply(
                                   res, ctx->remove(policy_id),
                                   [](const approval_policy_record& p) {
                                     json_writer w;
                                     w.begin_object().key("policyId").value(p.id).end_object();
                                     return w.take();
                                   });
                             }));
}

} // namespace certmint
