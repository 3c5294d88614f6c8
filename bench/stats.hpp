#pragma once

// Latency and outcome accounting of a load run.

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace certmint::bench {

/// Nearest-rank percentile (p in [0, 100]) of unsorted samples; 0 when empty.
double percentile(std::vector<double> samples, double p);

/// What one load run measured.
struct run_result {
  std::string name;
  size_t connections = 0; ///< keep-alive connections the run drove
  double seconds = 0;
  uint64_t ok = 0;
  std::map<int, uint64_t> errors_by_status; ///< HTTP status (0: no response)
  std::vector<double> latencies_ms;         ///< successful requests only
  uint64_t verified = 0;                    ///< sampled certificates OpenSSL accepted
  uint64_t verify_failures = 0;
  uint64_t peak_rss_kib = 0; ///< the server's, when sampled
  uint64_t end_rss_kib = 0;
  /// CPU time used during the run (user + system, all threads; -1: not
  /// measured). Per request, they show what the server itself costs apart
  /// from the generator it shares the machine with.
  double server_cpu_seconds = -1;
  double generator_cpu_seconds = -1;
  /// Requests `pending` on the server before and after (-1: not asked),
  /// to show whether the backlog was draining during the run.
  int64_t pending_before = -1;
  int64_t pending_after = -1;
  uint64_t offered_rate = 0; ///< operations per second asked for (0: as fast as answered)

  double throughput() const { return seconds > 0 ? static_cast<double>(ok) / seconds : 0; }
  /// CPU microseconds per successful request (-1: not measured).
  double server_cpu_us_per_request() const { return per_request_us(server_cpu_seconds); }
  double generator_cpu_us_per_request() const { return per_request_us(generator_cpu_seconds); }
  /// The ratio to `ceiling` (measured on `cores`) that the server's own CPU
  /// cost allows: its throughput if it had the cores to itself, with no
  /// generator and no idle time, over the ceiling (-1: not measured).
  double server_alone_ratio(double ceiling, unsigned cores) const;
  uint64_t errors() const;
  void merge(run_result other);

private:
  double per_request_us(double cpu_seconds) const {
    return cpu_seconds < 0 || ok == 0 ? -1 : cpu_seconds * 1e6 / static_cast<double>(ok);
  }
};

/// A rate for people: whole numbers from 100 up, two decimals below (an
/// RSA key ceiling of 11.6 /s is not "12").
std::string rate_text(double per_second);

/// One line for a terminal, one JSON object for machines.
std::string summary_line(const run_result& r, double ceiling);
std::string to_json(const run_result& r, double ceiling, unsigned cores);

} // namespace certmint::bench
