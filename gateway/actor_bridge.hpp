#pragma once

#include <chrono>
#include <string>

#include "engine/issuance.hpp"
#include "storage/records.hpp"

namespace certmint {

class node;
struct ca_record;
struct ca_signing_order;
struct transaction;

/// The gateway's door into the actor system: one message per HTTP request.
/// Called on an HTTP worker thread, each call blocks that (non-CAF) thread
/// until the actors answer or the timeout passes. The only gateway code
/// that includes CAF.
class actor_bridge {
public:
  /// `timeout` bounds every call; a synchronous issuance not done after
  /// `sync_wait` answers "pending" instead.
  actor_bridge(node& actors, std::chrono::milliseconds timeout, std::chrono::milliseconds sync_wait)
      : actors_(actors), timeout_(timeout), sync_wait_(sync_wait) {}

  /// Runs one issuance through a new request actor. With `respond_async`
  /// the answer comes once the request is durable (status "pending").
  result<issuance_result> issue(issuance_input input, identity_record requester,
                                bool respond_async);

  /// Drives an approved (now `pending`) request on in the background.
  void resume(request_record request);

  /// Applies a transaction through the storage writer.
  status commit(transaction tx);

  /// Starts the signers of a CA that became usable; stops those of one
  /// that is disabled or deleted.
  status start_signers(const ca_record& ca);
  void stop_signers(const std::string& ca_id);

  /// Has the CA's signers sign a subordinate CA certificate.
  result<std::string> sign_ca(const std::string& ca_id, ca_signing_order order);

private:
  node& actors_;
  std::chrono::milliseconds timeout_;
  std::chrono::milliseconds sync_wait_;
};

} // namespace certmint
