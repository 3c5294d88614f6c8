#include "storage/approval_flow.hpp"

#include <algorithm>

#include "storage/request_index.hpp"

namespace certmint {

namespace {

size_t approvals_in_step(const approval_request_record& approval, size_t step) {
  return static_cast<size_t>(
      std::count_if(approval.decisions.begin(), approval.decisions.end(), [step](const auto& d) {
        return d.approved && static_cast<size_t>(d.step) == step;
      }));
}

failure changed_concurrently() {
  return make_failure(errc::conflict,
                      "The approval request was changed concurrently; read it again and retry");
}

// The approval and its request, with the approval's stored bytes for the
// compare-and-set.
struct approval_state {
  std::string bytes;
  approval_request_record approval;
  request_record request;
};

result<approval_state> read_state(const store& db, const std::string& id) {
  auto raw = db.get(column::approvals, id);
  if (!raw)
    return std::move(raw).error();
  if (!*raw)
    return make_failure(errc::not_found, "Approval request with ID '" + id + "' not found");
  auto approval = decode_record<approval_request_record>(**raw);
  if (!approval)
    return std::move(approval).error();
  auto request = db.get_record<request_record>(column::requests, approval->certificate_request_id);
  if (!request)
    return std::move(request).error();
  if (!*request)
    return make_failure(errc::internal,
                        "the certificate request of approval request '" + id + "' is missing");
  return approval_state{std::move(**raw), std::move(*approval), std::move(**request)};
}

void guard(transaction& tx, const approval_state& s) {
  tx.expect_value(column::approvals, s.approval.id, s.bytes, changed_concurrently());
  tx.expect_status(s.request.id, request_status::pending_approval, changed_concurrently());
}

} // namespace

size_t current_step(const approval_request_record& approval) {
  size_t step = 0;
  while (step < approval.steps.size()
         && approvals_in_step(approval, step)
                >= static_cast<size_t>(approval.steps[step].required_approvals))
    ++step;
  return step;
}

result<approval_request_record> load_approval(const store& db, const std::string& id) {
  auto found = db.get_record<approval_request_record>(column::approvals, id);
  if (!found)
    return std::move(found).error();
  if (!*found)
    return make_failure(errc::not_found, "Approval request with ID '" + id + "' not found");
  return std::move(**found);
}

result<approval_decided> decide_approval(const store& db, const std::string& approval_id,
                                         const identity_record& approver, bool approve,
                                         const std::string& comment, int64_t now) {
  auto state = read_state(db, approval_id);
  if (!state)
    return std::move(state).error();
  auto& s = *state;
  auto& approval = s.approval;
  if (approval.status != approval_status::pending)
    return make_failure(errc::bad_request,
                        "Approval request is already " + std::string{to_string(approval.status)});
  if (approval.expires_at > 0 && approval.expires_at <= now)
    return make_failure(errc::bad_request, "Approval request has expired");
  if (approver.name == approval.requester)
    return make_failure(errc::permission_denied,
                        "The requester of a certificate cannot approve or reject its own request");
  auto step = current_step(approval);
  if (step < approval.steps.size()) {
    const auto& allowed = approval.steps[step].approvers;
    if (!allowed.empty()
        && std::find(allowed.begin(), allowed.end(), approver.token_id) == allowed.end())
      return make_failure(errc::permission_denied, "You are not an approver of step "
                                                       + std::to_string(step + 1)
                                                       + " of this approval request");
    auto again =
        std::any_of(approval.decisions.begin(), approval.decisions.end(), [&](const auto& d) {
          return static_cast<size_t>(d.step) == step && d.approver_name == approver.name;
        });
    if (again)
      return make_failure(errc::bad_request, "You have already approved this step");
  }
  approval.decisions.push_back(
      {approver.token_id, approver.name, static_cast<int>(step), approve, comment, now});
  approval.updated_at = now;
  approval_decided out;
  guard(out.tx, s);
  auto& request = s.request;
  if (!approve) {
    approval.status = approval_status::rejected;
    request.status = request_status::rejected;
    request.error_message = "Rejected by identity " + approver.name
                            + (comment.empty() ? std::string{} : ": " + comment);
  } else if (current_step(approval) == approval.steps.size()) {
    approval.status = approval_status::approved;
    request.status = request_status::pending;
    out.released = true;
  }
  if (approval.status != approval_status::pending) {
    request.updated_at = now;
    stage_request(out.tx, request, request_status::pending_approval);
    if (approval.expires_at > 0)
      out.tx.erase(column::approval_expiry, approval_expiry_key(approval.expires_at, approval.id));
  }
  out.tx.put(column::approvals, approval.id, approval);
  out.approval = std::move(approval);
  out.request = std::move(request);
  return out;
}

result<transaction> expire_approval(const store& db, const std::string& approval_id,
                                    const std::string& index_key, int64_t now) {
  transaction tx;
  tx.erase(column::approval_expiry, index_key);
  auto state = read_state(db, approval_id);
  if (!state) {
    if (state.error().code == errc::not_found)
      return tx;
    return std::move(state).error();
  }
  auto& s = *state;
  if (s.approval.status != approval_status::pending
      || s.request.status != request_status::pending_approval)
    return tx;
  guard(tx, s);
  s.approval.status = approval_status::expired;
  s.approval.updated_at = now;
  tx.put(column::approvals, s.approval.id, s.approval);
  s.request.status = request_status::rejected;
  s.request.error_message = "Approval request expired before it was approved";
  s.request.updated_at = now;
  stage_request(tx, s.request, request_status::pending_approval);
  return tx;
}

} // namespace certmint
