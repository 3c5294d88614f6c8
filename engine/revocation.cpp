#include "engine/revocation.hpp"

#include <array>
#include <utility>

namespace certmint {

namespace {

constexpr std::array<std::pair<std::string_view, revocation_reason>, 9> reasons{{
    {"UNSPECIFIED", revocation_reason::unspecified},
    {"KEY_COMPROMISE", revocation_reason::key_compromise},
    {"CA_COMPROMISE", revocation_reason::ca_compromise},
    {"AFFILIATION_CHANGED", revocation_reason::affiliation_changed},
    {"SUPERSEDED", revocation_reason::superseded},
    {"CESSATION_OF_OPERATION", revocation_reason::cessation_of_operation},
    {"CERTIFICATE_HOLD", revocation_reason::certificate_hold},
    {"PRIVILEGE_WITHDRAWN", revocation_reason::privilege_withdrawn},
    {"A_A_COMPROMISE", revocation_reason::aa_compromise},
}};

} // namespace

const std::vector<std::string_view>& revocation_reason_names() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> out;
    out.reserve(reasons.size());
    for (const auto& [name, reason] : reasons)
      out.push_back(name);
    return out;
  }();
  return names;
}

std::optional<revocation_reason> parse_revocation_reason(std::string_view name) {
  for (const auto& [known, reason] : reasons)
    if (known == name)
      return reason;
  return std::nullopt;
}

} // namespace certmint
