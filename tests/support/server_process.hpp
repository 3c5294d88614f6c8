#pragma once

// Runs the real `certmint serve` binary on 127.0.0.1 with a port of its own
// choosing, for integration tests.

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>

namespace certmint::test {

inline constexpr const char* test_admin_token = "test-admin-token-0123456789";

class server_process {
public:
  /// Starts the server on `data_dir`; `admin_token` empty lets it generate
  /// one (read it from `output()`). With `data_dir_tmpfs_bytes`, the data
  /// directory is a tmpfs of that size that the server alone sees
  /// (small_tmpfs.hpp), and gone when it exits.
  explicit server_process(std::string data_dir, std::vector<std::string> extra_args = {},
                          const std::string& admin_token = test_admin_token,
                          size_t data_dir_tmpfs_bytes = 0);
  ~server_process();

  server_process(const server_process&) = delete;
  server_process& operator=(const server_process&) = delete;

  int port() const { return port_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  /// A client with the bearer token set (or none when `token` is empty).
  std::unique_ptr<httplib::Client> client(const std::string& token = test_admin_token) const;

  /// Everything the server printed on stdout and stderr so far.
  std::string output() const;

  /// Whether the output shows `text` within `timeout`. A thread of its own
  /// reads the output, so a line printed before an answer may be read after
  /// the client has the answer.
  bool output_shows(const std::string& text,
                    std::chrono::milliseconds timeout = std::chrono::seconds{10}) const;

  /// SIGTERM and wait; returns the exit status (or -signal).
  int stop();

  /// SIGKILL and wait (a crash).
  void kill_hard();

  bool running() const { return pid_ > 0; }

  /// The server's resident set size in KiB (from /proc), 0 if unknown.
  long rss_kib() const;

private:
  int wait_exit();

  int pid_ = -1;
  int port_ = 0;
  int out_fd_ = -1;
  std::thread reader_;
  mutable std::mutex mutex_;
  std::string output_;
};

} // namespace certmint::test
