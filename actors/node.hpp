#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <caf/fwd.hpp>

#include "actors/actors.hpp"
#include "actors/backlog.hpp"
#include "actors/crl_publisher.hpp"
#include "actors/round_robin_pool.hpp"
#include "engine/error.hpp"

namespace certmint {

class catalog;
struct ca_record;
struct request_record;
class signer_directory;
class store;
struct issuance_services;

struct node_options {
  std::string public_url;
  size_t signers_per_ca = 2;
  std::chrono::milliseconds stage_timeout{30000};
  size_t max_inflight = 4096;
  std::chrono::milliseconds approval_sweep_interval{1000};
  /// Ready keys to keep per algorithm for the managed-key path.
  std::map<key_algorithm, size_t> key_pool;
  backlog_options backlog;
  crl_publisher_options crl;
  /// Shutdown waits this long for request actors in flight to finish.
  std::chrono::milliseconds drain_timeout{10000};
};

/// The running actors of one certmint process: the storage writer and a
/// signer pool per active CA. Owns their handles and stops them in order.
class node {
public:
  static result<std::unique_ptr<node>> start(caf::actor_system& sys, std::shared_ptr<store> db,
                                             const std::shared_ptr<catalog>& configuration,
                                             const node_options& options);
  ~node();

  node(const node&) = delete;
  node& operator=(const node&) = delete;

  caf::actor_system& system() { return sys_; }

  /// A fresh request actor for one issuance, or an invalid handle when
  /// `max_inflight` requests are in progress already (the caller answers
  /// 429). Recovery passes `bounded = false`: those requests are accepted.
  request_actor spawn_request_actor(bool bounded = true);

  /// How many requests are `pending` (the backlog walks them from the
  /// start: those a previous run left are driven before anything else).
  static result<int64_t> pending_count(const store& db);

  /// Tells the backlog that a stored request became `pending` (approved).
  void enqueue(const std::string& request_id);

  /// Starts (or restarts) the signer pool of an active CA that has a
  /// certificate, and has its CRL signed if the stored one is not fresh;
  /// other CAs get none.
  status start_signers(const ca_record& ca);

  /// A certificate of the CA was revoked (durably): its CRL is signed again.
  void revoked(const std::string& ca_id);

  /// Stops the CA's signers; its requests fail with errc::unavailable.
  void stop_signers(const std::string& ca_id);

  /// Applies a transaction through the storage writer (blocking; for
  /// callers outside the actor system).
  status commit(transaction tx);

  /// Has a signer of `ca_id` sign a subordinate CA certificate (blocking).
  result<std::string> sign_ca(const std::string& ca_id, ca_signing_order order);

  /// Ordered shutdown: signers stop, the writer writes what it holds, then
  /// stops. Call after the HTTP server has stopped (no new requests).
  void shutdown();

private:
  explicit node(caf::actor_system& sys) : sys_(sys) {}

  caf::actor_system& sys_;
  node_options options_;
  storage_writer_actor writer_;
  approval_expirer_actor expirer_;
  crl_publisher_actor crl_publisher_;
  key_maker_actor key_maker_;
  std::vector<key_maker_actor> urgent_key_makers_;
  key_maker_actor urgent_key_queue_;
  key_pool_actor key_pool_;
  backlog_actor backlog_;
  std::shared_ptr<round_robin_pool<policy_checker_actor>> checkers_;
  std::shared_ptr<signer_directory> signers_;
  std::shared_ptr<const issuance_services> services_;
  bool stopped_ = false;
};

} // namespace certmint
