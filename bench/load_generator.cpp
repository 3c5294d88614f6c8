#include "bench/load_generator.hpp"

#include <atomic>
#include <cstdio>
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
        auto call = work.next(c, i);
        auto t0 = clock::now();
        auto res = call.post ? cli.Post(call.path.c_str(), call.body, "application/json")
                             : cli.Get(call.path.c_str());
        auto ms = std::chrono::duration<double, std::milli>(clock::now() - t0).count();
        completed.fetch_add(1, std::memory_order_relaxed);
        if (!res) {
          ++result.errors_by_status[0];
          continue;
        }
        if (res->status != 200) {
          ++result.errors_by_status[res->status];
          continue;
        }
        ++result.ok;
        result.latencies_ms.push_back(ms);
        if (work.certificate && work.verify_every > 0 && i % work.verify_every == 0) {
          auto [leaf, chain] = work.certificate(res->body);
          if (!leaf.empty()) {
            if (verify_certificate_chain(leaf, chain))
              ++result.verified;
            else
              ++result.verify_failures;
          }
        }
      }
    });
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
  run_result total;
  total.name = work.name;
  total.seconds = seconds;
  for (auto& r : per_connection)
    total.merge(std::move(r));
  return total;
}

} // namespace certmint::bench
