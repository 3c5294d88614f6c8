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
  double seconds = 0;
  uint64_t ok = 0;
  std::map<int, uint64_t> errors_by_status; ///< HTTP status (0: no response)
  std::vector<double> latencies_ms;         ///< successful requests only
  uint64_t verified = 0;                    ///< sampled certificates OpenSSL accepted
  uint64_t verify_failures = 0;
  uint64_t peak_rss_kib = 0; ///< the server's, when sampled
  uint64_t end_rss_kib = 0;
  /// Requests `pending` on the server before and after (-1: not asked),
  /// to show whether the backlog was draining during the run.
  int64_t pending_before = -1;
  int64_t pending_after = -1;

  double throughput() const { return seconds > 0 ? static_cast<double>(ok) / seconds : 0; }
  uint64_t errors() const;
  void merge(run_result other);
};

/// One line for a terminal, one JSON object for machines.
std::string summary_line(const run_result& r, double ceiling);
std::string to_json(const run_result& r, double ceiling);

} // namespace certmint::bench
