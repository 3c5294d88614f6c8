// certmint: the certificate issuance server.

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <pthread.h>
#include <sys/resource.h>

#include <caf/actor_system.hpp>
#include <caf/scheduler/abstract_coordinator.hpp>

#include "actors/node.hpp"
#include "actors/system_config.hpp"
#include "app/bootstrap.hpp"
#include "app/server_config.hpp"
#include "gateway/actor_bridge.hpp"
#include "gateway/http_server.hpp"
#include "storage/catalog.hpp"
#include "storage/store.hpp"

namespace {

using namespace certmint;

int fail(const std::string& what) {
  std::cerr << "certmint: " << what << std::endl;
  return 1;
}

int serve(const std::vector<std::string>& args) {
  for (const auto& arg : args)
    if (arg == "--help" || arg == "-h") {
      std::cout << server_usage();
      return 0;
    }
  auto cfg = load_server_config(args, [](const char* name) { return std::getenv(name); });
  if (!cfg)
    return fail(cfg.error().message);
  // SIGINT/SIGTERM are taken by sigwait below; block them before any thread
  // starts so that every thread inherits the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  // Every connection is a descriptor, and so is every RocksDB file: the soft
  // limit (often 1024) goes up to the hard one.
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);
  }

  gateway_options http_options;
  http_options.host = cfg->host;
  http_options.port = cfg->port;
  http_options.loops = cfg->http_threads;
  http_options.keep_alive_max = cfg->keep_alive_max;
  http_options.max_connections = cfg->max_connections;
  http_options.max_body_bytes = cfg->max_body_bytes;
  http_options.idempotency_window_s = static_cast<int64_t>(cfg->idempotency_window_s);
  http_options.approval_min_ttl_s = static_cast<int64_t>(cfg->approval_min_ttl_s);
  http_options.max_backlog = static_cast<int64_t>(cfg->max_backlog);
  http_server http{http_options};
  auto bound = http.bind();
  if (!bound)
    return fail(bound.error().message);
  auto public_url = certificate_base_url(*cfg, bound->port, bound->wildcard);
  if (!public_url)
    return fail(public_url.error().message);
  cfg->public_url = std::move(*public_url);

  std::error_code ec;
  std::filesystem::create_directories(cfg->data_dir, ec);
  if (ec)
    return fail("cannot create data directory '" + cfg->data_dir + "': " + ec.message());
  auto opened = store::open(cfg->data_dir);
  if (!opened)
    return fail(opened.error().message);
  std::shared_ptr<store> db = std::move(*opened);
  auto boot = bootstrap(*db, *cfg);
  if (!boot)
    return fail("bootstrap failed: " + boot.error().message);
  auto configuration = catalog::load(*db);
  if (!configuration)
    return fail(configuration.error().message);

  system_config actor_config{cfg->scheduler_threads};
  caf::actor_system sys{actor_config};
  node_options options;
  options.public_url = cfg->public_url;
  options.signers_per_ca = sys.scheduler().num_workers();
  options.stage_timeout = std::chrono::milliseconds{cfg->request_timeout_ms};
  options.max_inflight = cfg->max_inflight;
  options.key_pool = cfg->key_pool;
  options.backlog.concurrency = cfg->backlog_concurrency;
  auto actors = node::start(sys, db, *configuration, options);
  if (!actors)
    return fail(actors.error().message);
  auto pending = node::pending_count(*db);
  if (!pending)
    return fail(pending.error().message);
  if (*pending > 0)
    std::cout << "certmint: resuming " << *pending << " request(s) left pending by the last run\n";
  actor_bridge bridge{**actors, std::chrono::milliseconds{cfg->request_timeout_ms},
                      std::chrono::milliseconds{cfg->sync_wait_ms}};
  http.serve(db, *configuration, bridge);

  if (boot->created)
    std::cout << "certmint: bootstrapped a development root and intermediate CA and the "
                 "'default' profile ("
              << boot->default_profile_id << ") in " << cfg->data_dir << "\n";
  if (!boot->generated_admin_token.empty())
    std::cout << "certmint: admin token (shown once; store it now):\n  "
              << boot->generated_admin_token << "\n";
  if (!bound->loopback)
    std::cerr << "certmint: warning: plain HTTP beyond this machine: bearer tokens and "
                 "server-generated private keys cross the network unencrypted. Serve it "
                 "through a TLS-terminating proxy (docs/operations.md, \"Beyond localhost\")."
              << std::endl;
  // Last, so that whoever waits for this line has seen everything above.
  std::cout << "certmint: listening on " << http_url(cfg->host, bound->port) << std::endl;

  int signal = 0;
  sigwait(&stop_signals, &signal);
  std::cout << "certmint: " << (signal == SIGINT ? "SIGINT" : "SIGTERM")
            << " received, shutting down" << std::endl;
  // Order matters: no new requests, in-flight requests finish, then the
  // actors stop (the writer commits what it holds), then RocksDB closes.
  http.stop();
  (*actors)->shutdown();
  actors->reset();
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  // Errors are values everywhere below; what can still throw is the
  // standard library running out of memory or CAF failing to start.
  try {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
      std::cout << "usage: certmint serve [options]   (certmint serve --help for options)\n";
      return args.empty() ? 2 : 0;
    }
    if (args[0] == "serve")
      return serve(std::vector<std::string>(args.begin() + 1, args.end()));
    return fail("unknown command '" + args[0] + "' (try 'certmint serve --help')");
  } catch (const std::exception& e) {
    return fail(std::string{"fatal: "} + e.what());
  }
}
