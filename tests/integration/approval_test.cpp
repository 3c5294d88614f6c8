#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include "tests/integration/api_client.hpp"
#include "tests/support/test_pki.hpp"

using namespace certmint;
using namespace certmint::test;

namespace {

http_reply submit(httplib::Client& cli, const std::string& profile, const std::string& cn) {
  csr_options options;
  options.common_name = cn;
  options.sans = {"DNS:" + cn};
  return post_json(cli, api + "/certificates",
                   csr_body(profile, make_csr(key_algorithm::ec_p256, options).csr_pem));
}

} // namespace

TEST_CASE("approvals: approve issues, reject rejects, only listed approvers decide",
          "[integration][approval]") {
  temp_dir dir;
  server_process server{dir.path()};
  auto admin = server.client();
  auto profile = default_profile_id(*admin);
  auto [requester_token, requester_id] = make_token(*admin, "alice", R"(["issue"])");
  auto [self_token, self_id] = make_token(*admin, "bob", R"(["issue","approve"])");
  auto [first_token, first_id] = make_token(*admin, "sec-1", R"(["approve"])");
  auto [second_token, second_id] = make_token(*admin, "sec-2", R"(["approve"])");
  auto [outsider_token, outsider_id] = make_token(*admin, "sec-3", R"(["approve"])");
  auto requester = server.client(requester_token);
  auto self_approver = server.client(self_token);
  auto first = server.client(first_token);
  auto second = server.client(second_token);
  auto outsider = server.client(outsider_token);

  // Only `manage` changes approval policies.
  check_denied(post_json(*requester, approvals, approval_policy({first_id}, 1)),
               "You are not allowed to create on ApprovalPolicies");
  auto policy = post_json(*admin, approvals, approval_policy({first_id, second_id, self_id}, 1));
  INFO(policy.body);
  REQUIRE(policy.status == 200);
  CHECK(policy.str("/policy/maxRequestTtl") == "1h");
  auto policy_id = policy.str("/policy/id");
  CHECK(get(*admin, approvals + "/" + policy_id).str("/policy/name") == "production");
  auto unknown_profile = post_json(*admin, approvals,
                                   R"({"name":"x","steps":[{"requiredApprovals":1,"approvers":[]}],
                    "conditions":[{"profileNames":["nope"]}]})");
  CHECK(unknown_profile.status == 400);

  // A request on the profile waits for approval; nothing is signed yet.
  auto waiting = submit(*requester, profile, "a.example.com");
  INFO(waiting.body);
  REQUIRE(waiting.status == 200);
  CHECK(waiting.str("/status") == "pending_approval");
  CHECK(waiting.is_null("/certificate"));
  CHECK(waiting.str("/message") == "Certificate signing request requires approval");
  auto request_id = waiting.str("/certificateRequestId");
  auto polled = get(*requester, api + "/certificates/certificate-requests/" + request_id);
  CHECK(polled.str("/status") == "pending_approval");
  CHECK(polled.str("/pendingMessage") == "Waiting for approval");
  auto approval_id = polled.str("/approvalRequestId");
  REQUIRE_FALSE(approval_id.empty());

  // The requester may read its approval but not decide it.
  CHECK(get(*requester, approvals + "/requests/" + approval_id).str("/request/status")
        == "pending");
  check_denied(post_json(*requester, approvals + "/requests/" + approval_id + "/approve", "{}"),
               "You are not allowed to approve on ApprovalRequests");
  check_denied(post_json(*outsider, approvals + "/requests/" + approval_id + "/approve", "{}"),
               "You are not an approver of step 1 of this approval request");

  auto approved = post_json(*first, approvals + "/requests/" + approval_id + "/approve",
                            R"({"comment":"looks right"})");
  INFO(approved.body);
  REQUIRE(approved.status == 200);
  CHECK(approved.str("/request/status") == "approved");
  auto issued = wait_terminal(*requester, request_id);
  INFO(issued.body);
  REQUIRE(issued.str("/status") == "issued");
  CHECK(verify_chain(issued.str("/certificate"), issued.str("/certificateChain")) == "");
  auto again = post_json(*second, approvals + "/requests/" + approval_id + "/approve", "{}");
  CHECK(again.status == 400);
  CHECK(again.message() == "Approval request is already approved");

  // Rejection, with the approver's comment in the request.
  auto doomed = submit(*requester, profile, "b.example.com");
  auto doomed_approval = approval_of(*requester, doomed.str("/certificateRequestId"));
  auto rejected = post_json(*second, approvals + "/requests/" + doomed_approval + "/reject",
                            R"({"comment":"not ours"})");
  REQUIRE(rejected.status == 200);
  auto final_state = wait_terminal(*requester, doomed.str("/certificateRequestId"));
  CHECK(final_state.str("/status") == "rejected");
  CHECK(final_state.str("/errorMessage") == "Rejected by identity sec-2: not ours");

  // An approver who submitted the request cannot approve it.
  auto own = submit(*self_approver, profile, "c.example.com");
  auto own_approval = approval_of(*self_approver, own.str("/certificateRequestId"));
  check_denied(
      post_json(*self_approver, approvals + "/requests/" + own_approval + "/approve", "{}"),
      "The requester of a certificate cannot approve or reject its own request");

  // Server-generated keys cannot wait (certmint does not keep them).
  auto managed = post_json(*requester, api + "/certificates",
                           R"({"profileId":")" + profile
                               + R"(","attributes":{"commonName":"d.example.com","ttl":"1d"}})");
  CHECK(managed.status == 400);

  // Deleting the policy ends approvals for new requests.
  CHECK(del(*admin, approvals + "/" + policy_id).str("/policyId") == policy_id);
  CHECK(submit(*requester, profile, "e.example.com").str("/status") == "issued");
  CHECK(server.stop() == 0);
}

TEST_CASE("approvals: machine bypass, expiry, re-validation and restarts",
          "[integration][approval]") {
  temp_dir dir;
  std::vector<std::string> args = {"--approval-min-ttl-s", "1"};
  auto server = std::make_unique<server_process>(dir.path(), args);
  auto admin = server->client();
  auto profile = default_profile_id(*admin);
  auto [machine_token, machine_id] = make_token(*admin, "pipeline", R"(["issue"])");
  auto [person_token, person_id] = make_token(*admin, "dana", R"(["issue"])", R"(,"type":"user")");
  auto [approver_token, approver_id] = make_token(*admin, "sec", R"(["approve"])");
  auto policy =
      post_json(*admin, approvals,
                approval_policy({approver_id}, 1,
                                R"(,"maxRequestTtl":"2s","bypassForMachineIdentities":true)"));
  INFO(policy.body);
  REQUIRE(policy.status == 200);
  auto machine = server->client(machine_token);
  auto person = server->client(person_token);

  // Machine identities skip approval when the policy says so.
  CHECK(submit(*machine, profile, "ci.example.com").str("/status") == "issued");

  // A person's request expires after maxRequestTtl.
  auto slow = submit(*person, profile, "slow.example.com");
  REQUIRE(slow.str("/status") == "pending_approval");
  auto expired = wait_terminal(*person, slow.str("/certificateRequestId"));
  CHECK(expired.str("/status") == "rejected");
  CHECK(expired.str("/errorMessage") == "Approval request expired before it was approved");
  auto slow_approval = approval_of(*person, slow.str("/certificateRequestId"));
  CHECK(get(*admin, approvals + "/requests/" + slow_approval).str("/request/status") == "expired");
  auto late = post_json(*server->client(approver_token),
                        approvals + "/requests/" + slow_approval + "/approve", "{}");
  CHECK(late.status == 400);

  // Approval re-validates against the policy as it is now.
  REQUIRE(
      patch_json(*admin, approvals + "/" + policy.str("/policy/id"), R"({"maxRequestTtl":"1h"})")
          .status
      == 200);
  auto changing = submit(*person, profile, "changing.example.com");
  REQUIRE(changing.str("/status") == "pending_approval");
  auto certificate_policy = get(*admin, api + "/certificate-profiles/slug/default")
                                .str("/certificateProfile/certificatePolicyId");
  REQUIRE(patch_json(*admin, api + "/certificate-policies/" + certificate_policy,
                     R"({"subject":[{"type":"common_name","allowed":["*.internal"]}]})")
              .status
          == 200);
  auto changing_approval = approval_of(*person, changing.str("/certificateRequestId"));
  REQUIRE(post_json(*server->client(approver_token),
                    approvals + "/requests/" + changing_approval + "/approve", "{}")
              .status
          == 200);
  auto failed = wait_terminal(*person, changing.str("/certificateRequestId"));
  CHECK(failed.str("/status") == "failed");
  CHECK(failed.str("/errorMessage").rfind("Certificate request validation failed: ", 0) == 0);
  REQUIRE(patch_json(*admin, api + "/certificate-policies/" + certificate_policy,
                     R"({"subject":[{"type":"common_name","allowed":["*"]}]})")
              .status
          == 200);

  // Waiting requests survive a restart, and can be approved after it.
  auto survivor = submit(*person, profile, "survivor.example.com");
  REQUIRE(survivor.str("/status") == "pending_approval");
  auto survivor_id = survivor.str("/certificateRequestId");
  CHECK(server->stop() == 0);
  server = std::make_unique<server_process>(dir.path(), args);
  auto approver = server->client(approver_token);
  auto after =
      get(*server->client(person_token), api + "/certificates/certificate-requests/" + survivor_id);
  CHECK(after.str("/status") == "pending_approval");
  REQUIRE(post_json(*approver,
                    approvals + "/requests/" + after.str("/approvalRequestId") + "/approve", "{}")
              .status
          == 200);
  auto done = wait_terminal(*server->client(person_token), survivor_id);
  CHECK(done.str("/status") == "issued");
  CHECK(verify_chain(done.str("/certificate"), done.str("/certificateChain")) == "");

  // An approval that expires while the server is down is rejected at start.
  REQUIRE(patch_json(*server->client(), approvals + "/" + policy.str("/policy/id"),
                     R"({"maxRequestTtl":"1s"})")
              .status
          == 200);
  auto orphan = submit(*server->client(person_token), profile, "orphan.example.com");
  REQUIRE(orphan.str("/status") == "pending_approval");
  CHECK(server->stop() == 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  server = std::make_unique<server_process>(dir.path(), args);
  auto gone = wait_terminal(*server->client(person_token), orphan.str("/certificateRequestId"));
  CHECK(gone.str("/status") == "rejected");
  CHECK(server->stop() == 0);
}
