#include "bench/load_generator.hpp"

#include <atomic>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <thread>

#include <httplib.h>
#include <simdjson.h>

#include "engine/chain_verifier.hpp"

namespace certmint::bench {

std::string json_field(const std::string& body, const char* pointer) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element doc;
  std::string_view out;
  if (parser.parse(body).get(doc) || doc.at_pointer(pointer).get_string().get(out))
    return {};
  return std::string{out};
}

std::pair<std::string, std::string> issued_certificate(const std::string& body) {
  return {json_field(body, "/certificate/certificate"),
          json_field(body, "/certificate/certificateChain")};
}

call_outcome perform(httplib::Client& client, const http_call& call) {
  httplib::Headers headers;
  for (const auto& [name, value] : call.headers)
    headers.emplace(name, value);
  auto res = call.post ? client.Post(call.path.c_str(), headers, call.body, "application/json")
                       : client.Get(call.path.c_str(), headers);
  if (!res)
    return {};
  return {res->status, std::move(res->body)};
}

uint64_t rss_kib(int pid) {
  std::ifstream status{"/proc/" + std::to_string(pid) + "/status"};
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmRSS:", 0) == 0)
      return std::stoull(line.substr(6));
  return 0;
}

run_result run_load(const target& where, const workload& work, const load_options& options) {
  using clock = std::chrono::steady_clock;
  std::atomic<uint64_t> started{0};
  std::atomic<uint64_t> completed{0};
  std::atomic<bool> stop{false};
  std::vector<run_result> per_connection(options.connections);
  auto begin = clock::now();
  auto deadline = begin + options.duration;
  std::vector<std::thread> threads;
  for (size_t c = 0; c < options.connections; ++c)
    threads.emplace_back([&, c] {
      httplib::Client cli{where.host, where.port};
      cli.set_keep_alive(true);
      cli.set_tcp_nodelay(true);
      cli.set_read_timeout(60, 0);
      if (!where.token.empty())
        cli.set_bearer_token_auth(where.token);
      auto& result = per_connection[c];
      for (uint64_t i = 0; !stop.load(std::memory_order_relaxed); ++i) {
        if (options.max_requests > 0 && started.fetch_add(1) >= options.max_requests)
          break;
        if (clock::now() >= deadline)
          break;
        auto t0 = clock::now();
        auto outcome = work.flow ? work.flow(cli, c, i) : perform(cli, work.next(c, i));
        auto ms = std::chrono::duration<double, std::milli>(clock::now() - t0).count();
        completed.fetch_add(1, std::memory_order_relaxed);
        if (outcome.status != work.ok_status) {
          ++result.errors_by_status[outcome.status];
          continue;
        }
        ++result.ok;
        result.latencies_ms.push_back(ms);
        if (work.certificate && work.verify_every > 0 && i % work.verify_every == 0) {
          auto [leaf, chain] = work.certificate(outcome.body);
          if (!leaf.empty()) {
            if (verify_certificate_chain(leaf, chain))
              ++result.verified;
            else
              ++result.verify_failures;
          }
        }
      }
    });
  std::atomic<uint64_t> peak_rss{0};
  std::thread sampler;
  if (options.server_pid > 0)
    sampler = std::thread{[&] {
      while (!stop.load()) {
        auto now = rss_kib(options.server_pid);
        if (now > peak_rss.load())
          peak_rss = now;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    }};
  std::thread reporter;
  if (options.progress)
    reporter = std::thread{[&] {
      while (!stop.load()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        auto elapsed = std::chrono::duration<double>(clock::now() - begin).count();
        std::fprintf(stderr, "\r  %-26s %6.1fs  %10.0f req/s  ", work.name.c_str(), elapsed,
                     elapsed > 0 ? static_cast<double>(completed.load()) / elapsed : 0.0);
        std::fflush(stderr);
      }
      std::fputs("\r", stderr);
    }};
  for (auto& t : threads)
    t.join();
  auto seconds = std::chrono::duration<double>(clock::now() - begin).count();
  stop = true;
  if (reporter.joinable())
    reporter.join();
  if (sampler.joinable())
    sampler.join();
  run_result total;
  total.name = work.name;
  total.seconds = seconds;
  for (auto& r : per_connection)
    total.merge(std::move(r));
  total.peak_rss_kib = peak_rss.load();
  if (options.server_pid > 0)
    total.end_rss_kib = rss_kib(options.server_pid);
  return total;
}

} // namespace certmint::bench
