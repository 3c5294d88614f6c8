#include <catch2/catch.hpp>

#include <set>
#include <thread>

#include "tests/integration/api_client.hpp"
#include "tests/support/test_pki.hpp"

using namespace certmint;
using namespace certmint::test;

namespace {

http_reply post_with_key(httplib::Client& cli, const std::string& key, const std::string& body) {
  httplib::Headers headers = {{"Idempotency-Key", key}};
  return to_reply(cli.Post((api + "/certificates").c_str(), headers, body, "application/json"));
}

int64_t certificate_count(httplib::Client& cli, const std::string& profile) {
  auto listed = get(cli, api + "/certificate-profiles/" + profile + "/certificates");
  int64_t total = -1;
  CHECK_FALSE(listed.json.at_pointer("/totalCount").get_int64().get(total));
  return total;
}

} // namespace

TEST_CASE("Idempotency-Key: a retry returns the original request", "[integration][idempotency]") {
  temp_dir dir;
  server_process server{dir.path(), {"--idempotency-window-s", "2"}};
  auto cli = server.client();
  auto profile = default_profile_id(*cli);
  auto body = csr_body(profile, make_csr(key_algorithm::ec_p256).csr_pem);
  auto first = post_with_key(*cli, "deploy-42", body);
  REQUIRE(first.status == 200);
  auto retry = post_with_key(*cli, "deploy-42", body);
  INFO(retry.body);
  REQUIRE(retry.status == 200);
  CHECK(retry.str("/certificateRequestId") == first.str("/certificateRequestId"));
  CHECK(retry.str("/certificate/certificate") == first.str("/certificate/certificate"));
  CHECK(retry.str("/certificate/serialNumber") == first.str("/certificate/serialNumber"));
  CHECK(retry.str("/certificate/certificateChain") == first.str("/certificate/certificateChain"));
  CHECK(certificate_count(*cli, profile) == 1);

  auto other_body = csr_body(profile, make_csr(key_algorithm::ec_p256).csr_pem);
  auto mismatch = post_with_key(*cli, "deploy-42", other_body);
  CHECK(mismatch.status == 422);
  CHECK(mismatch.str("/message/0/message")
        == "Idempotency-Key 'deploy-42' was already used with a different request body");
  CHECK(post_with_key(*cli, std::string(256, 'k'), body).status == 422);

  // Concurrent retries of a new key: one request, every answer names it.
  std::vector<http_reply> replies(8);
  std::vector<std::thread> clients;
  clients.reserve(replies.size());
  for (auto& reply : replies)
    clients.emplace_back([&server, &other_body, &reply] {
      auto own = server.client();
      reply = post_with_key(*own, "deploy-43", other_body);
    });
  for (auto& t : clients)
    t.join();
  // Checked after the join: Catch2's assertions are not thread-safe.
  std::set<std::string> ids;
  for (const auto& reply : replies) {
    REQUIRE((reply.status == 200 || reply.status == 202));
    ids.insert(reply.str("/certificateRequestId"));
  }
  CHECK(ids.size() == 1);

  // After the window the key is free again.
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  auto later = post_with_key(*cli, "deploy-42", body);
  REQUIRE(later.status == 200);
  CHECK(later.str("/certificateRequestId") != first.str("/certificateRequestId"));
}
