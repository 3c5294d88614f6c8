#pragma once

#include <memory>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "actors/actors.hpp"
#include "actors/round_robin_pool.hpp"

namespace certmint {

/// The signer pools, by CA id. A request picks a signer round-robin, so the
/// CA's signing load spreads over all of its signers (one per core).
class signer_directory {
public:
  void add_pool(const std::string& ca_id, std::vector<signer_actor> signers);

  /// Takes a CA's pool out (the CA was disabled or deleted); returns its
  /// signers so that the caller can stop them.
  std::vector<signer_actor> remove_pool(const std::string& ca_id);

  /// A signer of the CA, or an invalid handle when the CA has none.
  signer_actor pick(const std::string& ca_id);

  /// Whether the CA has a pool.
  bool has_pool(const std::string& ca_id);

  /// Takes all pools out (for shutdown); afterwards `pick` finds nothing.
  std::vector<signer_actor> release_all();

private:
  std::shared_mutex mutex_;
  std::unordered_map<std::string, std::unique_ptr<round_robin_pool<signer_actor>>> pools_;
};

} // namespace certmint
