#include "gateway/blocking_pool.hpp"

#include <pthread.h>

#include <string>

namespace certmint {

blocking_pool::blocking_pool(size_t threads) {
  for (size_t i = 0; i < threads; ++i)
    threads_.emplace_back([this, i] {
      auto name = "certmint-block" + std::to_string(i);
      ::pthread_setname_np(::pthread_self(), name.c_str());
      work();
    });
}

blocking_pool::~blocking_pool() {
  stop();
}

void blocking_pool::submit(std::function<void()> task) {
  {
    std::lock_guard<std::mutex> guard{mutex_};
    tasks_.push_back(std::move(task));
  }
  ready_.notify_one();
}

void blocking_pool::stop() {
  {
    std::lock_guard<std::mutex> guard{mutex_};
    stopping_ = true;
  }
  ready_.notify_all();
  for (auto& t : threads_)
    if (t.joinable())
      t.join();
  threads_.clear();
}

void blocking_pool::work() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock<std::mutex> lock{mutex_};
      ready_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
      if (tasks_.empty())
        return;
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    task();
  }
}

} // namespace certmint
