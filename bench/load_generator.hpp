#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bench/stats.hpp"

namespace certmint::bench {

struct target {
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string token; ///< bearer token; empty for none (cfssl)
};

/// One HTTP call of a workload.
struct http_call {
  bool post = true;
  std::string path;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

/// The outcome of one call or operation: its HTTP status (0: no response)
/// and body.
struct call_outcome {
  int status = 0;
  std::string body;
};

/// What follows a response within one operation.
struct next_step {
  enum class kind { done, call };
  kind what = kind::done;
  http_call call;                    ///< with `call`
  std::chrono::milliseconds delay{}; ///< with `call`: wait this long first
  /// With `done`: the operation's outcome; empty status (0) means the last
  /// response's.
  call_outcome outcome;

  static next_step finish() { return {}; }
  static next_step finish_with(int status, std::string body = {}) {
    next_step out;
    out.outcome = {status, std::move(body)};
    return out;
  }
  static next_step then(http_call next, std::chrono::milliseconds wait = {}) {
    next_step out;
    out.what = kind::call;
    out.call = std::move(next);
    out.delay = wait;
    return out;
  }
};

/// A workload: the first call of each operation, and for operations of
/// several calls (submit, then poll until done) what follows a response;
/// an operation is measured as one, with its whole latency. A sample of
/// the certificates it receives is checked with OpenSSL: the harness must
/// not count garbage as throughput.
struct workload {
  std::string name;
  std::function<http_call(size_t connection, uint64_t iteration)> next;
  /// Absent: every operation is the one call `next` makes.
  std::function<next_step(size_t connection, uint64_t iteration, const call_outcome& last)> after;
  /// The status that counts as success (202 for asynchronous submits).
  int ok_status = 200;
  /// Extracts (leaf PEM, chain PEM) from a successful body; empty leaf:
  /// nothing to verify.
  std::function<std::pair<std::string, std::string>(const std::string& body)> certificate;
  uint64_t verify_every = 50;
};

struct load_options {
  size_t connections = 64;
  /// The run ends at whichever bound comes first; zero: no bound. Not
  /// both zero.
  std::chrono::milliseconds duration{10000};
  uint64_t max_requests = 0;
  /// Operations started per second over all connections (0: each
  /// connection starts its next operation as soon as the last ends). At a
  /// fixed rate an operation is due at its time whether or not earlier ones
  /// were answered, and its latency counts from then.
  uint64_t rate = 0;
  bool progress = false; ///< a live line on stderr
  int server_pid = 0;    ///< when set, the server's RSS and CPU time are sampled
  std::chrono::milliseconds call_timeout{60000};
};

/// Resident set size of a process in KiB, from /proc (0 if unknown).
uint64_t rss_kib(int pid);

/// The CPU time (user + system, all threads) in one line of /proc/PID/stat,
/// in seconds; nullopt when the line is not such a line.
std::optional<double> parse_proc_stat_cpu_seconds(std::string_view line, long ticks_per_second);

/// The CPU time a process has used so far, in seconds (nullopt if unknown).
std::optional<double> cpu_seconds(int pid);

/// The string at a JSON pointer of a body ("" when absent).
std::string json_field(const std::string& body, const char* pointer);

/// (certificate, certificateChain) of an issuance response.
std::pair<std::string, std::string> issued_certificate(const std::string& body);

/// Drives `work` against `where` over `options.connections` keep-alive
/// connections from one event-loop thread (non-blocking sockets, epoll), so
/// that the generator's own cost on a shared machine stays small, and
/// measures every operation. Operations in flight when the run ends are
/// finished and counted; at a fixed rate, operations still waiting for a
/// free connection then are not started.
run_result run_load(const target& where, const workload& work, const load_options& options);

} // namespace certmint::bench
