#include "gateway/issuance_bridge.hpp"

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/caf_error.hpp"
#include "actors/node.hpp"

namespace certmint {

result<issuance_result> issuance_bridge::issue(issuance_input input, std::string identity) {
  auto worker = actors_.spawn_request_actor();
  caf::scoped_actor self{actors_.system()};
  std::optional<result<issuance_result>> outcome;
  self->request(worker, timeout_, atom::issue_v, std::move(input), std::move(identity))
      .receive([&](issuance_result& ok) { outcome.emplace(std::move(ok)); },
               [&](caf::error& err) { outcome.emplace(from_caf_error(err)); });
  return std::move(*outcome);
}

} // namespace certmint
