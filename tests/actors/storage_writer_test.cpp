#include <catch2/catch.hpp>

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include "actors/caf_error.hpp"
#include "actors/storage_writer.hpp"
#include "actors/system_config.hpp"
#include "storage/store.hpp"
#include "tests/support/store_transactions.hpp"
#include "tests/support/test_pki.hpp"

using namespace certmint;
using certmint::test::reserve;

TEST_CASE("the storage writer answers every transaction of a burst", "[actors][writer]") {
  test::temp_dir dir;
  std::shared_ptr<store> db = *store::open(dir.path());
  system_config cfg{2};
  caf::actor_system sys{cfg};
  auto writer = spawn_storage_writer(sys, db);
  {
    caf::scoped_actor self{sys};
    constexpr int burst = 200;
    // Fire the whole burst before reading any answer, so the writer finds
    // many transactions in its mailbox at once; one of every 50 collides.
    for (int i = 0; i < burst; ++i) {
      auto serial = i % 50 == 49 ? std::string{"ca:0"} : "ca:" + std::to_string(i);
      self->send(writer, atom::commit_v, reserve("r" + std::to_string(i), serial));
    }
    int ok = 0;
    int collisions = 0;
    for (int i = 0; i < burst; ++i)
      self->receive([&](caf::ok_atom) { ++ok; },
                    [&](caf::error& err) {
                      CHECK(from_caf_error(err).code == errc::serial_collision);
                      ++collisions;
                    });
    CHECK(ok == burst - 4);
    CHECK(collisions == 4);
    self->request(writer, std::chrono::seconds(10), atom::flush_v)
        .receive([](caf::ok_atom) {}, [](caf::error& err) { FAIL(to_string(err)); });
    for (int i = 0; i < burst; ++i) {
      auto stored = db->get_record<request_record>(column::requests, "r" + std::to_string(i));
      REQUIRE(stored);
      CHECK(stored->has_value() == (i % 50 != 49));
    }
  }
  caf::anon_send_exit(writer, caf::exit_reason::user_shutdown);
}
