#pragma once

#include <memory>

#include "actors/actors.hpp"
#include "engine/certificate_builder.hpp"

namespace certmint {

struct signer_state {
  issuer_material issuer;
  static inline const char* name = "signer";
};

/// A signer for one CA. Spawn with the material `load_issuer_material`
/// produced; the key never leaves the actor's state afterwards.
signer_actor::behavior_type signer(signer_actor::stateful_pointer<signer_state> self,
                                   const std::shared_ptr<issuer_material>& material);

/// Spawns a signer holding `material`.
signer_actor spawn_signer(caf::actor_system& sys, issuer_material material);

} // namespace certmint
