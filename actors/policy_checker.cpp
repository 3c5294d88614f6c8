#include "actors/policy_checker.hpp"

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/caf_error.hpp"
#include "engine/csr.hpp"
#include "engine/text.hpp"
#include "engine/time_format.hpp"
#include "storage/catalog.hpp"

namespace certmint {

namespace {

result<checked_issuance> check(const catalog_snapshot& snapshot, const issuance_input& input,
                               int64_t now) {
  const auto* profile = snapshot.profile(input.profile_id);
  if (profile == nullptr)
    return make_failure(errc::not_found,
                        "Certificate profile with ID '" + input.profile_id + "' not found");
  const auto* policy = snapshot.policy(profile->policy_id);
  if (policy == nullptr)
    return make_failure(errc::not_found,
                        "Certificate policy with ID '" + profile->policy_id + "' not found");
  checked_issuance out;
  out.profile_id = profile->id;
  out.profile_slug = profile->slug;
  if (const auto* approval = snapshot.approval_policy_for(profile->slug))
    out.approval = *approval;
  out.self_signed = profile->issuer_type == "self-signed";
  const ca_view* ca = nullptr;
  issuer_facts issuer;
  if (out.self_signed) {
    if (input.csr)
      return make_failure(errc::bad_request,
                          "Self-signed certificates are not supported for CSR signing");
    issuer.self_signed = true;
  } else {
    ca = snapshot.ca(profile->ca_id);
    if (ca == nullptr)
      return make_failure(errc::not_found, "CA with ID '" + profile->ca_id + "' not found");
    if (ca->status == ca_status::pending_certificate)
      return make_failure(errc::bad_request, "CA does not have a certificate installed");
    issuer = ca->facts();
    out.ca_id = ca->id;
    out.chain_pem = ca->chain_pem;
  }
  std::optional<parsed_csr> csr;
  if (input.csr) {
    auto parsed = parse_csr(*input.csr, input.csr_check);
    if (!parsed)
      return std::move(parsed).error();
    csr = std::move(*parsed);
  }
  const auto* csr_ptr = csr ? &*csr : nullptr;
  auto request = make_policy_request(input, csr_ptr, profile->defaults);
  auto errors = evaluate_policy(policy->rules, request, now);
  if (ca != nullptr) {
    auto more = evaluate_issuer(policy->rules, request, ca->key_alg, ca->path_length);
    errors.insert(errors.end(), more.begin(), more.end());
  }
  if (!errors.empty())
    return make_failure(errc::bad_request,
                        "Certificate request validation failed: " + join(errors));
  auto plan = plan_issuance(input, csr_ptr, profile->defaults, issuer, now);
  if (!plan)
    return std::move(plan).error();
  out.plan = std::move(*plan);
  return out;
}

} // namespace

policy_checker_actor::behavior_type
policy_checker(policy_checker_actor::stateful_pointer<policy_checker_state> self,
               std::shared_ptr<catalog> configuration) {
  self->state.configuration = std::move(configuration);
  return {
      [self](atom::check, const issuance_input& input) -> caf::result<checked_issuance> {
        auto snapshot = self->state.configuration->current();
        auto checked = check(*snapshot, input, unix_now());
        if (!checked)
          return to_caf_error(std::move(checked).error());
        return std::move(*checked);
      },
  };
}

policy_checker_actor spawn_policy_checker(caf::actor_system& sys,
                                          std::shared_ptr<catalog> configuration) {
  return sys.spawn(policy_checker, std::move(configuration));
}

} // namespace certmint
