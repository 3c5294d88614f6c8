// certmint-bench: drives a certmint (or cfssl) server and reports
// throughput as a ratio to the machine's crypto ceiling, measured in the
// same run, before and after the load (the higher of the two counts).

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>
#include <simdjson.h>
#include <unistd.h>

#include "bench/crypto_ceiling.hpp"
#include "bench/load_generator.hpp"
#include "engine/key_generator.hpp"
#include "engine/openssl_types.hpp"
#include "engine/text.hpp"
#include "gateway/json_writer.hpp"

#include <openssl/pem.h>

namespace {

using namespace certmint;
using namespace certmint::bench;

struct options {
  target server;
  std::string profile_slug = "default";
  std::string cfssl; ///< host:port of `cfssl serve`, empty: skip
  int cfssl_pid = 0; ///< sampled like --server-pid during the cfssl run
  load_options load;
  size_t csr_count = 256;
  key_algorithm key_alg = key_algorithm::ec_p256;
  key_algorithm ca_alg = key_algorithm::ec_p256;
  std::vector<std::string> modes = {"sync-csr", "sync-managed", "poll"};
  std::chrono::milliseconds ceiling_duration{3000};
  std::string json_path;
  std::string poll_ids; ///< file of request ids for `poll` (default: issue 256)
  /// One in this many certificates received is verified with OpenSSL: a
  /// verification costs the generator ~0.4 ms of the cores it shares with
  /// the server, so every 50th took 4% of the machine at 8,000/s.
  uint64_t verify_every = 256;
};

const char* usage =
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
    "  --csrs N                 distinct CSRs made before the run (256)\n"
    "  --verify-every N         verify one in N certificates with OpenSSL (256)\n"
    "  --key-algorithm ALG      leaf key algorithm (EC_prime256v1)\n"
    "  --ca-key-algorithm ALG   CA key algorithm for the crypto ceiling (EC_prime256v1)\n"
    "  --cfssl HOST:PORT        also drive `cfssl serve` with the same CSRs\n"
    "  --cfssl-pid PID          sample cfssl's RSS and CPU time during its run\n"
    "  --json FILE              write the results as JSON\n";

bool parse_host_port(const std::string& text, std::string& host, int& port) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos)
    return false;
  host = text.substr(0, colon);
  port = std::atoi(text.c_str() + colon + 1);
  return port > 0;
}

bool parse_args(int argc, char** argv, options& opt) {
  bool duration_given = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
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
      for (std::string mode; std::getline(list, mode, ',');)
        opt.modes.push_back(mode);
    } else if (arg == "--connections") {
      opt.load.connections = std::stoul(value());
    } else if (arg == "--duration") {
      opt.load.duration = std::chrono::milliseconds{std::stoul(value()) * 1000};
      duration_given = true;
    } else if (arg == "--requests") {
      opt.load.max_requests = std::stoull(value());
    } else if (arg == "--csrs") {
      opt.csr_count = std::stoul(value());
    } else if (arg == "--verify-every") {
      opt.verify_every = std::max<uint64_t>(1, std::stoull(value()));
    } else if (arg == "--key-algorithm" || arg == "--ca-key-algorithm") {
      auto alg = parse_key_algorithm(value());
      if (!alg)
        return false;
      (arg == "--key-algorithm" ? opt.key_alg : opt.ca_alg) = *alg;
    } else if (arg == "--cfssl") {
      opt.cfssl = value();
    } else if (arg == "--cfssl-pid") {
      opt.cfssl_pid = std::atoi(value().c_str());
    } else if (arg == "--poll-ids") {
      opt.poll_ids = value();
    } else if (arg == "--server-pid") {
      opt.load.server_pid = std::atoi(value().c_str());
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
  return !opt.server.token.empty() && opt.load.connections > 0
         && (opt.load.duration.count() > 0 || opt.load.max_requests > 0);
}

std::string make_csr_pem(key_algorithm alg, size_t index) {
  auto key = generate_key(alg);
  x509_req_ptr req{X509_REQ_new()};
  auto cn = "bench-" + std::to_string(index) + ".example.com";
  X509_NAME_add_entry_by_txt(X509_REQ_get_subject_name(req.get()), "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_REQ_set_pubkey(req.get(), key->get());
  extensions_ptr exts{sk_X509_EXTENSION_new_null()};
  auto san = "DNS:" + cn;
  sk_X509_EXTENSION_push(exts.get(),
                         X509V3_EXT_conf_nid(nullptr, nullptr, NID_subject_alt_name, san.c_str()));
  X509_REQ_add_extensions(req.get(), exts.get());
  X509_REQ_sign(req.get(), key->get(), EVP_sha256());
  bio_ptr bio{BIO_new(BIO_s_mem())};
  PEM_write_bio_X509_REQ(bio.get(), req.get());
  char* data = nullptr;
  auto len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

std::string json_string(std::string_view text) {
  std::string out;
  append_json_string(out, text);
  return out;
}

const std::string api = "/api/v1/cert-manager";

} // namespace

int main(int argc, char** argv) {
  options opt;
  if (!parse_args(argc, argv, opt)) {
    std::cerr << usage;
    return 2;
  }
  opt.load.progress = isatty(STDERR_FILENO) != 0;
  httplib::Client cli{opt.server.host, opt.server.port};
  cli.set_bearer_token_auth(opt.server.token);
  auto profile_reply = cli.Get((api + "/certificate-profiles/slug/" + opt.profile_slug).c_str());
  if (!profile_reply || profile_reply->status != 200) {
    std::cerr << "certmint-bench: cannot read profile '" << opt.profile_slug << "' from "
              << opt.server.host << ":" << opt.server.port << "\n";
    return 1;
  }
  auto profile_id = json_field(profile_reply->body, "/certificateProfile/id");
  // How many requests wait for the backlog (-1 when the search fails).
  auto pending_count = [&cli]() -> int64_t {
    auto res = cli.Post((api + "/certificates/certificate-requests/search").c_str(),
                        R"({"status":"pending","limit":1})", "application/json");
    if (!res || res->status != 200)
      return -1;
    simdjson::dom::parser parser;
    int64_t total = -1;
    simdjson::dom::element doc;
    if (parser.parse(res->body).get(doc) || doc["totalCount"].get_int64().get(total))
      return -1;
    return total;
  };

  auto cores = std::max(1u, std::thread::hardware_concurrency());
  std::cerr << "preparing " << opt.csr_count << " CSRs (" << to_string(opt.key_alg) << ")\n";
  std::vector<std::string> csrs;
  for (size_t i = 0; i < opt.csr_count; ++i)
    csrs.push_back(make_csr_pem(opt.key_alg, i));
  std::vector<std::string> bodies;
  bodies.reserve(csrs.size());
  for (const auto& csr : csrs)
    bodies.push_back("{\"profileId\":" + json_string(profile_id) + ",\"csr\":" + json_string(csr)
                     + "}");

  std::cerr << "measuring the crypto ceiling on " << cores << " cores\n";
  auto ceiling = crypto_ceiling(opt.ca_alg, opt.key_alg, cores, opt.ceiling_duration);
  auto managed = managed_ceiling(opt.ca_alg, opt.key_alg, cores, opt.ceiling_duration);
  std::printf("crypto ceiling (CSR verify + certificate sign, %u cores): %.0f certificates/s\n",
              cores, ceiling);
  std::printf("managed-key ceiling (%s key generation + certificate sign, %u cores): %.0f "
              "certificates/s\n",
              std::string{to_string(opt.key_alg)}.c_str(), cores, managed);

  // What a run's throughput is a ratio of: the ceilings are measured again
  // after the runs, and the ratios use the higher measurement.
  enum class baseline { crypto, managed, none };
  std::vector<std::pair<run_result, baseline>> results;
  auto against_of = [&ceiling, &managed](baseline b) {
    return b == baseline::crypto ? ceiling : b == baseline::managed ? managed : 0;
  };
  auto pick = [n = bodies.size()](size_t c, uint64_t i) { return (c * 7919 + i) % n; };
  const std::vector<std::pair<std::string, std::string>> prefer_async = {
      {"Prefer", "respond-async"}};
  auto submit = [&](size_t c, uint64_t i) {
    return http_call{true, api + "/certificates", bodies[pick(c, i)], prefer_async};
  };
  auto poll_path = [](const std::string& id) {
    return api + "/certificates/certificate-requests/" + id;
  };
  // cfssl first, on a quiet machine: after certmint's asynchronous modes
  // the backlog would still be draining (and taking the cores) meanwhile.
  double cfssl_throughput = 0;
  if (!opt.cfssl.empty()) {
    target cfssl;
    if (!parse_host_port(opt.cfssl, cfssl.host, cfssl.port)) {
      std::cerr << usage;
      return 2;
    }
    std::vector<std::string> cfssl_bodies;
    cfssl_bodies.reserve(csrs.size());
    for (const auto& csr : csrs)
      cfssl_bodies.push_back("{\"certificate_request\":" + json_string(csr) + "}");
    workload work;
    work.name = "cfssl sign";
    work.next = [&](size_t c, uint64_t i) {
      return http_call{true, "/api/v1/cfssl/sign", cfssl_bodies[pick(c, i)], {}};
    };
    // The samples are of the server driven: cfssl here, not certmint.
    auto load = opt.load;
    load.server_pid = opt.cfssl_pid;
    auto result = run_load(cfssl, work, load);
    cfssl_throughput = result.throughput();
    std::printf("%s\n", summary_line(result, ceiling).c_str());
    results.emplace_back(std::move(result), baseline::crypto);
  }

  // Per connection: the request `async-poll` is polling; the requests
  // `mixed` submitted, to poll.
  std::vector<std::string> polling;
  std::vector<std::vector<std::string>> submitted;
  for (const auto& spec : opt.modes) {
    auto at = spec.find('@');
    auto mode = spec.substr(0, at);
    auto load = opt.load;
    if (at != std::string::npos)
      load.connections = std::stoul(spec.substr(at + 1));
    polling.assign(load.connections, {});
    submitted.assign(load.connections, {});
    workload work;
    work.name = spec;
    work.verify_every = opt.verify_every;
    auto against = baseline::crypto;
    if (mode == "sync-csr") {
      work.next = [&](size_t c, uint64_t i) {
        return http_call{true, api + "/certificates", bodies[pick(c, i)], {}};
      };
      work.certificate = issued_certificate;
    } else if (mode == "sync-managed") {
      auto alg = std::string{to_string(opt.key_alg)};
      work.next = [&, alg](size_t c, uint64_t i) {
        auto cn = "m-" + std::to_string(c) + "-" + std::to_string(i) + ".example.com";
        return http_call{true,
                         api + "/certificates",
                         "{\"profileId\":" + json_string(profile_id)
                             + ",\"attributes\":{\"commonName\":" + json_string(cn)
                             + ",\"altNames\":[{\"type\":\"dns_name\",\"value\":" + json_string(cn)
                             + "}],\"keyAlgorithm\":" + json_string(alg) + "}}",
                         {}};
      };
      work.certificate = issued_certificate;
      against = baseline::managed;
    } else if (mode == "poll") {
      std::vector<std::string> ids;
      if (!opt.poll_ids.empty()) {
        std::ifstream in{opt.poll_ids};
        for (std::string id; std::getline(in, id);)
          if (!id.empty())
            ids.push_back(id);
      }
      auto to_issue = ids.empty() ? std::min<size_t>(bodies.size(), 256) : 0;
      for (size_t i = 0; i < to_issue; ++i) {
        auto res = cli.Post((api + "/certificates").c_str(), bodies[i], "application/json");
        if (res && res->status == 200)
          ids.push_back(json_field(res->body, "/certificateRequestId"));
      }
      if (ids.empty()) {
        std::cerr << "certmint-bench: could not issue the requests to poll\n";
        return 1;
      }
      work.next = [ids, &pick](size_t c, uint64_t i) {
        return http_call{false,
                         api + "/certificates/certificate-requests/" + ids[pick(c, i) % ids.size()],
                         {},
                         {}};
      };
      against = baseline::none;
    } else if (mode == "async-submit") {
      // Accepted (durable, 202) requests per second; the signers drain the
      // backlog meanwhile.
      work.next = submit;
      work.ok_status = 202;
    } else if (mode == "async-poll") {
      // Submit asynchronously, then poll until issued: one operation.
      work.next = submit;
      work.after = [&](size_t c, uint64_t, const call_outcome& last) {
        auto& id = polling[c];
        if (last.status == 202) {
          id = json_field(last.body, "/certificateRequestId");
          return next_step::then(http_call{false, poll_path(id), {}, {}});
        }
        if (last.status != 200)
          return next_step::finish();
        auto status = json_field(last.body, "/status");
        if (status == "pending")
          return next_step::then(http_call{false, poll_path(id), {}, {}},
                                 std::chrono::milliseconds(2));
        return status == "issued" ? next_step::finish() : next_step::finish_with(599);
      };
      work.certificate = [](const std::string& body) {
        return std::pair{json_field(body, "/certificate"), json_field(body, "/certificateChain")};
      };
    } else if (mode == "mixed") {
      // One asynchronous submit, then three polls of this connection's
      // recent requests: ingest while reading.
      auto submits = [&](size_t c, uint64_t i) { return i % 4 == 0 || submitted[c].empty(); };
      work.next = [&, submits](size_t c, uint64_t i) {
        if (submits(c, i))
          return submit(c, i);
        auto& mine = submitted[c];
        return http_call{false, poll_path(mine[(i * 31) % mine.size()]), {}, {}};
      };
      work.after = [&, submits](size_t c, uint64_t i, const call_outcome& last) {
        if (!submits(c, i) || last.status != 202)
          return next_step::finish();
        submitted[c].push_back(json_field(last.body, "/certificateRequestId"));
        return next_step::finish_with(200);
      };
      against = baseline::none;
    } else {
      std::cerr << "certmint-bench: unknown mode '" << mode << "'\n";
      return 2;
    }
    auto before = pending_count();
    auto result = run_load(opt.server, work, load);
    result.pending_before = before;
    result.pending_after = pending_count();
    std::printf("%s\n", summary_line(result, against_of(against)).c_str());
    results.emplace_back(std::move(result), against);
  }

  // The machine is shared: another tenant's load during one measurement
  // lowers it (by 38 %, seen), and nothing raises it, so the baseline is
  // the higher of the measurements before and after the runs. After the
  // asynchronous modes the server is still signing its backlog: the second
  // measurement waits for that (a minute at most).
  auto drained_by = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (auto left = pending_count(); left > 0 && std::chrono::steady_clock::now() < drained_by;
       left = pending_count()) {
    std::cerr << "\rwaiting for the server's backlog: " << left << " pending   " << std::flush;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  std::cerr << "\nmeasuring the ceilings again\n";
  auto ceiling_after = crypto_ceiling(opt.ca_alg, opt.key_alg, cores, opt.ceiling_duration);
  auto managed_after = managed_ceiling(opt.ca_alg, opt.key_alg, cores, opt.ceiling_duration);
  std::printf("crypto ceiling after the runs: %.0f certificates/s; managed-key: %.0f "
              "certificates/s\n",
              ceiling_after, managed_after);
  auto ceiling_before = ceiling;
  auto managed_before = managed;
  ceiling = std::max(ceiling, ceiling_after);
  managed = std::max(managed, managed_after);
  std::printf("ratios to the higher ceilings (%.0f certificates/s; managed-key %.0f "
              "certificates/s):\n",
              ceiling, managed);
  for (const auto& [r, against] : results) {
    if (against == baseline::none)
      continue;
    std::printf("  %-28s %9.0f req/s  ratio %5.2f", r.name.c_str(), r.throughput(),
                r.throughput() / against_of(against));
    // What the server's own CPU cost allows, were the generator elsewhere.
    if (auto alone = r.server_alone_ratio(against_of(against), cores); alone >= 0)
      std::printf("  server alone %5.2f", alone);
    std::printf("\n");
  }

  for (const auto& [r, against] : results)
    if (r.name == "sync-csr" && cfssl_throughput > 0)
      std::printf("certmint / cfssl (sync-csr): %.2f\n", r.throughput() / cfssl_throughput);

  if (!opt.json_path.empty()) {
    json_writer w;
    w.begin_object();
    w.key("cores").value(static_cast<int64_t>(cores));
    w.key("connections").value(static_cast<int64_t>(opt.load.connections));
    w.key("key_algorithm").value(to_string(opt.key_alg));
    w.key("ca_key_algorithm").value(to_string(opt.ca_alg));
    w.key("crypto_ceiling_per_s").value(ceiling);
    w.key("managed_ceiling_per_s").value(managed);
    w.key("crypto_ceiling_before_after_per_s").begin_array();
    w.value(ceiling_before).value(ceiling_after).end_array();
    w.key("managed_ceiling_before_after_per_s").begin_array();
    w.value(managed_before).value(managed_after).end_array();
    w.key("runs").begin_array();
    for (const auto& [r, against] : results)
      w.raw(to_json(r, against_of(against), cores));
    w.end_array();
    w.end_object();
    std::ofstream{opt.json_path} << w.str() << "\n";
  }
  bool failed = false;
  for (const auto& [r, against] : results)
    failed = failed || r.verify_failures > 0;
  return failed ? 1 : 0;
}
