#include "storage/records.hpp"

namespace certmint {

std::string_view to_string(request_status status) {
  switch (status) {
    case request_status::pending_approval:
      return "pending_approval";
    case request_status::pending:
      return "pending";
    case request_status::issued:
      return "issued";
    case request_status::failed:
      return "failed";
    case request_status::rejected:
      return "rejected";
  }
  return "unknown";
}

std::optional<request_status> parse_request_status(std::string_view name) {
  for (auto status : {request_status::pending_approval, request_status::pending,
                      request_status::issued, request_status::failed, request_status::rejected})
    if (to_string(status) == name)
      return status;
  return std::nullopt;
}

std::string_view to_string(identity_kind kind) {
  return kind == identity_kind::user ? "user" : "machine";
}

std::string_view to_string(approval_status status) {
  switch (status) {
    case approval_status::pending:
      return "pending";
    case approval_status::approved:
      return "approved";
    case approval_status::rejected:
      return "rejected";
    case approval_status::expired:
      return "expired";
  }
  return "unknown";
}

std::string_view to_string(role_bit role) {
  switch (role) {
    case role_admin:
      return "admin";
    case role_manage:
      return "manage";
    case role_issue:
      return "issue";
    case role_approve:
      return "approve";
    case role_read:
      return "read";
  }
  return "unknown";
}

std::optional<role_bit> parse_role(std::string_view name) {
  for (auto role : {role_admin, role_manage, role_issue, role_approve, role_read})
    if (to_string(role) == name)
      return role;
  return std::nullopt;
}

std::vector<std::string_view> role_names(uint8_t roles) {
  std::vector<std::string_view> out;
  for (auto role : {role_admin, role_manage, role_issue, role_approve, role_read})
    if (roles & role)
      out.push_back(to_string(role));
  return out;
}

std::string_view to_string(ca_type type) {
  return type == ca_type::root ? "root" : "intermediate";
}

std::string_view to_string(ca_status status) {
  switch (status) {
    case ca_status::active:
      return "active";
    case ca_status::disabled:
      return "disabled";
    case ca_status::pending_certificate:
      return "pending-certificate";
  }
  return "unknown";
}

} // namespace certmint
