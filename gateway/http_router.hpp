#pragma once

// Routes: method + path pattern -> handler, and where the handler runs.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/http_exchange.hpp"
#include "gateway/http_message.hpp"

namespace certmint {

/// Where a handler runs. The event loops serve every connection, so a
/// handler on a loop must never wait.
enum class route_mode {
  immediate, ///< on the event loop: bounded CPU work and RocksDB reads only
  blocking,  ///< on the blocking pool: may wait for the storage writer or actors
  deferred,  ///< on the event loop, handed the exchange to answer later from any thread
};

using http_handler = std::function<void(const http_request&, http_response&)>;
using deferred_handler = std::function<void(http_request&, const http_exchange&)>;

struct http_route {
  std::string method;
  std::string pattern;
  std::vector<std::string> segments; ///< "" for a captured (`:name`) segment
  std::vector<bool> captures;
  route_mode mode = route_mode::immediate;
  http_handler handler;      ///< immediate and blocking routes
  deferred_handler deferred; ///< deferred routes
};

/// Patterns are paths whose `:name` segments capture one non-empty segment
/// each ("/api/v1/certificates/:id"). The first route added that matches
/// wins. A GET route answers HEAD too.
class http_router {
public:
  void add(std::string_view method, std::string_view pattern, route_mode mode,
           http_handler handler);
  void add_deferred(std::string_view method, std::string_view pattern, deferred_handler handler);

  enum class lookup { found, not_found, bad_path };

  /// Finds the route of `req` and fills `req.params` with its decoded
  /// captures. `bad_path`: a segment with invalid percent-encoding.
  lookup find(http_request& req, const http_route*& route) const;

private:
  http_route& make(std::string_view method, std::string_view pattern, route_mode mode);

  std::vector<http_route> routes_;
};

} // namespace certmint
