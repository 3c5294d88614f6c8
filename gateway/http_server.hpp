#pragma once

#include <memory>
#include <string>

#include "engine/error.hpp"
#include "gateway/http_transport.hpp"

namespace certmint {

class catalog;
class actor_bridge;
class store;

struct gateway_options {
  std::string host = "127.0.0.1";
  int port = 8080;                           ///< 0 picks a free port
  size_t loops = 0;                          ///< event loop threads; 0: one per core
  size_t blocking_threads = 4;               ///< for handlers that wait (configuration, approvals)
  size_t keep_alive_max = 1000;              ///< requests per connection before it is closed
  size_t max_connections = 10000;            ///< more are refused with 503
  size_t max_body_bytes = size_t{64} * 1024; ///< larger bodies get 413
  int64_t idempotency_window_s = 86400;      ///< how long an Idempotency-Key holds
  int64_t approval_min_ttl_s = 3600;         ///< shortest maxRequestTtl of an approval policy
  int64_t max_backlog = 100000;              ///< pending requests before asynchronous ones get 429
};

/// The HTTP JSON API: routes, authentication, schema checks and the
/// Infisical error body, served by the event-driven `http_transport`.
/// Reads go straight to the store (RocksDB reads are thread-safe; the
/// actors own every write) on the event loops; issuance goes through the
/// bridge into the actor system and is answered from there; handlers that
/// wait for the storage writer run on a small blocking pool.
class http_server {
public:
  explicit http_server(gateway_options options);
  ~http_server();

  /// Binds the listening socket; returns where (the port is useful with
  /// port 0).
  result<bound_address> bind();

  /// Starts serving on the event loops, with the routes' dependencies.
  void serve(std::shared_ptr<const store> db, std::shared_ptr<catalog> configuration,
             actor_bridge& bridge);

  /// Stops accepting, lets in-flight requests finish (answers in flight
  /// still reach their clients), joins the threads.
  void stop();

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace certmint
