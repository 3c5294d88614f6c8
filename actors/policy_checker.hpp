#pragma once

#include <memory>

#include "actors/actors.hpp"

namespace caf {
class actor_system;
}

namespace certmint {

class catalog;

struct policy_checker_state {
  std::shared_ptr<catalog> configuration;
  static inline const char* name = "policy-checker";
};

/// Checks one request at a time: resolves its profile, policy and issuer
/// from the catalog snapshot, verifies the CSR, evaluates the policy
/// (Infisical §5) and the issuer constraints, and plans the certificate.
/// Every violation is reported at once: `Certificate request validation
/// failed: <e1>, <e2>, ...` (400).
policy_checker_actor::behavior_type
policy_checker(policy_checker_actor::stateful_pointer<policy_checker_state> self,
               std::shared_ptr<catalog> configuration);

policy_checker_actor spawn_policy_checker(caf::actor_system& sys,
                                          std::shared_ptr<catalog> configuration);

} // namespace certmint
