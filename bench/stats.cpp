#include "bench/stats.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "gateway/json_writer.hpp"

namespace certmint::bench {

double percentile(std::vector<double> samples, double p) {
  if (samples.empty())
    return 0;
  std::sort(samples.begin(), samples.end());
  auto rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(samples.size())));
  rank = std::clamp<size_t>(rank, 1, samples.size());
  return samples[rank - 1];
}

uint64_t run_result::errors() const {
  uint64_t total = 0;
  for (const auto& [status, count] : errors_by_status)
    total += count;
  return total;
}

void run_result::merge(run_result other) {
  ok += other.ok;
  for (const auto& [status, count] : other.errors_by_status)
    errors_by_status[status] += count;
  latencies_ms.insert(latencies_ms.end(), other.latencies_ms.begin(), other.latencies_ms.end());
  verified += other.verified;
  verify_failures += other.verify_failures;
}

double run_result::server_alone_ratio(double ceiling, unsigned cores) const {
  auto us = server_cpu_us_per_request();
  if (us <= 0 || ceiling <= 0 || cores == 0)
    return -1;
  return static_cast<double>(cores) * 1e6 / us / ceiling;
}

std::string rate_text(double per_second) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), per_second < 100 ? "%.2f" : "%.0f", per_second);
  return buf;
}

std::string summary_line(const run_result& r, double ceiling) {
  char buf[512];
  auto ratio = ceiling > 0 ? r.throughput() / ceiling : 0;
  std::snprintf(buf, sizeof(buf),
                "%-28s %9s req/s  ratio %5.2f  p50 %7.2f  p90 %7.2f  p99 %7.2f  max %8.2f ms  "
                "ok %llu  errors %llu",
                r.name.c_str(), rate_text(r.throughput()).c_str(), ratio,
                percentile(r.latencies_ms, 50), percentile(r.latencies_ms, 90),
                percentile(r.latencies_ms, 99), percentile(r.latencies_ms, 100),
                static_cast<unsigned long long>(r.ok), static_cast<unsigned long long>(r.errors()));
  std::string out = buf;
  if (r.peak_rss_kib > 0)
    out += "  rss peak " + std::to_string(r.peak_rss_kib / 1024) + " MiB";
  if (auto server = r.server_cpu_us_per_request(); server >= 0) {
    std::snprintf(buf, sizeof(buf), "  cpu/req server %.0f us, generator %.0f us", server,
                  r.generator_cpu_us_per_request());
    out += buf;
  }
  if (r.pending_before >= 0)
    out += "  pending " + std::to_string(r.pending_before) + "->" + std::to_string(r.pending_after);
  if (r.offered_rate > 0)
    out += "  offered " + std::to_string(r.offered_rate) + "/s";
  for (const auto& [status, count] : r.errors_by_status)
    out += "  [" + std::to_string(status) + "]x" + std::to_string(count);
  return out;
}

std::string to_json(const run_result& r, double ceiling, unsigned cores) {
  json_writer w;
  w.begin_object();
  w.key("name").value(r.name);
  w.key("seconds").value(r.seconds);
  w.key("ok").value(static_cast<int64_t>(r.ok));
  w.key("throughput_per_s").value(r.throughput());
  w.key("ratio_to_ceiling").value(ceiling > 0 ? r.throughput() / ceiling : 0.0);
  w.key("latency_ms").begin_object();
  w.key("p50").value(percentile(r.latencies_ms, 50));
  w.key("p90").value(percentile(r.latencies_ms, 90));
  w.key("p99").value(percentile(r.latencies_ms, 99));
  w.key("max").value(percentile(r.latencies_ms, 100));
  w.end_object();
  w.key("errors_by_status").begin_object();
  for (const auto& [status, count] : r.errors_by_status)
    w.key(std::to_string(status)).value(static_cast<int64_t>(count));
  w.end_object();
  w.key("verified").value(static_cast<int64_t>(r.verified));
  w.key("verify_failures").value(static_cast<int64_t>(r.verify_failures));
  if (r.peak_rss_kib > 0) {
    w.key("server_rss_peak_kib").value(static_cast<int64_t>(r.peak_rss_kib));
    w.key("server_rss_end_kib").value(static_cast<int64_t>(r.end_rss_kib));
  }
  if (auto server = r.server_cpu_us_per_request(); server >= 0) {
    w.key("server_cpu_us_per_request").value(server);
    w.key("generator_cpu_us_per_request").value(r.generator_cpu_us_per_request());
    if (auto alone = r.server_alone_ratio(ceiling, cores); alone >= 0)
      w.key("server_alone_ratio").value(alone);
  }
  if (r.pending_before >= 0) {
    w.key("pending_before").value(r.pending_before);
    w.key("pending_after").value(r.pending_after);
  }
  if (r.offered_rate > 0)
    w.key("offered_rate_per_s").value(static_cast<int64_t>(r.offered_rate));
  w.end_object();
  return w.take();
}

} // namespace certmint::bench
