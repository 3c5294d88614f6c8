#pragma once

#include <atomic>
#include <utility>
#include <vector>

namespace certmint {

/// A fixed set of equivalent actors; `pick` spreads requests over them.
template <class Handle> class round_robin_pool {
public:
  explicit round_robin_pool(std::vector<Handle> members) : members_(std::move(members)) {}

  /// A member, or an invalid handle for an empty pool.
  Handle pick() {
    if (members_.empty())
      return {};
    return members_[next_.fetch_add(1, std::memory_order_relaxed) % members_.size()];
  }

  std::vector<Handle> release() { return std::move(members_); }

private:
  std::vector<Handle> members_;
  std::atomic<size_t> next_{0};
};

} // namespace certmint
