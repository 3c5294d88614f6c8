#include "gateway/actor_bridge.hpp"

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/caf_error.hpp"
#include "actors/node.hpp"

namespace certmint {

result<issuance_result> actor_bridge::issue(issuance_input input, identity_record requester,
                                            bool respond_async) {
  auto worker = actors_.spawn_request_actor();
  if (!worker)
    return make_failure(errc::too_many_requests,
                        "Rate limit exceeded. Please try again in 1 seconds");
  caf::scoped_actor self{actors_.system()};
  self->send(worker, atom::issue_v, std::move(input), std::move(requester), respond_async);
  // The synchronous bound is timed here, on the waiting thread, rather than
  // by a timer per request: when it passes, the request actor is asked for
  // its "pending" answer (it stores the request first if it has to).
  using clock = std::chrono::steady_clock;
  auto deadline = clock::now() + timeout_;
  bool asked_fallback = respond_async;
  std::optional<result<issuance_result>> outcome;
  while (!outcome) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
    if (left.count() <= 0) {
      outcome.emplace(make_failure(errc::timeout, "the issuance did not finish in time; poll "
                                                  "the request or retry"));
      break;
    }
    auto wait = asked_fallback ? left : std::min(left, sync_wait_);
    bool waited_out = false;
    self->receive([&](issuance_result& ok) { outcome.emplace(std::move(ok)); },
                  [&](caf::error& err) { outcome.emplace(from_caf_error(err)); },
                  caf::after(wait) >> [&] { waited_out = true; });
    if (waited_out && !asked_fallback) {
      self->send(worker, atom::fallback_v);
      asked_fallback = true;
    }
  }
  return std::move(*outcome);
}

void actor_bridge::resume(request_record request) {
  actors_.resume(std::move(request));
}

status actor_bridge::commit(transaction tx) {
  return actors_.commit(std::move(tx));
}

status actor_bridge::start_signers(const ca_record& ca) {
  return actors_.start_signers(ca);
}

void actor_bridge::stop_signers(const std::string& ca_id) {
  actors_.stop_signers(ca_id);
}

result<std::string> actor_bridge::sign_ca(const std::string& ca_id, ca_signing_order order) {
  return actors_.sign_ca(ca_id, std::move(order));
}

} // namespace certmint
