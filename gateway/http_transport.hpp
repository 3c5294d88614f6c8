#pragma once

// The HTTP/1.1 transport: event loops over non-blocking sockets (epoll).
// A few loop threads serve every connection; a request is handed to the
// dispatcher on its loop, and its answer can be delivered from any thread
// (an actor, a pool thread) straight onto the socket, so an issuance costs
// no thread hand-off of its own at the HTTP layer.

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "engine/error.hpp"
#include "gateway/http_exchange.hpp"
#include "gateway/http_parser.hpp"

namespace certmint {

struct transport_options {
  std::string host = "127.0.0.1";
  int port = 8080;  ///< 0 picks a free port
  size_t loops = 0; ///< event loop threads; 0: one per core
  http_limits limits;
  size_t keep_alive_max = 0; ///< requests per connection before it is closed; 0: no limit
  size_t max_connections = 10000;
  std::chrono::milliseconds idle_timeout{5000};   ///< a keep-alive connection may idle
  std::chrono::milliseconds read_timeout{10000};  ///< a started request must arrive
  std::chrono::milliseconds write_timeout{10000}; ///< a client must take its answer
  std::chrono::milliseconds drain_timeout{30000}; ///< stop(): in-flight requests may finish
};

/// Where the transport listens.
struct bound_address {
  int port = 0;
  /// Every address it accepts on is a loopback one (127.0.0.0/8, ::1):
  /// no other machine can reach it.
  bool loopback = false;
  /// It accepts on every interface (0.0.0.0 or ::), so its address names
  /// no one machine.
  bool wildcard = false;
};

/// Called on a loop thread for every complete request.
using request_dispatch = std::function<void(http_request&, const http_exchange&)>;

/// The answer the transport sends on its own (a malformed request, a
/// timeout): status and message in, a response with the API's error body
/// out.
using error_renderer = std::function<http_response(int status, const std::string& message)>;

class http_transport {
public:
  explicit http_transport(transport_options options);
  ~http_transport();

  http_transport(const http_transport&) = delete;
  http_transport& operator=(const http_transport&) = delete;

  /// Creates the listening socket.
  result<bound_address> bind();

  /// Starts the loop threads.
  void start(request_dispatch dispatch, const error_renderer& errors);

  /// Stops accepting, lets in-flight requests finish (at most
  /// `drain_timeout`), closes every connection and joins the loops.
  void stop();

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace certmint
