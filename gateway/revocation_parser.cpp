#include "gateway/revocation_parser.hpp"

#include <string>
#include <vector>

#include "gateway/schema.hpp"

namespace certmint {

std::optional<api_error> parse_revocation_body(std::string_view body, revocation_reason& out) {
  simdjson::dom::element doc;
  if (auto err = parse_json_body(body, doc))
    return err;
  std::vector<validation_issue> issues;
  object_reader root{doc, {}, issues, {"revocationReason"}};
  std::optional<revocation_reason> reason;
  if (root.is_object())
    if (auto name = root.string("revocationReason", true, 1, 64)) {
      reason = parse_revocation_reason(*name);
      if (!reason)
        issues.push_back(
            enum_issue(root.path_to("revocationReason"), *name, revocation_reason_names()));
    }
  if (!issues.empty())
    return api_error{errc::validation_failed, {}, std::move(issues)};
  // A refused body leaves `out` as it was.
  out = *reason;
  return std::nullopt;
}

} // namespace certmint
