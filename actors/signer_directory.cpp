#include "actors/signer_directory.hpp"

#include <mutex>

namespace certmint {

void signer_directory::add_pool(const std::string& ca_id, std::vector<signer_actor> signers) {
  auto pool = std::make_unique<round_robin_pool<signer_actor>>(std::move(signers));
  std::unique_lock<std::shared_mutex> guard{mutex_};
  pools_[ca_id] = std::move(pool);
}

std::vector<signer_actor> signer_directory::remove_pool(const std::string& ca_id) {
  std::unique_lock<std::shared_mutex> guard{mutex_};
  auto it = pools_.find(ca_id);
  if (it == pools_.end())
    return {};
  auto out = it->second->release();
  pools_.erase(it);
  return out;
}

signer_actor signer_directory::pick(const std::string& ca_id) {
  std::shared_lock<std::shared_mutex> guard{mutex_};
  auto it = pools_.find(ca_id);
  return it == pools_.end() ? signer_actor{} : it->second->pick();
}

bool signer_directory::has_pool(const std::string& ca_id) {
  std::shared_lock<std::shared_mutex> guard{mutex_};
  return pools_.count(ca_id) > 0;
}

std::vector<signer_actor> signer_directory::release_all() {
  std::unique_lock<std::shared_mutex> guard{mutex_};
  std::vector<signer_actor> out;
  for (auto& [id, pool] : pools_)
    for (auto& signer : pool->release())
      out.push_back(std::move(signer));
  pools_.clear();
  return out;
}

} // namespace certmint
