#include "bench/targets.hpp"

#include <algorithm>
#include <cstdio>

#include "gateway/json_writer.hpp"

namespace certmint::bench {

namespace {

// The issue's figures.
constexpr double sync_rate = 10000;
constexpr double sync_ceiling_ratio = 0.7;
constexpr double sync_p99_ms = 20;
constexpr double cfssl_multiple = 3;
constexpr double async_submit_rate = 25000;
constexpr double poll_rate = 30000;
constexpr double rsa_ca_ceiling_ratio = 0.8;
constexpr double managed_ceiling_ratio = 0.9;
constexpr double rss_bound_bytes = 300e6;
constexpr size_t issue_connections = 64;
constexpr size_t overload_factor = 10;

template <typename... Args> std::string format(const char* pattern, Args... args) {
  char buf[512];
  std::snprintf(buf, sizeof(buf), pattern, args...);
  return buf;
}

std::string rate(double per_second) {
  return rate_text(per_second) + " /s";
}

std::string mib(uint64_t kib) {
  return std::to_string(kib / 1024) + " MiB";
}

std::string pending_text(const run_result& r) {
  if (r.pending_before < 0)
    return {};
  return " (pending " + std::to_string(r.pending_before) + " -> " + std::to_string(r.pending_after)
         + ")";
}

verdict at_least(double measured, double bound) {
  return measured >= bound ? verdict::met : verdict::not_met;
}

// "0.62 of 6443 /s": a throughput as a share of a ceiling.
std::string share_of(double throughput, double ceiling) {
  return format("%.2f of %s", throughput / ceiling, rate(ceiling).c_str());
}

bool within_rss_bound(uint64_t kib) {
  return static_cast<double>(kib) * 1024 <= rss_bound_bytes;
}

const run_result* find_run(const std::vector<const run_result*>& runs, std::string_view name) {
  auto it = std::find_if(runs.begin(), runs.end(), [name](auto* r) { return r->name == name; });
  return it == runs.end() ? nullptr : *it;
}

void check_sync(const run_result& sync, const run_setting& s, std::vector<target_check>& out) {
  const auto ec = key_algorithm::ec_p256;
  if (s.ca_alg == key_algorithm::rsa_2048)
    out.push_back({"RSA-2048 CA: >= 0.8 x its ceiling",
                   share_of(sync.throughput(), s.crypto_ceiling),
                   at_least(sync.throughput(), rsa_ca_ceiling_ratio * s.crypto_ceiling)});
  if (s.ca_alg != ec || s.key_alg != ec)
    return;
  if (s.connections != issue_connections) {
    out.push_back({"EC P-256 sync-csr targets (64 connections)",
                   "ran at " + std::to_string(s.connections) + " connections",
                   verdict::not_applicable});
    return;
  }
  out.push_back({"EC P-256 sync-csr, 64 connections: >= 10,000 /s", rate(sync.throughput()),
                 at_least(sync.throughput(), sync_rate)});
  out.push_back({"sync-csr: >= 0.7 x the crypto ceiling",
                 share_of(sync.throughput(), s.crypto_ceiling),
                 at_least(sync.throughput(), sync_ceiling_ratio * s.crypto_ceiling)});
  auto p99 = percentile(sync.latencies_ms, 99);
  out.push_back({"sync-csr: p99 <= 20 ms", format("%.1f ms", p99),
                 p99 <= sync_p99_ms ? verdict::met : verdict::not_met});
  if (s.cfssl_throughput > 0)
    out.push_back({"sync-csr: >= 3 x cfssl",
                   format("%.2f x (cfssl %s)", sync.throughput() / s.cfssl_throughput,
                          rate(s.cfssl_throughput).c_str()),
                   at_least(sync.throughput(), cfssl_multiple * s.cfssl_throughput)});
}

void check_overload(const run_result& r, std::vector<target_check>& out) {
  auto shed = r.errors_by_status.count(429) != 0 ? r.errors_by_status.at(429) : 0;
  auto other = r.errors() - shed;
  auto measured = std::to_string(shed) + " x 429, " + std::to_string(other) + " other errors";
  if (r.peak_rss_kib > 0)
    measured += ", RSS peak " + mib(r.peak_rss_kib);
  auto outcome = verdict::met;
  if (other != 0 || !within_rss_bound(r.peak_rss_kib))
    outcome = verdict::not_met;
  else if (shed == 0) {
    measured += ": the backlog never reached its bound";
    outcome = verdict::not_applicable;
  }
  out.push_back(
      {"10x overload (" + r.name + "): excess shed with 429, RSS <= 300 MB", measured, outcome});
}

} // namespace

std::string_view to_string(verdict v) {
  switch (v) {
    case verdict::met:
      return "met";
    case verdict::not_met:
      return "not met";
    case verdict::not_applicable:
      return "n/a";
  }
  return "n/a";
}

std::vector<target_check> check_targets(const std::vector<const run_result*>& runs,
                                        const run_setting& setting) {
  std::vector<target_check> out;
  if (setting.rate > 0) {
    out.push_back({"the bench issue's targets (runs as fast as answered)",
                   "held to " + std::to_string(setting.rate) + " operations/s",
                   verdict::not_applicable});
    return out;
  }
  if (const auto* sync = find_run(runs, "sync-csr"); sync && setting.crypto_ceiling > 0)
    check_sync(*sync, setting, out);
  if (const auto* submit = find_run(runs, "async-submit"))
    out.push_back({"async submit: >= 25,000 accepted/s while the backlog drains",
                   rate(submit->throughput()) + pending_text(*submit),
                   at_least(submit->throughput(), async_submit_rate)});
  if (const auto* poll = find_run(runs, "poll")) {
    bool draining = poll->pending_before > 0;
    out.push_back(
        {"poll by id: >= 30,000 /s while the backlog drains",
         rate(poll->throughput()) + (draining ? pending_text(*poll) : ", with no backlog draining"),
         draining ? at_least(poll->throughput(), poll_rate) : verdict::not_applicable});
  }
  if (const auto* managed = find_run(runs, "sync-managed");
      managed && setting.managed_ceiling > 0) {
    target_check check{
        "managed " + std::string{to_string(setting.key_alg)}
            + " keys, sustained: >= 0.9 x the key generation ceiling",
        share_of(managed->throughput(), setting.managed_ceiling) + " (key generation + signature)",
        at_least(managed->throughput(), managed_ceiling_ratio * setting.managed_ceiling)};
    if (setting.max_requests > 0) {
      check.measured = rate(managed->throughput()) + " in a burst of "
                       + std::to_string(setting.max_requests) + " requests, not a sustained run";
      check.outcome = verdict::not_applicable;
    }
    out.push_back(std::move(check));
  }
  // The server's memory over the runs at the suite's connections (cfssl's
  // is sampled too, but is not certmint's).
  uint64_t peak_kib = 0;
  for (const auto* r : runs)
    if (r->name != "cfssl sign" && r->connections == setting.connections)
      peak_kib = std::max(peak_kib, r->peak_rss_kib);
  if (peak_kib > 0) {
    target_check check{"server RSS <= 300 MB at 64 connections",
                       "peak " + mib(peak_kib) + " at " + std::to_string(setting.connections)
                           + " connections",
                       within_rss_bound(peak_kib) ? verdict::met : verdict::not_met};
    if (setting.connections != issue_connections)
      check.outcome = verdict::not_applicable;
    out.push_back(std::move(check));
  }
  // Asynchronous submissions at ten times the suite's connections
  // ("async-submit@640").
  for (const auto* r : runs)
    if (r->name.rfind("async-submit", 0) == 0
        && r->connections >= overload_factor * setting.connections)
      check_overload(*r, out);
  return out;
}

std::string targets_table(const std::vector<target_check>& checks) {
  size_t width = 0;
  for (const auto& c : checks)
    width = std::max(width, c.target.size());
  std::string out;
  for (const auto& c : checks)
    out += format("  %-8s %-*s  %s\n", std::string{to_string(c.outcome)}.c_str(),
                  static_cast<int>(width), c.target.c_str(), c.measured.c_str());
  return out;
}

std::string targets_json(const std::vector<target_check>& checks) {
  json_writer w;
  w.begin_array();
  for (const auto& c : checks) {
    w.begin_object();
    w.key("target").value(c.target);
    w.key("measured").value(c.measured);
    w.key("verdict").value(to_string(c.outcome));
    w.end_object();
  }
  w.end_array();
  return w.take();
}

} // namespace certmint::bench
