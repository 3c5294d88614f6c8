#include <catch2/catch.hpp>

#include <simdjson.h>

#include "bench/targets.hpp"

using namespace certmint;
using namespace certmint::bench;

namespace {

// `n` MiB in the KiB that /proc reports.
uint64_t mib(uint64_t n) {
  return n * 1024;
}

// A run of `ok` successes over 10 s at `connections` whose latencies are
// 1..100 ms, scaled so that the nearest-rank p99 is `p99_ms`.
run_result make_run(std::string name, double per_second, double p99_ms = 10,
                    size_t connections = 64) {
  run_result r;
  r.name = std::move(name);
  r.connections = connections;
  r.seconds = 10;
  r.ok = static_cast<uint64_t>(per_second * 10);
  for (int i = 1; i <= 100; ++i)
    r.latencies_ms.push_back(i * p99_ms / 99);
  return r;
}

std::vector<verdict> outcomes(const std::vector<target_check>& checks) {
  std::vector<verdict> out;
  out.reserve(checks.size());
  for (const auto& c : checks)
    out.push_back(c.outcome);
  return out;
}

const target_check* find(const std::vector<target_check>& checks, std::string_view prefix) {
  for (const auto& c : checks)
    if (c.target.rfind(prefix, 0) == 0)
      return &c;
  return nullptr;
}

} // namespace

TEST_CASE("a make bench run is checked against every target it measured, in the issue's order",
          "[bench][targets]") {
  auto cfssl = make_run("cfssl sign", 4417, 77);
  cfssl.peak_rss_kib = mib(900); // cfssl's memory is not certmint's
  auto sync = make_run("sync-csr", 7906, 17.2);
  sync.peak_rss_kib = mib(121);
  auto managed = make_run("sync-managed", 8949);
  auto submit = make_run("async-submit", 10040);
  submit.pending_before = 0;
  submit.pending_after = 60701;
  submit.peak_rss_kib = mib(186);
  auto overload = make_run("async-submit@640", 7082, 10, 640);
  overload.errors_by_status[429] = 280032;
  overload.peak_rss_kib = mib(184);
  auto poll = make_run("poll", 26560);
  poll.pending_before = 91228;
  poll.pending_after = 32518;
  run_setting setting{key_algorithm::ec_p256, key_algorithm::ec_p256, 64, 24138, 50970, 4417};

  auto checks = check_targets({&cfssl, &sync, &managed, &submit, &overload, &poll}, setting);
  using v = verdict;
  CHECK(outcomes(checks)
        == std::vector<verdict>{v::not_met, v::not_met, v::met, v::not_met, v::not_met, v::not_met,
                                v::not_met, v::met, v::met});
  CHECK(checks[0].measured == "7906 /s");
  CHECK(checks[1].measured == "0.33 of 24138 /s");
  CHECK(checks[2].measured == "17.2 ms");
  CHECK(checks[3].measured == "1.79 x (cfssl 4417 /s)");
  CHECK(checks[4].measured == "10040 /s (pending 0 -> 60701)");
  CHECK(checks[5].measured == "26560 /s (pending 91228 -> 32518)");
  CHECK(checks[6].measured == "0.18 of 50970 /s (key generation + signature)");
  CHECK(checks[7].measured == "peak 186 MiB at 64 connections");
  CHECK(checks[8].target == "10x overload (async-submit@640): excess shed with 429, RSS <= 300 MB");
  CHECK(checks[8].measured == "280032 x 429, 0 other errors, RSS peak 184 MiB");

  auto table = targets_table(checks);
  CHECK(std::count(table.begin(), table.end(), '\n') == 9);
  CHECK(table.find("  not met  EC P-256 sync-csr, 64 connections: >= 10,000 /s") == 0);
  // What was measured starts in one column, past the longest target.
  auto last_line = table.substr(table.rfind('\n', table.size() - 2) + 1);
  CHECK(table.find("7906 /s") == last_line.find("280032 x 429"));
  CHECK(table.find("7906 /s") > checks[6].target.size());
}

TEST_CASE("targets are met at their bounds", "[bench][targets]") {
  auto sync = make_run("sync-csr", 10000, 20);
  // 0.7 x 14,285 is 9,999.5; 3 x 3,333.33 is 9,999.99.
  run_setting setting{key_algorithm::ec_p256, key_algorithm::ec_p256, 64, 14285, 0, 3333.33};
  auto checks = check_targets({&sync}, setting);
  using v = verdict;
  CHECK(outcomes(checks) == std::vector<verdict>{v::met, v::met, v::met, v::met});

  auto slower = make_run("sync-csr", 9999, 20.5);
  CHECK(outcomes(check_targets({&slower}, setting))
        == std::vector<verdict>{v::not_met, v::not_met, v::not_met, v::not_met});
}

TEST_CASE("a target measured outside its condition is not applicable", "[bench][targets]") {
  run_setting setting{key_algorithm::ec_p256, key_algorithm::ec_p256, 64, 20000, 0, 0};
  SECTION("polls with no backlog draining") {
    auto poll = make_run("poll", 51074);
    poll.pending_before = 0;
    poll.pending_after = 0;
    auto checks = check_targets({&poll}, setting);
    REQUIRE(checks.size() == 1);
    CHECK(checks[0].outcome == verdict::not_applicable);
    CHECK(checks[0].measured == "51074 /s, with no backlog draining");
  }
  SECTION("an overload that never reached the backlog's bound") {
    auto overload = make_run("async-submit@640", 9000, 10, 640);
    auto checks = check_targets({&overload}, setting);
    REQUIRE(checks.size() == 1);
    CHECK(checks[0].outcome == verdict::not_applicable);
  }
  SECTION("the EC sync targets at another connection count") {
    setting.connections = 32;
    auto sync = make_run("sync-csr", 12000, 10, 32);
    auto checks = check_targets({&sync}, setting);
    REQUIRE(checks.size() == 1);
    CHECK(checks[0].outcome == verdict::not_applicable);
    CHECK(checks[0].measured == "ran at 32 connections");
    sync.peak_rss_kib = mib(100);
    checks = check_targets({&sync}, setting);
    REQUIRE(checks.size() == 2);
    CHECK(checks[1].target == "server RSS <= 300 MB at 64 connections");
    CHECK(checks[1].outcome == verdict::not_applicable);
    CHECK(checks[1].measured == "peak 100 MiB at 32 connections");
  }
  SECTION("runs held to a fixed rate") {
    setting.rate = 5000;
    auto sync = make_run("sync-csr", 5000);
    auto submit = make_run("async-submit", 5000);
    auto checks = check_targets({&sync, &submit}, setting);
    REQUIRE(checks.size() == 1);
    CHECK(checks[0].outcome == verdict::not_applicable);
    CHECK(checks[0].measured == "held to 5000 operations/s");
  }
  SECTION("fewer than ten times the connections is no overload") {
    auto busy = make_run("async-submit@320", 9000, 10, 320);
    busy.errors_by_status[429] = 10;
    CHECK(check_targets({&busy}, setting).empty());
  }
}

TEST_CASE("an overload fails on other errors or memory past the bound", "[bench][targets]") {
  run_setting setting{key_algorithm::ec_p256, key_algorithm::ec_p256, 64, 20000, 0, 0};
  auto overload = make_run("async-submit@640", 7000, 10, 640);
  overload.errors_by_status[429] = 1000;
  overload.peak_rss_kib = mib(200);
  CHECK(check_targets({&overload}, setting)[0].outcome == verdict::met);
  overload.errors_by_status[0] = 1; // a connection the server dropped
  CHECK(check_targets({&overload}, setting)[0].outcome == verdict::not_met);
  overload.errors_by_status.erase(0);
  overload.peak_rss_kib = mib(300); // 314.6 MB
  CHECK(check_targets({&overload}, setting)[0].outcome == verdict::not_met);
}

TEST_CASE("an RSA-2048 CA is held to 0.8 of its ceiling, not to the EC figures",
          "[bench][targets]") {
  run_setting setting{key_algorithm::ec_p256, key_algorithm::rsa_2048, 64, 6443, 0, 0};
  auto sync = make_run("sync-csr", 4025, 28.2);
  auto checks = check_targets({&sync}, setting);
  REQUIRE(checks.size() == 1);
  CHECK(checks[0].target == "RSA-2048 CA: >= 0.8 x its ceiling");
  CHECK(checks[0].measured == "0.62 of 6443 /s");
  CHECK(checks[0].outcome == verdict::not_met);
  auto managed = make_run("sync-managed", 11.22);
  setting.key_alg = key_algorithm::rsa_2048;
  setting.managed_ceiling = 11.9;
  auto managed_checks = check_targets({&managed}, setting);
  REQUIRE(managed_checks.size() == 1);
  CHECK(managed_checks[0].outcome == verdict::met);
  CHECK(managed_checks[0].measured == "0.94 of 11.90 /s (key generation + signature)");
  CHECK(find(managed_checks, "managed RSA_2048 keys") != nullptr);

  // A burst from the key pool (make bench-rsa, step 3) is not a sustained rate.
  setting.max_requests = 256;
  managed_checks = check_targets({&managed}, setting);
  REQUIRE(managed_checks.size() == 1);
  CHECK(managed_checks[0].outcome == verdict::not_applicable);
  CHECK(managed_checks[0].measured == "11.20 /s in a burst of 256 requests, not a sustained run");
}

TEST_CASE("the targets are written as a JSON array", "[bench][targets]") {
  auto poll = make_run("poll", 26560);
  poll.pending_before = 5;
  poll.pending_after = 0;
  run_setting setting;
  auto json = targets_json(check_targets({&poll}, setting));
  simdjson::dom::parser parser;
  simdjson::dom::array array;
  REQUIRE(!parser.parse(json).get(array));
  REQUIRE(array.size() == 1);
  std::string_view verdict_text;
  REQUIRE(!array.at(0)["verdict"].get(verdict_text));
  CHECK(verdict_text == "not met");
  std::string_view measured;
  REQUIRE(!array.at(0)["measured"].get(measured));
  CHECK(measured == "26560 /s (pending 5 -> 0)");
  CHECK(targets_json({}) == "[]");
}
