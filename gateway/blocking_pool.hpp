#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace certmint {

/// Threads for handlers that wait (for the storage writer's fsync, for a
/// signer): they must not run on an event loop, which serves every
/// connection. Configuration and approval calls are rare, so a few
/// threads are plenty.
class blocking_pool {
public:
  explicit blocking_pool(size_t threads);
  ~blocking_pool();

  blocking_pool(const blocking_pool&) = delete;
  blocking_pool& operator=(const blocking_pool&) = delete;

  /// Queues `task`; it runs on one of the pool's threads.
  void submit(std::function<void()> task);

  /// Runs what is queued, then joins the threads. Idempotent.
  void stop();

private:
  void work();

  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

} // namespace certmint
