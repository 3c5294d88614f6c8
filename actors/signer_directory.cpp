#include "actors/signer_directory.hpp"

#include <mutex>

namespace certmint {

void signer_directory::add_pool(const std::string& ca_id, std::vector<signer_actor> signers) {
  auto entry = std::make_unique<pool>();
  entry->signers = std::move(signers);
  std::unique_lock<std::shared_mutex> guard{mutex_};
  pools_[ca_id] = std::move(entry);
}

signer_actor signer_directory::pick(const std::string& ca_id) {
  std::shared_lock<std::shared_mutex> guard{mutex_};
  auto it = pools_.find(ca_id);
  if (it == pools_.end() || it->second->signers.empty())
    return {};
  auto& entry = *it->second;
  auto index = entry.next.fetch_add(1, std::memory_order_relaxed) % entry.signers.size();
  return entry.signers[index];
}

std::vector<signer_actor> signer_directory::release_all() {
  std::unique_lock<std::shared_mutex> guard{mutex_};
  std::vector<signer_actor> out;
  for (auto& [id, entry] : pools_)
    for (auto& signer : entry->signers)
      out.push_back(std::move(signer));
  pools_.clear();
  return out;
}

} // namespace certmint
