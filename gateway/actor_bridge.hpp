#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "engine/issuance.hpp"
#include "storage/records.hpp"

namespace certmint {

class node;
struct ca_record;
struct ca_signing_order;
struct transaction;

/// The answer of an issuance, called once, on an actor's thread.
using issuance_callback = std::function<void(result<issuance_result>)>;

/// Asks a running issuance for its "pending" answer now (the synchronous
/// bound passed); safe to call from any thread, at any time.
using fallback_trigger = std::function<void()>;

/// The gateway's door into the actor system: one message per HTTP request.
/// `issue` returns at once and the request actor answers through the
/// callback; the other calls block their (non-CAF) caller until the actors
/// answer, so they run on the gateway's blocking pool. The only gateway
/// code that includes CAF.
class actor_bridge {
public:
  /// `timeout` bounds every call; a synchronous issuance not done after
  /// `sync_wait` answers "pending" instead.
  actor_bridge(node& actors, std::chrono::milliseconds timeout, std::chrono::milliseconds sync_wait)
      : actors_(actors), timeout_(timeout), sync_wait_(sync_wait) {}

  std::chrono::milliseconds timeout() const { return timeout_; }
  std::chrono::milliseconds sync_wait() const { return sync_wait_; }

  /// Starts one issuance in a new request actor, which calls `done` with
  /// the result (with `respond_async`: once the request is durable, status
  /// "pending"). Fails at once with errc::too_many_requests when
  /// `max-inflight` issuances are running.
  result<fallback_trigger> issue(issuance_input input, identity_record requester,
                                 bool respond_async, issuance_callback done);

  /// Hands an approved (now `pending`) request to the backlog.
  void enqueue(const std::string& request_id);

  /// Applies a transaction through the storage writer.
  status commit(transaction tx);

  /// Starts the signers of a CA that became usable; stops those of one
  /// that is disabled or deleted.
  status start_signers(const ca_record& ca);
  void stop_signers(const std::string& ca_id);

  /// A certificate of the CA was revoked (durably): its CRL is signed
  /// again, in the background.
  void revoked(const std::string& ca_id);

  /// Has the CA's signers sign a subordinate CA certificate.
  result<std::string> sign_ca(const std::string& ca_id, ca_signing_order order);

private:
  node& actors_;
  std::chrono::milliseconds timeout_;
  std::chrono::milliseconds sync_wait_;
};

} // namespace certmint
