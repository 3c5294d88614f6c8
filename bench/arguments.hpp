#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bench/load_generator.hpp"
#include "engine/algorithms.hpp"

namespace certmint::bench {

/// The workloads certmint-bench drives.
enum class bench_mode { sync_csr, sync_managed, poll, async_submit, async_poll, mixed };

/// One entry of --modes: MODE, or MODE@N to run it with N connections.
struct mode_run {
  bench_mode mode = bench_mode::sync_csr;
  size_t connections = 0; ///< 0: --connections
  std::string name;       ///< as given ("async-submit@640"): the run's name

  bool operator==(const mode_run& other) const {
    return mode == other.mode && connections == other.connections && name == other.name;
  }
};

/// What certmint-bench was asked to do.
struct options {
  target server;
  std::string profile_slug = "default";
  target cfssl{"", 0, ""}; ///< `cfssl serve`; an empty host: no cfssl run
  int cfssl_pid = 0;       ///< sampled like --server-pid during the cfssl run
  load_options load;
  size_t csr_count = 256;
  key_algorithm key_alg = key_algorithm::ec_p256;
  key_algorithm ca_alg = key_algorithm::ec_p256;
  std::vector<mode_run> modes = {{bench_mode::sync_csr, 0, "sync-csr"},
                                 {bench_mode::sync_managed, 0, "sync-managed"},
                                 {bench_mode::poll, 0, "poll"}};
  std::chrono::milliseconds ceiling_duration{3000};
  std::string json_path;
  std::string poll_ids; ///< file of request ids for `poll` (default: issue 256)
  /// One in this many certificates received is verified with OpenSSL: a
  /// verification costs the generator ~0.4 ms of the cores it shares with
  /// the server, so every 50th took 4% of the machine at 8,000/s.
  uint64_t verify_every = 256;
};

extern const char* const usage;

/// "HOST:PORT" (the host may hold colons: the port is after the last), a
/// port from 1 to 65535.
bool parse_host_port(const std::string& text, std::string& host, int& port);

/// One entry of --modes ("poll", "async-submit@640"), or nullopt for an
/// unknown mode or a connection count that is not a whole number from 1 to
/// 2^31 - 1.
std::optional<mode_run> parse_mode(const std::string& spec);

/// Reads the command line into `opt`. False (print the usage) on anything
/// it does not know, a malformed number, an unknown mode, or a run with no
/// bound; nothing is measured before that check.
bool parse_args(int argc, const char* const* argv, options& opt);

} // namespace certmint::bench
