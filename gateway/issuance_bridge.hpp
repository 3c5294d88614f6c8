#pragma once

#include <chrono>
#include <string>

#include "engine/issuance.hpp"

namespace certmint {

class node;

/// The gateway's door into the actor system: one message per HTTP request.
/// Called on an HTTP worker thread, it spawns a request actor, sends it the
/// request and blocks this (non-CAF) thread until the reply or the timeout.
class issuance_bridge {
public:
  issuance_bridge(node& actors, std::chrono::milliseconds timeout)
      : actors_(actors), timeout_(timeout) {}

  result<issuance_result> issue(issuance_input input, std::string identity);

private:
  node& actors_;
  std::chrono::milliseconds timeout_;
};

} // namespace certmint
