#include <catch2/catch.hpp>

#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <httplib.h>

#include "bench/arguments.hpp"
#include "bench/crypto_ceiling.hpp"
#include "bench/load_generator.hpp"
#include "bench/stats.hpp"
#include "engine/pem.hpp"
#include "gateway/json_writer.hpp"
#include "tests/support/test_pki.hpp"

using namespace certmint;
using namespace certmint::bench;

TEST_CASE("percentiles are nearest-rank on known data", "[bench][stats]") {
  std::vector<double> data;
  for (int i = 100; i >= 1; --i)
    data.push_back(i);
  CHECK(percentile(data, 50) == 50);
  CHECK(percentile(data, 90) == 90);
  CHECK(percentile(data, 99) == 99);
  CHECK(percentile(data, 100) == 100);
  CHECK(percentile(data, 0) == 1);
  CHECK(percentile({7}, 99) == 7);
  CHECK(percentile({}, 50) == 0);
  CHECK(percentile({1, 2, 3, 4}, 50) == 2);
  CHECK(percentile({1, 2, 3, 4}, 75) == 3);
}

namespace {

// A local server: every third request fails with 503; GET /cert returns a
// certificate that verifies, GET /forged one whose chain does not match;
// GET /fast answers at once and GET /slow after 50 ms.
struct fake_server {
  httplib::Server server;
  std::thread thread;
  int port = 0;
  std::atomic<int> count{0};

  fake_server(const std::string& good_body, const std::string& bad_body) {
    server.Post("/issue", [this](const httplib::Request&, httplib::Response& res) {
      res.status = ++count % 3 == 0 ? 503 : 200;
      res.set_content("{}", "application/json");
    });
    server.Get("/cert", [good_body](const httplib::Request&, httplib::Response& res) {
      res.set_content(good_body, "application/json");
    });
    server.Get("/forged", [bad_body](const httplib::Request&, httplib::Response& res) {
      res.set_content(bad_body, "application/json");
    });
    server.Get("/fast", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("ok", "text/plain");
    });
    server.Get("/slow", [](const httplib::Request&, httplib::Response& res) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      res.set_content("ok", "text/plain");
    });
    port = server.bind_to_any_port("127.0.0.1");
    thread = std::thread{[this] { server.listen_after_bind(); }};
    while (!server.is_running())
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~fake_server() {
    server.stop();
    thread.join();
  }
};

} // namespace

TEST_CASE("the harness counts successes and errors by status", "[bench][load]") {
  fake_server fake{"", ""};
  workload work;
  work.name = "errors";
  work.next = [](size_t, uint64_t) { return http_call{true, "/issue", "{}", {}}; };
  load_options options;
  options.connections = 3;
  options.max_requests = 30;
  options.duration = std::chrono::seconds(30);
  auto result = run_load(target{"127.0.0.1", fake.port, ""}, work, options);
  CHECK(result.ok + result.errors() == 30);
  CHECK(result.connections == 3);
  CHECK(result.errors_by_status[503] == 10);
  CHECK(result.ok == 20);
  CHECK(result.latencies_ms.size() == 20);
  CHECK(result.throughput() > 0);
}

TEST_CASE("the harness verifies a sample of certificates with OpenSSL", "[bench][verify]") {
  // A real leaf and chain from a self-made CA, and a forged pairing.
  auto root_key = test::make_ec_key("P-256");
  auto self_signed = [](EVP_PKEY* key, const char* cn) {
    x509_ptr cert{X509_new()};
    X509_set_version(cert.get(), X509_VERSION_3);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
    X509_NAME_add_entry_by_txt(X509_get_subject_name(cert.get()), "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(cn), -1, -1, 0);
    X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get()));
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
    X509_set_pubkey(cert.get(), key);
    X509_sign(cert.get(), key, EVP_sha256());
    return certificate_to_pem(cert.get());
  };
  auto good = self_signed(root_key.get(), "good");
  auto other_key = test::make_ec_key("P-256");
  auto other = self_signed(other_key.get(), "good");
  auto body = [](const std::string& leaf, const std::string& chain) {
    std::string out = "{\"certificate\":{\"certificate\":";
    append_json_string(out, leaf);
    out += ",\"certificateChain\":";
    append_json_string(out, chain);
    return out + "}}";
  };
  fake_server fake{body(good, good), body(good, other)};
  for (auto [path, should_verify] : {std::pair{"/cert", true}, std::pair{"/forged", false}}) {
    CAPTURE(path);
    workload work;
    work.name = path;
    work.next = [path = std::string{path}](size_t, uint64_t) {
      return http_call{false, path, {}, {}};
    };
    work.certificate = issued_certificate;
    work.verify_every = 1;
    load_options options;
    options.connections = 1;
    options.max_requests = 5;
    auto result = run_load(target{"127.0.0.1", fake.port, ""}, work, options);
    CHECK(result.ok == 5);
    CHECK(result.verified == (should_verify ? 5u : 0u));
    CHECK(result.verify_failures == (should_verify ? 0u : 5u));
  }
}

TEST_CASE("operations of several calls count once; the accepted status is the workload's",
          "[bench][load]") {
  fake_server fake{"{}", "{}"};
  int calls = 0;
  std::vector<int> calls_in_operation(2, 0);
  workload work;
  work.name = "flow";
  work.next = [&](size_t c, uint64_t) {
    ++calls;
    calls_in_operation[c] = 1;
    return http_call{false, "/cert", {}, {}};
  };
  // A second call after a pause, then done with the last answer.
  work.after = [&](size_t c, uint64_t, const call_outcome&) {
    if (calls_in_operation[c]++ == 1) {
      ++calls;
      return next_step::then(http_call{false, "/cert", {}, {}}, std::chrono::milliseconds(2));
    }
    return next_step::finish();
  };
  load_options options;
  options.connections = 2;
  options.max_requests = 10;
  options.server_pid = static_cast<int>(getpid());
  auto result = run_load(target{"127.0.0.1", fake.port, ""}, work, options);
  CHECK(result.ok == 10);
  CHECK(calls == 20);
  CHECK(result.end_rss_kib > 0);

  workload async;
  async.name = "expects 202";
  async.ok_status = 202;
  async.next = [](size_t, uint64_t) { return http_call{false, "/cert", {}, {}}; };
  options.server_pid = 0;
  auto refused = run_load(target{"127.0.0.1", fake.port, ""}, async, options);
  CHECK(refused.ok == 0);
  CHECK(refused.errors_by_status[200] == 10);
  CHECK(rss_kib(static_cast<int>(getpid())) > 0);
}

TEST_CASE("the harness reconnects after Connection: close and reads chunked answers",
          "[bench][load]") {
  httplib::Server server;
  server.Get("/close", [](const httplib::Request&, httplib::Response& res) {
    res.set_header("Connection", "close");
    res.set_content("bye", "text/plain");
  });
  server.Get("/chunked", [](const httplib::Request&, httplib::Response& res) {
    res.set_chunked_content_provider("text/plain", [](size_t offset, httplib::DataSink& sink) {
      if (offset < 6)
        sink.write("abc", 3);
      else
        sink.done();
      return true;
    });
  });
  auto port = server.bind_to_any_port("127.0.0.1");
  std::thread thread{[&server] { server.listen_after_bind(); }};
  while (!server.is_running())
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  for (const char* path : {"/close", "/chunked"}) {
    CAPTURE(path);
    std::string body;
    workload work;
    work.name = path;
    work.next = [path](size_t, uint64_t) { return http_call{false, path, {}, {}}; };
    work.after = [&body](size_t, uint64_t, const call_outcome& last) {
      body = last.body;
      return next_step::finish();
    };
    load_options options;
    options.connections = 2;
    options.max_requests = 12;
    auto result = run_load(target{"127.0.0.1", port, ""}, work, options);
    CHECK(result.ok == 12);
    CHECK(body == (std::string{path} == "/close" ? "bye" : "abcabc"));
  }
  server.stop();
  thread.join();
}

TEST_CASE("a refused connection counts as an error and does not spin", "[bench][load]") {
  // A port nobody listens on: bind one without listening, then close it.
  // (httplib's bind_to_any_port also listens, and its stop() closes nothing
  // that was never run: connections would wait for the call timeout.)
  int sock = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(sock >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(sock, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  socklen_t length = sizeof address;
  REQUIRE(::getsockname(sock, reinterpret_cast<sockaddr*>(&address), &length) == 0);
  int port = ntohs(address.sin_port);
  ::close(sock);
  workload work;
  work.name = "refused";
  work.next = [](size_t, uint64_t) { return http_call{false, "/", {}, {}}; };
  load_options options;
  options.connections = 4;
  options.duration = std::chrono::milliseconds(300);
  options.call_timeout = std::chrono::seconds(5);
  auto result = run_load(target{"127.0.0.1", port, ""}, work, options);
  // Refused at once: the run ends with its duration, not with a call timeout.
  CHECK(result.seconds < 2);
  CHECK(result.ok == 0);
  CHECK(result.errors_by_status[0] > 0);
  // One attempt per connection per 10 ms pause at most.
  CHECK(result.errors_by_status[0] <= uint64_t{4} * 40);
}

TEST_CASE("a request count without a duration is the run's only bound", "[bench][load]") {
  fake_server fake{"", ""};
  workload work;
  work.name = "count only";
  work.next = [](size_t, uint64_t) { return http_call{false, "/slow", {}, {}}; };
  load_options options;
  options.connections = 1;
  options.duration = std::chrono::milliseconds{0};
  options.max_requests = 6;
  auto counted = run_load(target{"127.0.0.1", fake.port, ""}, work, options);
  CHECK(counted.ok == 6);
  // With both bounds, the first one reached ends the run.
  options.duration = std::chrono::milliseconds{50};
  options.max_requests = 1000;
  auto timed = run_load(target{"127.0.0.1", fake.port, ""}, work, options);
  CHECK(timed.ok >= 1);
  CHECK(timed.ok < 10);
}

TEST_CASE("at a fixed rate, operations start when due and their latency counts from then",
          "[bench][load]") {
  fake_server fake{"", ""};
  auto run = [&fake](const char* path, size_t connections, uint64_t rate, uint64_t count) {
    workload work;
    work.name = "fixed rate";
    work.next = [path](size_t, uint64_t) { return http_call{false, path, {}, {}}; };
    load_options options;
    options.connections = connections;
    options.duration = std::chrono::seconds{30};
    options.max_requests = count;
    options.rate = rate;
    return run_load(target{"127.0.0.1", fake.port, ""}, work, options);
  };

  // 40 operations at 100 /s: the 40th is due 390 ms in, however fast the
  // server answers and however many connections are free.
  auto paced = run("/fast", 4, 100, 40);
  CHECK(paced.ok == 40);
  CHECK(paced.seconds >= 0.39);
  CHECK(paced.offered_rate == 100);
  CHECK(summary_line(paced, 0).find("offered 100/s") != std::string::npos);
  CHECK(to_json(paced, 0, 1).find("\"offered_rate_per_s\":100") != std::string::npos);

  // One connection and a server that takes 50 ms: operation k is due at
  // 10k ms but starts when operation k-1 is answered, near 50k ms, so its
  // latency is about 50 + 40k ms, not the 50 ms a closed loop would report.
  auto behind = run("/slow", 1, 100, 5);
  REQUIRE(behind.ok == 5);
  CHECK(percentile(behind.latencies_ms, 0) >= 49);
  CHECK(percentile(behind.latencies_ms, 100) >= 200);
}

TEST_CASE("CPU time is read from /proc/PID/stat lines, and malformed ones are refused",
          "[bench][stats]") {
  // Fields 14 and 15 (utime 250, stime 50 ticks) after a name with spaces
  // and parentheses.
  const std::string line = "4242 (cert (mint) x) S 1 4242 4242 0 -1 4194560 9416 0 0 0 250 50 0 0 "
                           "20 0 19 0 123 456789 789 18446744073709551615";
  auto seconds = parse_proc_stat_cpu_seconds(line, 100);
  REQUIRE(seconds);
  CHECK(*seconds == Approx(3.0));
  CHECK(parse_proc_stat_cpu_seconds(line, 1000) == Approx(0.3));
  CHECK_FALSE(parse_proc_stat_cpu_seconds("", 100));
  CHECK_FALSE(parse_proc_stat_cpu_seconds("4242 certmint S 1 2 3", 100)); // no ')'
  CHECK_FALSE(parse_proc_stat_cpu_seconds("4242 (certmint) S 1 4242 4242 0 -1 4194560", 100));
  CHECK_FALSE(parse_proc_stat_cpu_seconds(
      "4242 (certmint) S 1 4242 4242 0 -1 4194560 9416 0 0 0 -250 50 0", 100));
  CHECK_FALSE(parse_proc_stat_cpu_seconds(
      "4242 (certmint) S 1 4242 4242 0 -1 4194560 9416 0 0 0 250 x 0", 100));
  CHECK_FALSE(parse_proc_stat_cpu_seconds(
      "4242 (certmint) S 1 4242 4242 0 -1 4194560 9416 0 0 0 +250 50 0", 100));
  CHECK_FALSE(parse_proc_stat_cpu_seconds(
      "4242 (certmint) S 1 4242 4242 0 -1 4194560 9416 0 0 0 99999999999999999999999 50 0", 100));
  CHECK_FALSE(parse_proc_stat_cpu_seconds(line, 0));

  // This process, before and after some work; a process that does not exist.
  auto before = cpu_seconds(static_cast<int>(::getpid()));
  REQUIRE(before);
  volatile uint64_t sink = 0;
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(60);
  while (std::chrono::steady_clock::now() < until)
    sink = sink + 1;
  auto after = cpu_seconds(static_cast<int>(::getpid()));
  REQUIRE(after);
  CHECK(*after > *before);
  CHECK_FALSE(cpu_seconds(-1));
}

TEST_CASE("rates print whole from 100 up and with two decimals below", "[bench][stats]") {
  CHECK(rate_text(44425.4) == "44425");
  CHECK(rate_text(100.0) == "100");
  CHECK(rate_text(99.996) == "100.00");
  CHECK(rate_text(11.604) == "11.60");
  CHECK(rate_text(0) == "0.00");
}

TEST_CASE("CPU per request and the ratio the server alone would reach", "[bench][stats]") {
  run_result r;
  r.name = "sync-csr";
  r.seconds = 10;
  r.ok = 50000;
  CHECK(r.server_cpu_us_per_request() == -1);
  CHECK(r.server_alone_ratio(20000, 2) == -1);
  CHECK(to_json(r, 20000, 2).find("server_cpu") == std::string::npos);

  r.server_cpu_seconds = 10; // 200 us per request
  r.generator_cpu_seconds = 2.5;
  CHECK(r.server_cpu_us_per_request() == Approx(200));
  CHECK(r.generator_cpu_us_per_request() == Approx(50));
  // Two cores at 200 us each: 10,000 /s alone, half a 20,000 /s ceiling.
  CHECK(r.server_alone_ratio(20000, 2) == Approx(0.5));
  CHECK(r.server_alone_ratio(0, 2) == -1);
  auto json = to_json(r, 20000, 2);
  CHECK(json.find("\"server_cpu_us_per_request\":200") != std::string::npos);
  CHECK(json.find("\"generator_cpu_us_per_request\":50") != std::string::npos);
  CHECK(json.find("\"server_alone_ratio\":0.5") != std::string::npos);
  CHECK(summary_line(r, 20000).find("cpu/req server 200 us, generator 50 us") != std::string::npos);

  r.ok = 0;
  CHECK(r.server_cpu_us_per_request() == -1);
}

TEST_CASE("the crypto ceilings count operations that succeeded", "[bench][ceiling]") {
  // A signing or verification context that failed to set up would fail
  // fast; counted, it would make the ceiling absurdly high. Counted only
  // when it succeeds, such a failure gives 0.
  using namespace std::chrono_literals;
  for (auto ca : {key_algorithm::ec_p256, key_algorithm::rsa_2048}) {
    CAPTURE(to_string(ca));
    CHECK(bench::crypto_ceiling(ca, key_algorithm::ec_p256, 1, 150ms) > 0);
    CHECK(bench::managed_ceiling(ca, key_algorithm::ec_p256, 1, 150ms) > 0);
  }
}

namespace {

bool parses(std::vector<const char*> args, bench::options& opt) {
  args.insert(args.begin(), "certmint-bench");
  return bench::parse_args(static_cast<int>(args.size()), args.data(), opt);
}

bool parses(std::vector<const char*> args) {
  bench::options opt;
  return parses(std::move(args), opt);
}

} // namespace

TEST_CASE("the harness reads its command line, and refuses malformed numbers and modes",
          "[bench][arguments]") {
  bench::options opt;
  REQUIRE(parses({"--token", "t", "--server", "[::1]:8443", "--modes", "sync-csr,async-submit@640",
                  "--connections", "16", "--duration", "7", "--ceiling-seconds", "60", "--cfssl",
                  "127.0.0.1:8888", "--server-pid", "4242", "--key-algorithm", "RSA_2048"},
                 opt));
  CHECK(opt.server.host == "[::1]");
  CHECK(opt.server.port == 8443);
  CHECK(
      opt.modes
      == std::vector<bench::mode_run>{{bench::bench_mode::sync_csr, 0, "sync-csr"},
                                      {bench::bench_mode::async_submit, 640, "async-submit@640"}});
  CHECK(opt.load.connections == 16);
  CHECK(opt.load.duration == std::chrono::seconds{7});
  CHECK(opt.ceiling_duration == std::chrono::seconds{60});
  CHECK(opt.cfssl.host == "127.0.0.1");
  CHECK(opt.cfssl.port == 8888);
  CHECK(opt.load.server_pid == 4242);
  CHECK(opt.key_alg == key_algorithm::rsa_2048);
  CHECK(opt.load.rate == 0);
  REQUIRE(parses({"--token", "t", "--rate", "2500"}, opt));
  CHECK(opt.load.rate == 2500);

  for (const auto& [name, mode] : std::vector<std::pair<std::string, bench::bench_mode>>{
           {"sync-csr", bench::bench_mode::sync_csr},
           {"sync-managed", bench::bench_mode::sync_managed},
           {"poll", bench::bench_mode::poll},
           {"async-submit", bench::bench_mode::async_submit},
           {"async-poll", bench::bench_mode::async_poll},
           {"mixed", bench::bench_mode::mixed}}) {
    auto parsed = bench::parse_mode(name + "@7");
    REQUIRE(parsed);
    CHECK(parsed->mode == mode);
    CHECK(parsed->connections == 7);
    CHECK(parsed->name == name + "@7");
  }

  bench::options defaults;
  REQUIRE(parses({"--token", "t"}, defaults));
  CHECK(defaults.cfssl.host.empty());
  CHECK(defaults.ceiling_duration == std::chrono::seconds{3});

  // Each of these once exited through an uncaught std::invalid_argument, or
  // ran the ceilings for seconds before refusing the mode.
  for (const auto& bad : std::vector<std::vector<const char*>>{
           {"--duration", "abc"},
           {"--duration", "-1"},
           {"--duration", "1.5"},
           {"--connections", "8x"},
           {"--connections", "0"},
           {"--requests", "99999999999999999999999"},
           {"--csrs", ""},
           {"--verify-every", "+3"},
           {"--ceiling-seconds", "0"},
           {"--server-pid", "99999999999"},
           {"--modes", "sync-csr,fast"},
           {"--modes", "poll@"},
           {"--modes", "poll@0"},
           {"--modes", "poll@x"},
           {"--rate", "0"},
           {"--rate", "fast"},
           {"--rate", "-5"},
           {"--modes", "poll@3000000000"},
           {"--modes", "@4"},
           {"--modes", "sync-csr@4@4"},
           {"--server", "localhost"},
           {"--server", ":8080"},
           {"--server", "localhost:0"},
           {"--server", "localhost:65536"},
           {"--server", "localhost:80x"},
           {"--cfssl", "cfssl"},
           {"--key-algorithm", "DSA"},
           {"--unknown", "1"},
           {"--duration"},
       }) {
    std::vector<const char*> args{"--token", "t"};
    args.insert(args.end(), bad.begin(), bad.end());
    INFO(bad.front() << " " << (bad.size() > 1 ? bad[1] : "(nothing)"));
    CHECK_FALSE(parses(args));
  }
  CHECK_FALSE(parses({"--duration", "5"})); // no token
}
