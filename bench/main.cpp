// certmint-bench: drives a certmint (or cfssl) server and reports
// throughput as a ratio to the machine's crypto ceiling, measured in the
// same run, before and after the load (the higher of the two counts).

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>
#include <simdjson.h>
#include <unistd.h>

#include "bench/arguments.hpp"
#include "bench/crypto_ceiling.hpp"
#include "bench/load_generator.hpp"
#include "bench/targets.hpp"
#include "engine/key_generator.hpp"
#include "engine/openssl_types.hpp"
#include "engine/text.hpp"
#include "gateway/json_writer.hpp"

#include <openssl/pem.h>

namespace {

using namespace certmint;
using namespace certmint::bench;

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
  std::printf("crypto ceiling (CSR verify + certificate sign, %u cores): %s certificates/s\n",
              cores, rate_text(ceiling).c_str());
  std::printf("managed-key ceiling (%s key generation + certificate sign, %u cores): %s "
              "certificates/s\n",
              std::string{to_string(opt.key_alg)}.c_str(), cores, rate_text(managed).c_str());

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
  if (!opt.cfssl.host.empty()) {
    const auto& cfssl = opt.cfssl;
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
  for (const auto& run : opt.modes) {
    auto load = opt.load;
    if (run.connections > 0)
      load.connections = run.connections;
    polling.assign(load.connections, {});
    submitted.assign(load.connections, {});
    workload work;
    work.name = run.name;
    work.verify_every = opt.verify_every;
    auto against = baseline::crypto;
    switch (run.mode) {
      case bench_mode::sync_csr:
        work.next = [&](size_t c, uint64_t i) {
          return http_call{true, api + "/certificates", bodies[pick(c, i)], {}};
        };
        work.certificate = issued_certificate;
        break;
      case bench_mode::sync_managed: {
        auto alg = std::string{to_string(opt.key_alg)};
        work.next = [&, alg](size_t c, uint64_t i) {
          auto cn = "m-" + std::to_string(c) + "-" + std::to_string(i) + ".example.com";
          return http_call{true,
                           api + "/certificates",
                           "{\"profileId\":" + json_string(profile_id)
                               + ",\"attributes\":{\"commonName\":" + json_string(cn)
                               + ",\"altNames\":[{\"type\":\"dns_name\",\"value\":"
                               + json_string(cn) + "}],\"keyAlgorithm\":" + json_string(alg) + "}}",
                           {}};
        };
        work.certificate = issued_certificate;
        against = baseline::managed;
        break;
      }
      case bench_mode::poll: {
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
                           api + "/certificates/certificate-requests/"
                               + ids[pick(c, i) % ids.size()],
                           {},
                           {}};
        };
        against = baseline::none;
        break;
      }
      case bench_mode::async_submit:
        // Accepted (durable, 202) requests per second; the signers drain the
        // backlog meanwhile.
        work.next = submit;
        work.ok_status = 202;
        break;
      case bench_mode::async_poll:
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
        break;
      case bench_mode::mixed: {
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
        break;
      }
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
  // measurement waits for that (a minute at most), with a live count on a
  // terminal and, in a log, one line when the wait starts.
  auto drained_by = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  auto left = pending_count();
  if (left > 0 && !opt.load.progress)
    std::cerr << "waiting up to 60 s for the server's backlog: " << left << " pending\n";
  for (; left > 0 && std::chrono::steady_clock::now() < drained_by; left = pending_count()) {
    if (opt.load.progress)
      std::cerr << "\rwaiting for the server's backlog: " << left << " pending   " << std::flush;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  if (opt.load.progress)
    std::cerr << "\n";
  std::cerr << "measuring the ceilings again";
  if (left > 0)
    std::cerr << " (" << left << " still pending: the after-ceiling may be low)";
  std::cerr << "\n";
  auto ceiling_after = crypto_ceiling(opt.ca_alg, opt.key_alg, cores, opt.ceiling_duration);
  auto managed_after = managed_ceiling(opt.ca_alg, opt.key_alg, cores, opt.ceiling_duration);
  std::printf("crypto ceiling after the runs: %s certificates/s; managed-key: %s "
              "certificates/s\n",
              rate_text(ceiling_after).c_str(), rate_text(managed_after).c_str());
  auto ceiling_before = ceiling;
  auto managed_before = managed;
  ceiling = std::max(ceiling, ceiling_after);
  managed = std::max(managed, managed_after);
  std::printf("ratios to the higher ceilings (%s certificates/s; managed-key %s "
              "certificates/s):\n",
              rate_text(ceiling).c_str(), rate_text(managed).c_str());
  for (const auto& [r, against] : results) {
    if (against == baseline::none)
      continue;
    std::printf("  %-28s %9s req/s  ratio %5.2f", r.name.c_str(), rate_text(r.throughput()).c_str(),
                r.throughput() / against_of(against));
    // What the server's own CPU cost allows, were the generator elsewhere.
    if (auto alone = r.server_alone_ratio(against_of(against), cores); alone >= 0)
      std::printf("  server alone %5.2f", alone);
    std::printf("\n");
  }

  // At a fixed rate both serve the rate: their ratio says nothing.
  for (const auto& [r, against] : results)
    if (r.name == "sync-csr" && cfssl_throughput > 0 && opt.load.rate == 0)
      std::printf("certmint / cfssl (sync-csr): %.2f\n", r.throughput() / cfssl_throughput);

  run_setting setting;
  setting.key_alg = opt.key_alg;
  setting.ca_alg = opt.ca_alg;
  setting.connections = opt.load.connections;
  setting.crypto_ceiling = ceiling;
  setting.managed_ceiling = managed;
  setting.cfssl_throughput = cfssl_throughput;
  setting.max_requests = opt.load.max_requests;
  setting.rate = opt.load.rate;
  std::vector<const run_result*> runs;
  runs.reserve(results.size());
  for (const auto& entry : results)
    runs.push_back(&entry.first);
  auto checks = check_targets(runs, setting);
  if (!checks.empty())
    std::printf("targets of the bench issue, where this run measured their workload:\n%s",
                targets_table(checks).c_str());

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
    w.key("targets").raw(targets_json(checks));
    w.end_object();
    std::ofstream{opt.json_path} << w.str() << "\n";
  }
  bool failed = false;
  for (const auto& [r, against] : results)
    failed = failed || r.verify_failures > 0;
  return failed ? 1 : 0;
}
