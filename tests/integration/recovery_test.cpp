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

// Polls a request until it leaves `pending` (bounded in time).
http_reply wait_terminal(httplib::Client& cli, const std::string& id) {
  http_reply reply;
  for (int i = 0; i < 200; ++i) {
    reply = get(cli, api + "/certificates/certificate-requests/" + id);
    if (reply.status != 200 || reply.str("/status") != "pending")
      return reply;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return reply;
}

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

TEST_CASE("kill -9 during concurrent submissions loses no acknowledged request",
          "[integration][crash]") {
  temp_dir dir;
  std::vector<std::string> csrs;
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
