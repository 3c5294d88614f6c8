#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "engine/algorithms.hpp"
#include "engine/error.hpp"

namespace certmint {

/// Settings of `certmint serve`. Precedence, lowest first: built-in
/// defaults, the JSON file given with --config, environment variables
/// (CERTMINT_LISTEN, CERTMINT_DATA_DIR, CERTMINT_PUBLIC_URL,
/// CERTMINT_ADMIN_TOKEN), command-line flags.
struct server_config {
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string data_dir = "./data";
  std::string public_url;         ///< empty: http://<host>:<bound port>
  size_t scheduler_threads = 0;   ///< 0: one per core
  size_t http_threads = 0;        ///< HTTP event loops; 0: one per core
  size_t keep_alive_max = 1000;   ///< requests per connection before it is closed
  size_t max_connections = 10000; ///< open connections before new ones get 503
  size_t max_body_bytes = size_t{64} * 1024;
  int64_t request_timeout_ms = 30000;
  int64_t sync_wait_ms = 10000;        ///< a synchronous issuance answers "pending" after this
  size_t max_inflight = 4096;          ///< issuances in progress before new ones get 429
  size_t max_backlog = 100000;         ///< pending requests before asynchronous ones get 429
  size_t backlog_concurrency = 64;     ///< pending requests signed at once
  size_t idempotency_window_s = 86400; ///< how long an Idempotency-Key holds
  size_t approval_min_ttl_s = 3600;    ///< shortest maxRequestTtl (Infisical: one hour)
  key_algorithm ca_key_algorithm = key_algorithm::ec_p256;
  /// Ready keys kept per algorithm for server-generated keys ("ALG=N,...").
  std::map<key_algorithm, size_t> key_pool = {{key_algorithm::rsa_2048, 8}};
  std::string admin_token; ///< only from the environment, never from files or flags
};

using env_lookup = std::function<const char*(const char*)>;

/// Builds the configuration from `args` (after the `serve` word) and the
/// environment. Errors name the offending flag, key or variable.
result<server_config> load_server_config(const std::vector<std::string>& args,
                                         const env_lookup& env);

/// http://HOST:PORT, with an IPv6 address in brackets.
std::string http_url(const std::string& host, int port);

/// The base URL written into certificates (CRL distribution point, AIA):
/// the configured one, else http://HOST:PORT of the bound socket. A server
/// that listens on every interface (`wildcard`) has no such address, and
/// http://0.0.0.0:PORT in a certificate reaches no one, for as long as the
/// certificate lives: that needs the URL configured.
result<std::string> certificate_base_url(const server_config& cfg, int bound_port, bool wildcard);

/// Text for `certmint serve --help`.
std::string server_usage();

} // namespace certmint
