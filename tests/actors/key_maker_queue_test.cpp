#include <catch2/catch.hpp>

#include <future>
#include <memory>
#include <string>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/caf_error.hpp"
#include "actors/key_maker_queue.hpp"
#include "actors/key_pool.hpp"
#include "actors/system_config.hpp"
#include "engine/key_generator.hpp"

using namespace certmint;

namespace {

struct stand_in_state {
  static inline const char* name = "stand-in-key-maker";
};

// A key maker that waits for `go` before its first key, makes P-256 keys
// whatever it is asked for, refuses RSA-4096, and counts what it served.
key_maker_actor::behavior_type stand_in_maker(key_maker_actor::stateful_pointer<stand_in_state>,
                                              const std::shared_future<void>& go,
                                              const std::shared_ptr<std::atomic<int>>& served) {
  return {
      [go, served](atom::make_key, key_algorithm alg) -> caf::result<pooled_key> {
        go.wait();
        ++*served;
        if (alg == key_algorithm::rsa_4096)
          return to_caf_error(make_failure(errc::internal, "this maker makes no RSA-4096 key"));
        auto key = generate_key(key_algorithm::ec_p256);
        return pooled_key{std::shared_ptr<EVP_PKEY>{key->release(), EVP_PKEY_free}};
      },
  };
}

} // namespace

TEST_CASE("the key maker queue gives each key to a free maker, never one behind a slow key",
          "[actors][keys]") {
  system_config cfg{2};
  caf::actor_system sys{cfg};
  std::promise<void> release_slow;
  std::promise<void> fast_now;
  fast_now.set_value();
  auto slow_served = std::make_shared<std::atomic<int>>(0);
  auto fast_served = std::make_shared<std::atomic<int>>(0);
  auto slow =
      sys.spawn<caf::detached>(stand_in_maker, release_slow.get_future().share(), slow_served);
  auto fast = sys.spawn<caf::detached>(stand_in_maker, fast_now.get_future().share(), fast_served);
  auto queue = spawn_key_maker_queue(sys, {slow, fast});
  {
    caf::scoped_actor self{sys};
    // Six keys at once: one goes to the slow maker, which holds it until
    // the five others are answered. Makers picked in turn would put three
    // of them behind it, and the receive below would time out.
    constexpr int keys = 6;
    for (int i = 0; i < keys; ++i)
      self->send(queue, atom::make_key_v, key_algorithm::ec_p256);
    auto receive_key = [&self] {
      bool got = false;
      self->receive([&got](pooled_key& made) { got = made.key != nullptr; },
                    [](caf::error& err) { FAIL(to_string(err)); },
                    caf::after(std::chrono::seconds(10)) >> [] { FAIL("no key within 10 s"); });
      return got;
    };
    for (int i = 0; i < keys - 1; ++i)
      CHECK(receive_key());
    CHECK(fast_served->load() == keys - 1);
    CHECK(slow_served->load() == 0);
    release_slow.set_value();
    CHECK(receive_key());
    CHECK(slow_served->load() == 1);
  }
  for (const auto& handle : {caf::actor_cast<caf::actor>(queue), caf::actor_cast<caf::actor>(slow),
                             caf::actor_cast<caf::actor>(fast)})
    caf::anon_send_exit(handle, caf::exit_reason::user_shutdown);
}

TEST_CASE("the key maker queue passes a maker's error on, and the maker works again",
          "[actors][keys]") {
  system_config cfg{2};
  caf::actor_system sys{cfg};
  std::promise<void> now;
  now.set_value();
  auto served = std::make_shared<std::atomic<int>>(0);
  auto maker = sys.spawn<caf::detached>(stand_in_maker, now.get_future().share(), served);
  auto queue = spawn_key_maker_queue(sys, {maker});
  {
    caf::scoped_actor self{sys};
    self->request(queue, std::chrono::seconds(10), atom::make_key_v, key_algorithm::rsa_4096)
        .receive([](pooled_key&) { FAIL("a key where the maker refused"); },
                 [](caf::error& err) {
                   auto why = from_caf_error(err);
                   CHECK(why.code == errc::internal);
                   CHECK(why.message == "this maker makes no RSA-4096 key");
                 });
    self->request(queue, std::chrono::seconds(10), atom::make_key_v, key_algorithm::ec_p256)
        .receive([](pooled_key& made) { CHECK(made.key != nullptr); },
                 [](caf::error& err) { FAIL(to_string(err)); });
    CHECK(served->load() == 2);
  }
  caf::anon_send_exit(queue, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(maker, caf::exit_reason::user_shutdown);
}

TEST_CASE("real key makers behind the queue make keys of the algorithm asked for",
          "[actors][keys]") {
  system_config cfg{2};
  caf::actor_system sys{cfg};
  std::vector<key_maker_actor> makers{spawn_key_maker(sys, false), spawn_key_maker(sys, false)};
  auto queue = spawn_key_maker_queue(sys, makers);
  {
    caf::scoped_actor self{sys};
    for (auto alg : {key_algorithm::ec_p256, key_algorithm::ec_p384, key_algorithm::rsa_2048})
      self->request(queue, std::chrono::seconds(60), atom::make_key_v, alg)
          .receive(
              [alg](pooled_key& made) {
                REQUIRE(made.key != nullptr);
                CHECK(EVP_PKEY_get_bits(made.key.get())
                      == (alg == key_algorithm::rsa_2048  ? 2048
                          : alg == key_algorithm::ec_p384 ? 384
                                                          : 256));
              },
              [](caf::error& err) { FAIL(to_string(err)); });
  }
  caf::anon_send_exit(queue, caf::exit_reason::user_shutdown);
  for (auto& maker : makers)
    caf::anon_send_exit(maker, caf::exit_reason::user_shutdown);
}
