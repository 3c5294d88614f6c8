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
