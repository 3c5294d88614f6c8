#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "bench/stats.hpp"

namespace httplib {
class Client;
}

namespace certmint::bench {

struct target {
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string token; ///< bearer token; empty for none (cfssl)
};

/// One HTTP call of a workload.
struct http_call {
  bool post = true;
  std::string path;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

/// The outcome of one operation: its final HTTP status (0: no response) and
/// body.
struct call_outcome {
  int status = 0;
  std::string body;
};

/// A workload: the call a connection makes next, and whether a response
/// carries a certificate to verify (a sample of them is checked with
/// OpenSSL: the harness must not count garbage as throughput).
struct workload {
  std::string name;
  std::function<http_call(size_t connection, uint64_t iteration)> next;
  /// Instead of `next`: an operation of several calls (submit, then poll
  /// until done), measured as one, with its whole latency.
  std::function<call_outcome(httplib::Client& client, size_t connection, uint64_t iteration)> flow;
  /// The status that counts as success (202 for asynchronous submits).
  int ok_status = 200;
  /// Extracts (leaf PEM, chain PEM) from a 200 body; empty leaf: nothing to
  /// verify.
  std::function<std::pair<std::string, std::string>(const std::string& body)> certificate;
  uint64_t verify_every = 50;
};

struct load_options {
  size_t connections = 64;
  std::chrono::milliseconds duration{10000};
  uint64_t max_requests = 0; ///< 0: run for the duration
  bool progress = false;     ///< a live line on stderr
  int server_pid = 0;        ///< when set, the server's RSS is sampled during the run
};

/// Sends one call on a keep-alive client.
call_outcome perform(httplib::Client& client, const http_call& call);

/// Resident set size of a process in KiB, from /proc (0 if unknown).
uint64_t rss_kib(int pid);

/// The string at a JSON pointer of a body ("" when absent).
std::string json_field(const std::string& body, const char* pointer);

/// (certificate, certificateChain) of an issuance response.
std::pair<std::string, std::string> issued_certificate(const std::string& body);

/// Drives `work` against `where` with keep-alive connections, one thread
/// each, and measures every request.
run_result run_load(const target& where, const workload& work, const load_options& options);

} // namespace certmint::bench
