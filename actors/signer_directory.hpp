#pragma once

#include <atomic>
#include <memory>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "actors/actors.hpp"

namespace certmint {

/// The signer pools, by CA id. A request picks a signer round-robin, so the
/// CA's signing load spreads over all of its signers (one per core).
class signer_directory {
public:
  void add_pool(const std::string& ca_id, std::vector<signer_actor> signers);

  /// A signer of the CA, or an invalid handle when the CA has none.
  signer_actor pick(const std::string& ca_id);

  /// Takes all pools out (for shutdown); afterwards `pick` finds nothing.
  std::vector<signer_actor> release_all();

private:
  struct pool {
    std::vector<signer_actor> signers;
    std::atomic<size_t> next{0};
  };
  std::shared_mutex mutex_;
  std::unordered_map<std::string, std::unique_ptr<pool>> pools_;
};

} // namespace certmint
