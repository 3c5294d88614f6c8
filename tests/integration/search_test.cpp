#include <catch2/catch.hpp>

#include <atomic>
#include <set>
#include <thread>

#include "engine/time_format.hpp"
#include "tests/integration/api_client.hpp"
#include "tests/support/test_pki.hpp"

using namespace certmint;
using namespace certmint::test;

namespace {

const std::string search_path = api + "/certificates/certificate-requests/search";

std::string issue(httplib::Client& cli, const std::string& profile, const std::string& cn,
                  const std::string& extra = "") {
  csr_options options;
  options.common_name = cn;
  options.sans = {"DNS:" + cn};
  auto reply =
      post_json(cli, api + "/certificates",
                csr_body(profile, make_csr(key_algorithm::ec_p256, options).csr_pem, extra));
  if (reply.status != 200)
    throw std::runtime_error("issuance failed: " + reply.body);
  return reply.str("/certificateRequestId");
}

std::vector<std::string> page_ids(const http_reply& reply) {
  std::vector<std::string> out;
  simdjson::dom::array items;
  if (reply.json.at_pointer("/certificateRequests").get(items))
    return out;
  for (auto item : items) {
    std::string_view id;
    if (!item["id"].get_string().get(id))
      out.emplace_back(id);
  }
  return out;
}

int64_t total(const http_reply& reply) {
  int64_t n = -1;
  if (reply.json.at_pointer("/totalCount").get_int64().get(n))
    return -1;
  return n;
}

} // namespace

TEST_CASE("search: every filter, over the indexes", "[integration][search]") {
  temp_dir dir;
  server_process server{dir.path()};
  auto admin = server.client();
  auto profile = default_profile_id(*admin);
  auto defaults = get(*admin, api + "/certificate-profiles/slug/default");
  auto second_profile = post_json(
      *admin, api + "/certificate-profiles",
      R"({"certificatePolicyId":")" + defaults.str("/certificateProfile/certificatePolicyId")
          + R"(","caId":")" + defaults.str("/certificateProfile/caId")
          + R"(","slug":"second","enrollmentType":"api","issuerType":"ca",)"
            R"("apiConfig":{"autoRenew":false},"defaults":{"ttlDays":30}})");
  INFO(second_profile.body);
  REQUIRE(second_profile.status == 200);
  auto second = second_profile.str("/certificateProfile/id");
  auto [pipeline_token, pipeline_id] = make_token(*admin, "pipeline", R"(["issue"])");
  auto pipeline = server.client(pipeline_token);

  auto before = format_iso8601(unix_now() - 1);
  std::vector<std::string> first_ids;
  first_ids.reserve(6);
  for (int i = 0; i < 6; ++i)
    first_ids.push_back(issue(*admin, profile, "web" + std::to_string(i) + ".example.com"));
  auto tagged = issue(*pipeline, second, "api.internal.example.com",
                      R"("metadata":[{"key":"team","value":"blue"}])");
  auto newest = issue(*pipeline, second, "db.internal.example.com");

  auto everything = post_json(*admin, search_path, "{}");
  INFO(everything.body);
  REQUIRE(everything.status == 200);
  CHECK(total(everything) == 8);
  CHECK(page_ids(everything).front() == newest); // newest first by default
  CHECK(everything.str("/certificateRequests/0/status") == "issued");
  CHECK(everything.str("/certificateRequests/0/profileName") == "second");
  CHECK(everything.str("/certificateRequests/0/certificate/status") == "active");

  auto by_profile = post_json(*admin, search_path, R"({"profileIds":[")" + second + R"("]})");
  CHECK(total(by_profile) == 2);
  auto both = post_json(*admin, search_path,
                        R"({"profileIds":[")" + second + R"(",")" + profile + R"("],"limit":3})");
  CHECK(total(both) == 8);
  CHECK(page_ids(both).size() == 3);
  CHECK_FALSE(both.is_null("/nextCursor"));

  CHECK(total(post_json(*admin, search_path, R"({"status":"issued"})")) == 8);
  CHECK(total(post_json(*admin, search_path, R"({"status":"pending_approval"})")) == 0);

  auto text = post_json(*admin, search_path, R"({"search":"INTERNAL"})");
  CHECK(total(text) == 2);
  auto meta = post_json(*admin, search_path, R"({"metadata":[{"key":"team","value":"blue"}]})");
  CHECK(page_ids(meta) == std::vector<std::string>{tagged});

  auto dated = post_json(*admin, search_path,
                         R"({"fromDate":")" + before + R"(","toDate":")"
                             + format_iso8601(unix_now() + 1) + R"("})");
  CHECK(total(dated) == 8);
  auto future = post_json(*admin, search_path,
                          R"({"fromDate":")" + format_iso8601(unix_now() + 3600) + R"("})");
  CHECK(total(future) == 0);

  auto ascending =
      post_json(*admin, search_path, R"({"sortBy":"createdAt","sortOrder":"asc","limit":1})");
  CHECK(page_ids(ascending) == std::vector<std::string>{first_ids.front()});
  auto legacy = get(
      *admin, api + "/certificates/certificate-requests?limit=2&offset=1&profileIds=" + profile);
  INFO(legacy.body);
  CHECK(legacy.status == 200);
  CHECK(total(legacy) == 6);
  CHECK(page_ids(legacy).size() == 2);

  // An issue-only identity lists its own requests only.
  CHECK(total(post_json(*pipeline, search_path, "{}")) == 2);

  // Bad input: 422 with the error body; the server goes on.
  auto bad = post_json(*admin, search_path, R"({"limit":1000,"status":"done"})");
  CHECK(bad.status == 422);
  CHECK(bad.error() == "ValidationFailure");
  CHECK(post_json(*admin, search_path, "{").status == 400);
  CHECK(get(*admin, api + "/certificates/certificate-requests?limit=x").status == 422);
  CHECK(post_json(*admin, search_path, "{}").status == 200);
  CHECK(server.stop() == 0);
}

TEST_CASE("search: keyset pages are stable while requests are being added",
          "[integration][search]") {
  temp_dir dir;
  server_process server{dir.path()};
  auto admin = server.client();
  auto profile = default_profile_id(*admin);
  std::set<std::string> existing;
  for (int i = 0; i < 25; ++i)
    existing.insert(issue(*admin, profile, "n" + std::to_string(i) + ".example.com"));

  std::atomic<bool> stop{false};
  std::atomic<int> added{0};
  std::thread writer{[&] {
    auto cli = server.client();
    for (int i = 0; i < 200 && !stop; ++i) {
      issue(*cli, profile, "late" + std::to_string(i) + ".example.com");
      ++added;
    }
  }};
  std::vector<std::string> seen;
  std::string cursor;
  for (int pages = 0; pages < 20; ++pages) {
    auto body = std::string{R"({"limit":4)"}
                + (cursor.empty() ? "" : R"(,"cursor":")" + cursor + "\"") + "}";
    auto reply = post_json(*admin, search_path, body);
    REQUIRE(reply.status == 200);
    for (auto& id : page_ids(reply))
      seen.push_back(id);
    // The first page may include requests added since; later ones go back
    // in time from the cursor and see the original 25 in order.
    cursor = reply.str("/nextCursor");
    if (cursor.empty())
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  stop = true;
  writer.join();
  CHECK(added > 0);
  std::set<std::string> unique(seen.begin(), seen.end());
  CHECK(unique.size() == seen.size()); // nothing twice
  for (const auto& id : existing)
    CHECK(unique.count(id) == 1); // nothing skipped
  CHECK(std::is_sorted(seen.rbegin(), seen.rend()));
  CHECK(server.stop() == 0);
}
