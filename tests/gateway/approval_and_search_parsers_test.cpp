#include <catch2/catch.hpp>

#include "gateway/approval_policy_parser.hpp"
#include "gateway/request_search_parser.hpp"
#include "tests/support/validation_issues.hpp"

using namespace certmint;
using certmint::test::has;
using certmint::test::issues_of;

namespace {

constexpr const char* approver = "0190a000-0000-7000-8000-0000000000a1";

} // namespace

TEST_CASE("approval policy bodies parse", "[gateway][approval-parser]") {
  approval_policy_body body;
  auto err =
      parse_approval_policy_body(std::string{R"({"projectId":"p","name":"prod","maxRequestTtl":"2h",
        "steps":[{"name":"sec","requiredApprovals":1,"notifyApprovers":null,
                  "approvers":[{"type":"user","id":")"}
                                     + approver + R"("}]}],
        "bypassForMachineIdentities":true,"enforcementLevel":"hard",
        "conditions":[{"profileNames":["web","api"]}],"constraints":{}})",
                                 true, 3600, body);
  REQUIRE_FALSE(err);
  approval_policy_record policy;
  body.apply_to(policy);
  CHECK(policy.name == "prod");
  CHECK(policy.max_request_ttl_seconds == 7200);
  REQUIRE(policy.steps.size() == 1);
  CHECK(policy.steps[0].approvers == std::vector<std::string>{approver});
  CHECK(policy.bypass_for_machine_identities);
  CHECK(policy.profile_names == std::vector<std::vector<std::string>>{{"web", "api"}});

  approval_policy_body patch;
  REQUIRE_FALSE(parse_approval_policy_body(R"({"maxRequestTtl":null})", false, 3600, patch));
  patch.apply_to(policy);
  CHECK(policy.max_request_ttl.empty());
  CHECK(policy.max_request_ttl_seconds == 0);
}

TEST_CASE("malformed approval policy bodies are refused", "[gateway][approval-parser]") {
  approval_policy_body body;
  CHECK(parse_approval_policy_body("{", true, 3600, body)->code == errc::bad_request);
  CHECK(parse_approval_policy_body("[]", true, 3600, body)->code == errc::validation_failed);

  auto missing = issues_of(parse_approval_policy_body("{}", true, 3600, body));
  CHECK(has(missing, "Required"));
  CHECK(missing.size() == 3); // name, steps, conditions

  auto bad = issues_of(parse_approval_policy_body(
      R"({"name":"x","maxRequestTtl":"10s","steps":[{"requiredApprovals":0,"approvers":[]}],
          "conditions":[{"profileNames":[1]}],"extra":1})",
      true, 3600, body));
  CHECK(has(bad, "Duration must be between 1 hour and 30 days"));
  CHECK(has(bad, "Number must be greater than or equal to 1"));
  CHECK(has(bad, "Expected string"));
  CHECK(has(bad, "Unrecognized key(s) in object: 'extra'"));

  // Names people read hold no control characters (JSON escapes them).
  auto control = issues_of(parse_approval_policy_body(
      R"({"name":"prod\u0000approvals","steps":[{"name":"sec\u0085urity","requiredApprovals":1,
          "approvers":[{"type":"user","id":"01a2530b-553c-7005-8c16-b837e5f27300"}]}],
          "conditions":[{"profileNames":["web"]}]})",
      true, 3600, body));
  CHECK(has(control, "name must not contain control characters"));
  CHECK(control.size() == 2);

  auto too_many = issues_of(parse_approval_policy_body(
      std::string{
          R"({"name":"x","steps":[{"requiredApprovals":2,"approvers":[{"type":"user","id":")"}
          + approver + R"("}]}],"conditions":[]})",
      true, 3600, body));
  CHECK(has(too_many, "requiredApprovals cannot exceed the number of approvers"));

  auto empty_steps = issues_of(
      parse_approval_policy_body(R"({"name":"x","steps":[],"conditions":[]})", true, 3600, body));
  CHECK(has(empty_steps, "Array must contain at least 1 element(s)"));

  auto group = parse_approval_policy_body(
      std::string{
          R"({"name":"x","steps":[{"requiredApprovals":1,"approvers":[{"type":"group","id":")"}
          + approver + R"("}]}],"conditions":[]})",
      true, 3600, body);
  REQUIRE(group);
  CHECK(group->code == errc::bad_request);

  // A lower floor (operators may set it) changes the bound and its message.
  approval_policy_body short_ttl;
  auto floor = issues_of(parse_approval_policy_body(
      R"({"name":"x","maxRequestTtl":"1s","steps":[{"requiredApprovals":1,"approvers":[]}],
          "conditions":[]})",
      true, 2, short_ttl));
  CHECK(has(floor, "Duration must be between 2 seconds and 30 days"));

  std::string comment;
  REQUIRE_FALSE(parse_approval_decision_body("", comment));
  REQUIRE_FALSE(parse_approval_decision_body(R"({"comment":"fine"})", comment));
  CHECK(comment == "fine");
  CHECK(parse_approval_decision_body(R"({"comment":3})", comment));
  CHECK(parse_approval_decision_body("nope", comment)->code == errc::bad_request);
}

TEST_CASE("search bodies parse into queries", "[gateway][search-parser]") {
  request_query q;
  REQUIRE_FALSE(parse_request_search_body(
      R"({"projectId":"x","offset":5,"limit":50,"search":"api","status":"pending_approval",
          "fromDate":"2026-01-01T00:00:00Z","toDate":"2026-01-02T00:00:00Z",
          "profileIds":["0190a000-0000-7000-8000-00000000000a"],"sortBy":"createdAt",
          "sortOrder":"asc","metadata":[{"key":"team","value":"blue"}],
          "cursor":"0190a000-0000-7000-8000-000000000001"})",
      q));
  CHECK(q.offset == 5);
  CHECK(q.limit == 50);
  CHECK(q.status == request_status::pending_approval);
  CHECK(*q.from_ms == 1767225600000);
  CHECK(*q.to_ms == 1767312000999);
  CHECK(q.profile_ids.size() == 1);
  CHECK_FALSE(q.descending);
  CHECK(q.metadata.size() == 1);
  CHECK(q.after == "0190a000-0000-7000-8000-000000000001");

  request_query defaults;
  REQUIRE_FALSE(parse_request_search_body("{}", defaults));
  CHECK(defaults.limit == 20);
  CHECK(defaults.descending);
}

TEST_CASE("malformed search bodies and parameters are refused", "[gateway][search-parser]") {
  request_query q;
  CHECK(parse_request_search_body("{\"limit\":", q)->code == errc::bad_request);
  auto bad = issues_of(parse_request_search_body(
      R"({"limit":0,"offset":-1,"status":"done","fromDate":"yesterday","profileIds":["x"],
          "sortBy":"commonName","sortOrder":"up","cursor":"c"})",
      q));
  CHECK(has(bad, "Number must be greater than or equal to 1"));
  CHECK(has(bad, "Number must be greater than or equal to 0"));
  CHECK(has(bad, "Invalid date"));
  CHECK(has(bad, "Invalid uuid"));
  CHECK(bad.size() == 8);
  auto order = issues_of(parse_request_search_body(
      R"({"fromDate":"2026-02-01T00:00:00Z","toDate":"2026-01-01T00:00:00Z"})", q));
  CHECK(has(order, "fromDate must not be later than toDate"));
  auto metadata = issues_of(
      parse_request_search_body(R"({"metadata":[{"key":"","value":"v"},{"value":"v"}]})", q));
  CHECK(has(metadata, "String must contain at least 1 character(s)"));
  CHECK(has(metadata, "Required"));
  CHECK(metadata.size() == 2);
  auto application =
      parse_request_search_body(R"({"applicationId":"0190a000-0000-7000-8000-00000000000a"})", q);
  REQUIRE(application);
  CHECK(application->code == errc::bad_request);
  CHECK(application->message == "applicationId is not supported: certmint has no applications yet");

  request_query get;
  std::vector<std::pair<std::string, std::string>> params{
      {"limit", "3"},
      {"profileIds", "0190a000-0000-7000-8000-00000000000a,0190a000-0000-7000-8000-00000000000b"},
      {"status", "issued"}};
  REQUIRE_FALSE(parse_request_search_params(params, get));
  CHECK(get.limit == 3);
  CHECK(get.profile_ids.size() == 2);
  std::vector<std::pair<std::string, std::string>> wrong{{"limit", "many"}};
  CHECK(parse_request_search_params(wrong, get)->code == errc::validation_failed);
  // A negative number is a number out of range, not a string.
  std::vector<std::pair<std::string, std::string>> negative{{"limit", "-1"}, {"offset", "-"}};
  auto negative_issues = issues_of(parse_request_search_params(negative, get));
  CHECK(has(negative_issues, "Number must be greater than or equal to 1"));
  CHECK(has(negative_issues, "Expected number, received string"));
  CHECK(negative_issues.size() == 2);
  // A parameter given twice is refused, as a member given twice is.
  std::vector<std::pair<std::string, std::string>> twice{{"limit", "1"}, {"limit", "2"}};
  CHECK(issues_of(parse_request_search_params(twice, get))
        == std::vector<std::string>{"Duplicate key 'limit': a member may appear once"});
}
