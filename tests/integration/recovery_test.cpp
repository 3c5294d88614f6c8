#include <catch2/catch.hpp>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "tests/integration/api_client.hpp"
#include "tests/support/test_pki.hpp"

using namespace certmint;
using namespace certmint::test;

namespace {

const httplib::Headers respond_async = {{"Prefer", "respond-async"}};

} // namespace

TEST_CASE("asynchronous submission, then polling to issued", "[integration][async]") {
  temp_dir dir;
  server_process server{dir.path()};
  auto cli = server.client();
  auto profile = default_profile_id(*cli);
  auto res =
      cli->Post((api + "/certificates").c_str(), respond_async,
                csr_body(profile, make_csr(key_algorithm::ec_p256).csr_pem), "application/json");
  auto accepted = to_reply(res);
  INFO(accepted.body);
  REQUIRE(accepted.status == 202);
  CHECK(res->get_header_value("Preference-Applied") == "respond-async");
  CHECK(accepted.str("/status") == "pending");
  CHECK(accepted.is_null("/certificate"));
  auto done = wait_terminal(*cli, accepted.str("/certificateRequestId"));
  REQUIRE(done.status == 200);
  CHECK(done.str("/status") == "issued");
  CHECK(verify_chain(done.str("/certificate"), done.str("/certificateChain")) == "");
}

TEST_CASE("asynchronous submissions: the CSR signature is checked before signing",
          "[integration][async]") {
  temp_dir dir;
  server_process server{dir.path()};
  auto cli = server.client();
  auto profile = default_profile_id(*cli);
  // A CSR whose signed part was altered: accepted (schema and policy pass),
  // then failed by the backlog with the verification message, never signed.
  auto forged = tamper_csr(make_csr(key_algorithm::ec_p256).csr_pem);
  auto res = cli->Post((api + "/certificates").c_str(), respond_async, csr_body(profile, forged),
                       "application/json");
  auto accepted = to_reply(res);
  INFO(accepted.body);
  REQUIRE(accepted.status == 202);
  auto done = wait_terminal(*cli, accepted.str("/certificateRequestId"));
  INFO(done.body);
  CHECK(done.str("/status") == "failed");
  CHECK(done.str("/errorMessage").rfind("Invalid CSR: signature verification failed", 0) == 0);
  CHECK(done.is_null("/certificate"));
  // Synchronously the same CSR is refused at once, and nothing is stored.
  auto refused = post_json(*cli, api + "/certificates", csr_body(profile, forged));
  CHECK(refused.status == 400);
  // What the schema or the policy refuses is refused before the 202 too.
  auto bad = cli->Post((api + "/certificates").c_str(), respond_async,
                       csr_body(profile, "not a CSR"), "application/json");
  CHECK(to_reply(bad).status == 400);
}

TEST_CASE("a server-generated key is answered synchronously even when async is preferred",
          "[integration][async]") {
  temp_dir dir;
  server_process server{dir.path()};
  auto cli = server.client();
  auto body = R"({"profileId":")" + default_profile_id(*cli)
              + R"(","attributes":{"commonName":"k.example.com","ttl":"1d",)"
                R"("keyAlgorithm":"EC_prime256v1"}})";
  auto res = cli->Post((api + "/certificates").c_str(), respond_async, body, "application/json");
  auto reply = to_reply(res);
  INFO(reply.body);
  REQUIRE(reply.status == 200);
  CHECK(res->get_header_value("Preference-Applied").empty());
  CHECK(key_matches_certificate(reply.str("/certificate/privateKey"),
                                reply.str("/certificate/certificate")));
}

TEST_CASE("kill -9 during concurrent submissions loses no acknowledged request",
          "[integration][crash]") {
  temp_dir dir;
  std::vector<std::string> csrs;
  csrs.reserve(6);
  for (int i = 0; i < 6; ++i)
    csrs.push_back(make_csr(key_algorithm::ec_p256).csr_pem);
  std::mutex mutex;
  std::set<std::string> acknowledged;
  for (int round = 0; round < 3; ++round) {
    CAPTURE(round);
    server_process server{dir.path()};
    auto profile = default_profile_id(*server.client());
    std::atomic<bool> stop{false};
    std::vector<std::thread> clients;
    clients.reserve(6);
    for (int c = 0; c < 6; ++c)
      clients.emplace_back([&, c] {
        auto cli = server.client();
        cli->set_read_timeout(5, 0);
        auto body = csr_body(profile, csrs[static_cast<size_t>(c)]);
        while (!stop) {
          // Half asynchronous (acknowledged once durable), half synchronous.
          auto res = c % 2 == 0
                         ? cli->Post((api + "/certificates").c_str(), respond_async, body,
                                     "application/json")
                         : cli->Post((api + "/certificates").c_str(), body, "application/json");
          if (!res)
            continue;
          if (res->status != 200 && res->status != 202)
            continue;
          auto reply = to_reply(res);
          std::lock_guard<std::mutex> guard{mutex};
          acknowledged.insert(reply.str("/certificateRequestId"));
        }
      });
    std::this_thread::sleep_for(std::chrono::milliseconds(600 + 200 * round));
    server.kill_hard();
    stop = true;
    for (auto& t : clients)
      t.join();
  }
  REQUIRE(acknowledged.size() > 10);
  server_process server{dir.path()};
  auto cli = server.client();
  std::set<std::string> serials;
  size_t issued = 0;
  for (const auto& id : acknowledged) {
    CAPTURE(id);
    auto reply = wait_terminal(*cli, id);
    REQUIRE(reply.status == 200);
    REQUIRE(reply.str("/status") == "issued");
    ++issued;
    CHECK(serials.insert(reply.str("/serialNumber")).second);
    CHECK(verify_chain(reply.str("/certificate"), reply.str("/certificateChain")) == "");
  }
  CHECK(issued == acknowledged.size());
}

namespace {

// A profile on a new RSA-4096 root: signing takes milliseconds, which
// leaves requests `pending` long enough to observe.
std::string slow_profile(httplib::Client& cli) {
  auto root = post_json(cli, api + "/ca/internal",
                        R"({"name":"slow-root","status":"active","configuration":{"type":"root",
                            "commonName":"slow","notAfter":"2040-01-01T00:00:00Z",
                            "maxPathLength":-1,"keyAlgorithm":"RSA_4096"}})");
  REQUIRE(root.status == 200);
  auto policy = get(cli, api + "/certificate-profiles/slug/default")
                    .str("/certificateProfile/certificatePolicyId");
  auto profile =
      post_json(cli, api + "/certificate-profiles",
                R"({"certificatePolicyId":")" + policy + R"(","caId":")" + root.str("/id")
                    + R"(","slug":"slow","enrollmentType":"api","apiConfig":{},
                                  "defaults":{"ttlDays":7}})");
  REQUIRE(profile.status == 200);
  return profile.str("/certificateProfile/id");
}

} // namespace

TEST_CASE("a synchronous request past the sync bound answers pending", "[integration][async]") {
  temp_dir dir;
  server_process server{dir.path(), {"--sync-wait-ms", "1"}};
  auto cli = server.client();
  auto profile = slow_profile(*cli);
  // The bound (1 ms) passes while the request is checked or signed (an
  // RSA-4096 signature takes about 4 ms): the answer is a stored `pending`
  // request that ends issued. The bound is timed on a loop thread that may
  // wait a few milliseconds for a core (seen under `ctest -j2` on two
  // cores), so a request may also finish first; then it is a complete
  // issuance.
  int pending_answers = 0;
  for (int i = 0; i < 10; ++i) {
    auto reply = post_json(*cli, api + "/certificates",
                           csr_body(profile, make_csr(key_algorithm::ec_p256).csr_pem));
    INFO(reply.body);
    REQUIRE((reply.status == 202 || reply.status == 200));
    if (reply.status == 200) {
      CHECK_FALSE(reply.str("/certificate/certificate").empty());
      continue;
    }
    ++pending_answers;
    CHECK(reply.str("/status") == "pending");
    auto done = wait_terminal(*cli, reply.str("/certificateRequestId"));
    INFO(done.body);
    CHECK(done.str("/status") == "issued");
  }
  CHECK(pending_answers >= 5);
  // A server-generated key is returned once: such a request waits for its
  // certificate instead of answering `pending`.
  auto managed = post_json(*cli, api + "/certificates",
                           R"({"profileId":")" + default_profile_id(*cli)
                               + R"(","attributes":{"commonName":"m.example.com","ttl":"1d",)"
                                 R"("keyAlgorithm":"RSA_2048"}})");
  INFO(managed.body);
  CHECK(managed.status == 200);
  CHECK_FALSE(managed.str("/certificate/privateKey").empty());
}

TEST_CASE("cancel: a pending request fails and never gets a certificate", "[integration][cancel]") {
  temp_dir dir;
  server_process server{dir.path()};
  auto cli = server.client();
  auto profile = slow_profile(*cli);
  auto body = csr_body(profile, make_csr(key_algorithm::ec_p256).csr_pem);
  int cancelled = 0;
  for (int i = 0; i < 12; ++i) {
    // Cancel right after the request is durable, racing its signature.
    auto res = cli->Post((api + "/certificates").c_str(), respond_async, body, "application/json");
    auto accepted = to_reply(res);
    REQUIRE(accepted.status == 202);
    auto id = accepted.str("/certificateRequestId");
    auto path = api + "/certificates/certificate-requests/";
    path += id;
    path += "/cancel";
    auto answer = post_json(*cli, path, "{}");
    REQUIRE(answer.status == 200);
    bool ok = false;
    CHECK_FALSE(answer.json.at_pointer("/cancelled").get_bool().get(ok));
    auto final_state = wait_terminal(*cli, id);
    if (ok) {
      ++cancelled;
      CHECK(answer.str("/status") == "failed");
      CHECK(answer.str("/errorMessage") == "Cancelled by identity admin");
      CHECK(final_state.str("/status") == "failed");
      CHECK(final_state.is_null("/certificate"));
    } else {
      CHECK(final_state.str("/status") == "issued");
    }
  }
  CHECK(cancelled > 0);
  auto issued =
      post_json(*cli, api + "/certificates",
                csr_body(default_profile_id(*cli), make_csr(key_algorithm::ec_p256).csr_pem));
  auto again = post_json(*cli,
                         api + "/certificates/certificate-requests/"
                             + issued.str("/certificateRequestId") + "/cancel",
                         "{}");
  CHECK(again.status == 200);
  CHECK(again.str("/status") == "issued");
  CHECK(post_json(
            *cli,
            api + "/certificates/certificate-requests/00000000-0000-7000-8000-000000000000/cancel",
            "{}")
            .status
        == 404);
}

TEST_CASE("a burst past the in-flight bound gets 429 and loses nothing accepted",
          "[integration][backpressure]") {
  temp_dir dir;
  server_process server{dir.path(), {"--max-inflight", "4"}};
  auto cli = server.client();
  auto profile = slow_profile(*cli);
  auto body = csr_body(profile, make_csr(key_algorithm::ec_p256).csr_pem);
  // What one submission of a burst got. The threads only record it; it is
  // checked after the join, because Catch2's assertions are not thread-safe.
  struct outcome {
    bool answered = false;
    http_reply reply;
    std::string retry_after;
    bool status_answered = false;
  };
  std::vector<outcome> outcomes;
  auto burst = [&] {
    std::vector<std::vector<outcome>> per_client(32);
    std::vector<std::thread> clients;
    clients.reserve(per_client.size());
    for (auto& mine : per_client)
      clients.emplace_back([&server, &body, &mine] {
        auto own = server.client();
        for (int i = 0; i < 4; ++i) {
          outcome o;
          auto res =
              own->Post((api + "/certificates").c_str(), respond_async, body, "application/json");
          if (res) {
            o.answered = true;
            o.retry_after = res->get_header_value("Retry-After");
            o.reply = to_reply(res);
          }
          // Reads keep working under the burst.
          o.status_answered = get(*own, "/api/status").status == 200;
          mine.push_back(std::move(o));
        }
      });
    for (auto& t : clients)
      t.join();
    for (auto& mine : per_client)
      for (auto& o : mine)
        outcomes.push_back(std::move(o));
  };
  burst();
  auto warm_rss = server.rss_kib();
  for (int round = 0; round < 4; ++round)
    burst();
  auto final_rss = server.rss_kib();
  int limited = 0;
  int polls_ok = 0;
  std::vector<std::string> accepted;
  for (const auto& o : outcomes) {
    REQUIRE(o.answered);
    if (o.status_answered)
      ++polls_ok;
    if (o.reply.status == 429) {
      CHECK(o.retry_after == "1");
      CHECK(o.reply.message() == "Rate limit exceeded. Please try again in 1 seconds");
      ++limited;
    } else {
      REQUIRE(o.reply.status == 202);
      accepted.push_back(o.reply.str("/certificateRequestId"));
    }
  }
  CHECK(limited > 0);
  CHECK(polls_ok == 5 * 32 * 4);
  REQUIRE_FALSE(accepted.empty());
  for (const auto& id : accepted)
    CHECK(wait_terminal(*cli, id).str("/status") == "issued");
  // Shed load costs no memory: four more bursts leave the footprint where
  // the first one put it. (AddressSanitizer's quarantine holds freed memory
  // on purpose, and ThreadSanitizer keeps shadow and history for what was
  // touched, so the bound only applies to normal builds.)
  INFO("RSS after the first burst " << warm_rss << " KiB, after five " << final_rss << " KiB");
  REQUIRE(warm_rss > 0);
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
  CHECK(final_rss - warm_rss < 16 * int64_t{1024});
#endif
}

TEST_CASE("asynchronous submissions past the backlog bound get 429 and lose nothing accepted",
          "[integration][backpressure]") {
  temp_dir dir;
  // One pending request signed at a time, so the backlog outgrows its bound
  // however fast this machine signs (with 64 at once, the RSA-4096 signatures
  // could keep up with sequential submissions on an idle machine).
  server_process server{dir.path(), {"--max-backlog", "3", "--backlog-concurrency", "1"}};
  auto cli = server.client();
  auto profile = slow_profile(*cli);
  auto body = csr_body(profile, make_csr(key_algorithm::ec_p256).csr_pem);
  std::vector<std::string> accepted;
  int shed = 0;
  // RSA-4096 signatures take milliseconds: submissions outrun the signer.
  for (int i = 0; i < 40; ++i) {
    auto res = cli->Post((api + "/certificates").c_str(), respond_async, body, "application/json");
    REQUIRE(res);
    if (res->status == 429) {
      ++shed;
      CHECK(res->get_header_value("Retry-After") == "1");
      CHECK(to_reply(res).str("/message").rfind("Too many pending requests (", 0) == 0);
      continue;
    }
    REQUIRE(res->status == 202);
    accepted.push_back(to_reply(res).str("/certificateRequestId"));
  }
  CHECK(shed > 0);
  REQUIRE(accepted.size() >= 3);
  for (const auto& id : accepted) {
    auto done = wait_terminal(*cli, id);
    CHECK(done.str("/status") == "issued");
  }
}
