#include "bench/arguments.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <iterator>
#include <sstream>
#include <string_view>
#include <utility>

namespace certmint::bench {

const char* const usage =
    "usage: certmint-bench --token TOKEN [options]\n"
    "  --server HOST:PORT       certmint to drive (127.0.0.1:8080)\n"
    "  --token TOKEN            bearer token\n"
    "  --profile-slug SLUG      profile to issue from (default)\n"
    "  --modes LIST             of sync-csr, sync-managed, poll, async-submit, async-poll,\n"
    "                           mixed (default: sync-csr,sync-managed,poll); MODE@N runs\n"
    "                           that mode with N connections (overload runs)\n"
    "  --server-pid PID         sample the server's RSS and CPU time during each mode\n"
    "  --poll-ids FILE          request ids (one per line) for the poll mode\n"
    "  --connections N          concurrent keep-alive connections (64)\n"
    "  --duration SECONDS       per mode (10)\n"
    "  --requests N             stop after N requests (with --duration too: at\n"
    "                           whichever comes first)\n"
    "  --rate N                 start N operations per second over all connections,\n"
    "                           answered or not (open loop; latency counts from when\n"
    "                           each was due); default: each connection sends its\n"
    "                           next as soon as it is answered\n"
    "  --csrs N                 distinct CSRs made before the run (256)\n"
    "  --verify-every N         verify one in N certificates with OpenSSL (256)\n"
    "  --key-algorithm ALG      leaf key algorithm (EC_prime256v1)\n"
    "  --ca-key-algorithm ALG   CA key algorithm for the crypto ceiling (EC_prime256v1)\n"
    "  --ceiling-seconds S      how long each ceiling is measured (3); an RSA key takes\n"
    "                           ~0.2 s, give or take 0.1 s, so RSA key ceilings want 30\n"
    "                           or more (make bench-rsa uses 30)\n"
    "  --cfssl HOST:PORT        also drive `cfssl serve` with the same CSRs\n"
    "  --cfssl-pid PID          sample cfssl's RSS and CPU time during its run\n"
    "  --json FILE              write the results as JSON\n";

namespace {

// A whole count in decimal digits; anything else (a sign, a fraction, a
// trailing letter, an overflow) is a usage error, not a crash.
bool parse_count(const std::string& text, uint64_t& out) {
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  return !text.empty() && error == std::errc{} && end == text.data() + text.size();
}

} // namespace

std::optional<mode_run> parse_mode(const std::string& spec) {
  static const std::pair<std::string_view, bench_mode> names[] = {
      {"sync-csr", bench_mode::sync_csr},
      {"sync-managed", bench_mode::sync_managed},
      {"poll", bench_mode::poll},
      {"async-submit", bench_mode::async_submit},
      {"async-poll", bench_mode::async_poll},
      {"mixed", bench_mode::mixed}};
  auto at = spec.find('@');
  uint64_t connections = 0;
  if (at != std::string::npos
      && (!parse_count(spec.substr(at + 1), connections) || connections == 0
          || connections > INT32_MAX))
    return std::nullopt;
  std::string_view mode{spec.data(), std::min(at, spec.size())};
  auto it = std::find_if(std::begin(names), std::end(names),
                         [mode](const auto& entry) { return entry.first == mode; });
  if (it == std::end(names))
    return std::nullopt;
  return mode_run{it->second, static_cast<size_t>(connections), spec};
}

bool parse_host_port(const std::string& text, std::string& host, int& port) {
  auto colon = text.rfind(':');
  uint64_t number = 0;
  if (colon == std::string::npos || colon == 0 || !parse_count(text.substr(colon + 1), number)
      || number == 0 || number > 65535)
    return false;
  host = text.substr(0, colon);
  port = static_cast<int>(number);
  return true;
}

bool parse_args(int argc, const char* const* argv, options& opt) {
  static const std::string_view counted[] = {"--connections", "--duration",     "--requests",
                                             "--csrs",        "--verify-every", "--ceiling-seconds",
                                             "--cfssl-pid",   "--server-pid",   "--rate"};
  bool duration_given = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    // The numeric options' value: a count (of at most 2^31 - 1: PIDs are
    // ints, and no run lasts 68 years).
    uint64_t n = 0;
    if (std::find(std::begin(counted), std::end(counted), arg) != std::end(counted)
        && (!parse_count(value(), n) || n > INT32_MAX))
      return false;
    if (arg == "--server") {
      if (!parse_host_port(value(), opt.server.host, opt.server.port))
        return false;
    } else if (arg == "--token") {
      opt.server.token = value();
    } else if (arg == "--profile-slug") {
      opt.profile_slug = value();
    } else if (arg == "--modes") {
      opt.modes.clear();
      std::stringstream list{value()};
      for (std::string spec; std::getline(list, spec, ',');) {
        auto mode = parse_mode(spec);
        if (!mode)
          return false;
        opt.modes.push_back(std::move(*mode));
      }
    } else if (arg == "--connections") {
      opt.load.connections = n;
    } else if (arg == "--duration") {
      opt.load.duration = std::chrono::seconds{n};
      duration_given = true;
    } else if (arg == "--requests") {
      opt.load.max_requests = n;
    } else if (arg == "--rate") {
      if (n == 0)
        return false;
      opt.load.rate = n;
    } else if (arg == "--csrs") {
      opt.csr_count = n;
    } else if (arg == "--verify-every") {
      opt.verify_every = std::max<uint64_t>(1, n);
    } else if (arg == "--key-algorithm" || arg == "--ca-key-algorithm") {
      auto alg = parse_key_algorithm(value());
      if (!alg)
        return false;
      (arg == "--key-algorithm" ? opt.key_alg : opt.ca_alg) = *alg;
    } else if (arg == "--ceiling-seconds") {
      opt.ceiling_duration = std::chrono::seconds{n};
    } else if (arg == "--cfssl") {
      if (!parse_host_port(value(), opt.cfssl.host, opt.cfssl.port))
        return false;
    } else if (arg == "--cfssl-pid") {
      opt.cfssl_pid = static_cast<int>(n);
    } else if (arg == "--poll-ids") {
      opt.poll_ids = value();
    } else if (arg == "--server-pid") {
      opt.load.server_pid = static_cast<int>(n);
    } else if (arg == "--json") {
      opt.json_path = value();
    } else {
      return false;
    }
  }
  // A request count alone is the whole bound; the default duration would
  // cut it short.
  if (opt.load.max_requests > 0 && !duration_given)
    opt.load.duration = std::chrono::milliseconds{0};
  return !opt.server.token.empty() && opt.load.connections > 0 && opt.ceiling_duration.count() > 0
         && (opt.load.duration.count() > 0 || opt.load.max_requests > 0);
}

} // namespace certmint::bench
