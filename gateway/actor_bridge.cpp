#include "gateway/actor_bridge.hpp"

#include <caf/actor_system.hpp>
#include <caf/send.hpp>

#include "actors/caf_error.hpp"
#include "actors/node.hpp"

namespace certmint {

result<fallback_trigger> actor_bridge::issue(issuance_input input, identity_record requester,
                                             bool respond_async, issuance_callback done) {
  auto worker = actors_.spawn_request_actor();
  if (!worker)
    return make_failure(errc::too_many_requests,
                        "Rate limit exceeded. Please try again in 1 seconds");
  caf::anon_send(worker, atom::issue_v, std::move(input), std::move(requester), respond_async,
                 issuance_reply{std::move(done)});
  return fallback_trigger{[worker] { caf::anon_send(worker, atom::fallback_v); }};
}

void actor_bridge::enqueue(const std::string& request_id) {
  actors_.enqueue(request_id);
}

status actor_bridge::commit(transaction tx) {
  return actors_.commit(std::move(tx));
}

status actor_bridge::start_signers(const ca_record& ca) {
  return actors_.start_signers(ca);
}

void actor_bridge::revoked(const std::string& ca_id) {
  actors_.revoked(ca_id);
}

void actor_bridge::stop_signers(const std::string& ca_id) {
  actors_.stop_signers(ca_id);
}

result<std::string> actor_bridge::sign_ca(const std::string& ca_id, ca_signing_order order) {
  return actors_.sign_ca(ca_id, std::move(order));
}

} // namespace certmint
