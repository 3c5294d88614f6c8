#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include "engine/identifiers.hpp"
#include "gateway/authenticator.hpp"
#include "storage/store.hpp"
#include "tests/support/test_pki.hpp"

using namespace certmint;

namespace {

identity_record identity(const std::string& name, uint8_t roles) {
  identity_record out;
  out.name = name;
  out.roles = roles;
  out.token_id = "id-" + name;
  return out;
}

status put_token(store& db, const std::string& token, const identity_record& who) {
  transaction tx;
  tx.put(column::tokens, token_digest(token), who);
  return db.commit(std::move(tx));
}

status revoke_token(store& db, const std::string& token) {
  transaction tx;
  tx.mutations.push_back({column::tokens, token_digest(token), std::nullopt});
  return db.commit(std::move(tx));
}

std::string bearer(const std::string& token) {
  return "Bearer " + token;
}

// A store in a temporary directory holding two tokens, and an authenticator
// on it.
struct two_tokens {
  test::temp_dir dir;
  std::shared_ptr<store> db = std::move(*store::open(dir.path()));
  authenticator auth{db};

  two_tokens() {
    REQUIRE(put_token(*db, "cm_alice", identity("alice", role_issue)));
    REQUIRE(put_token(*db, "cm_bob", identity("bob", role_read)));
  }
};

} // namespace

TEST_CASE_METHOD(two_tokens,
                 "the authenticator answers from the store's current tokens, cached or not",
                 "[gateway][authenticator]") {

  for (int pass = 0; pass < 2; ++pass) { // read from the store, then from memory
    auto alice = auth.authenticate(bearer("cm_alice"));
    REQUIRE(alice);
    CHECK(alice->name == "alice");
    CHECK(alice->roles == role_issue);
  }
  REQUIRE(auth.authenticate(bearer("cm_bob")));

  SECTION("a revoked token is refused by the next call") {
    REQUIRE(revoke_token(*db, "cm_alice"));
    auto refused = auth.authenticate(bearer("cm_alice"));
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == errc::unauthorized);
    CHECK(refused.error().message == "Invalid or revoked token");
    CHECK(auth.authenticate(bearer("cm_bob"))); // the others still pass
  }
  SECTION("changed roles count from the next call") {
    REQUIRE(put_token(*db, "cm_alice", identity("alice", role_read)));
    auto alice = auth.authenticate(bearer("cm_alice"));
    REQUIRE(alice);
    CHECK(alice->roles == role_read);
  }
  SECTION("a token stored after an unknown one was refused passes") {
    REQUIRE_FALSE(auth.authenticate(bearer("cm_carol")));
    REQUIRE(put_token(*db, "cm_carol", identity("carol", role_read)));
    CHECK(auth.authenticate(bearer("cm_carol")));
  }
  SECTION("more tokens than the cache holds all pass") {
    constexpr size_t count = authenticator::max_cached_tokens + 10;
    transaction tx;
    for (size_t i = 0; i < count; ++i)
      tx.put(column::tokens, token_digest("cm_many" + std::to_string(i)),
             identity("many" + std::to_string(i), role_read));
    auto committed = db->commit(std::move(tx));
    REQUIRE(committed);
    for (int pass = 0; pass < 2; ++pass)
      for (size_t i = 0; i < count; ++i) {
        auto who = auth.authenticate(bearer("cm_many" + std::to_string(i)));
        REQUIRE(who);
        REQUIRE(who->name == "many" + std::to_string(i));
      }
  }
}

TEST_CASE_METHOD(two_tokens, "the authenticator refuses malformed authorization headers",
                 "[gateway][authenticator][malformed]") {
  for (const char* header : {"", "Bearer ", "Bearer", "bearer cm_alice", "Basic cm_alice",
                             "Bearer cm_alice ", "Bearer  cm_alice", "cm_alice"}) {
    INFO(header);
    auto refused = auth.authenticate(header);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == errc::unauthorized);
  }
}

TEST_CASE_METHOD(two_tokens,
                 "no call that starts after a revocation's commit returned passes, on any thread",
                 "[gateway][authenticator]") {
  std::atomic<bool> revoked{false};
  std::atomic<bool> stop{false};
  std::atomic<int> late_passes{0};
  std::atomic<int> calls{0};
  std::vector<std::thread> readers;
  readers.reserve(3);
  for (int t = 0; t < 3; ++t)
    readers.emplace_back([&] {
      while (!stop.load()) {
        bool after = revoked.load();
        if (auth.authenticate(bearer("cm_alice")) && after)
          ++late_passes;
        auth.authenticate(bearer("cm_bob")); // keeps refilling the cache
        ++calls;
      }
    });
  while (calls.load() < 300)
    std::this_thread::yield();
  // Other writes to the tokens column move the count too.
  for (int i = 0; i < 20; ++i)
    REQUIRE(put_token(*db, "cm_other" + std::to_string(i), identity("other", role_read)));
  REQUIRE(revoke_token(*db, "cm_alice"));
  revoked = true;
  auto seen = calls.load();
  while (calls.load() < seen + 300)
    std::this_thread::yield();
  stop = true;
  for (auto& reader : readers)
    reader.join();
  CHECK(late_passes.load() == 0);
}
