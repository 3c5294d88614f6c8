#include "actors/signer.hpp"

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/caf_error.hpp"

namespace certmint {

signer_actor::behavior_type signer(signer_actor::stateful_pointer<signer_state> self,
                                   const std::shared_ptr<issuer_material>& material) {
  self->state.issuer = std::move(*material);
  return {
      [self](atom::sign, const signing_order& order) -> caf::result<std::string> {
        auto der = sign_leaf(self->state.issuer, order.serial, order.plan);
        if (!der)
          return to_caf_error(std::move(der).error());
        return std::move(*der);
      },
      [self](atom::sign_ca, const ca_signing_order& order) -> caf::result<std::string> {
        auto der =
            sign_intermediate(self->state.issuer, order.subject_spki, order.serial, order.spec);
        if (!der)
          return to_caf_error(std::move(der).error());
        return std::move(*der);
      },
      [self](atom::sign_crl, const crl_contents& contents) -> caf::result<std::string> {
        auto der = sign_crl(self->state.issuer, contents);
        if (!der)
          return to_caf_error(std::move(der).error());
        return std::move(*der);
      },
  };
}

signer_actor spawn_signer(caf::actor_system& sys, issuer_material material) {
  return sys.spawn(signer, std::make_shared<issuer_material>(std::move(material)));
}

} // namespace certmint
