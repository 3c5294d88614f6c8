#pragma once

// The performance targets of the bench issue, checked against what one
// certmint-bench run measured, so that `make bench` says which it met on
// the machine it ran on. A target is checked only on the workload and
// setting it names (EC P-256 at 64 connections, an RSA-2048 CA, ...).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bench/stats.hpp"
#include "engine/algorithms.hpp"

namespace certmint::bench {

/// The setting the runs were measured in.
struct run_setting {
  key_algorithm key_alg = key_algorithm::ec_p256;
  key_algorithm ca_alg = key_algorithm::ec_p256;
  size_t connections = 64;     ///< --connections (a mode named "@N" ran at N)
  double crypto_ceiling = 0;   ///< CSR verifications + certificate signatures per second
  double managed_ceiling = 0;  ///< key generations + certificate signatures per second
  double cfssl_throughput = 0; ///< 0: cfssl was not driven
  /// Requests per mode when the runs were bounded by a count (0: by time):
  /// a burst, which a sustained rate is not judged on.
  uint64_t max_requests = 0;
  /// Operations per second the runs were held to (0: as fast as answered):
  /// the targets are for saturating runs, which a fixed rate is not.
  uint64_t rate = 0;
};

enum class verdict { met, not_met, not_applicable };

std::string_view to_string(verdict v);

struct target_check {
  std::string target;   ///< as the issue states it
  std::string measured; ///< what the run measured, with its condition
  verdict outcome = verdict::not_applicable;
};

/// The targets that `runs` (named by mode, "cfssl sign" for cfssl) measured,
/// in the order. A run that measured a target's workload outside its
/// condition (polls with no backlog draining, an overload that never reached
/// the backlog's bound) is reported as not applicable, with the reason.
std::vector<target_check> check_targets(const std::vector<const run_result*>& runs,
                                        const run_setting& setting);

/// One line per check, for a terminal.
std::string targets_table(const std::vector<target_check>& checks);

/// A JSON array of {target, measured, verdict}.
std::string targets_json(const std::vector<target_check>& checks);

} // namespace certmint::bench
