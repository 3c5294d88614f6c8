#include <catch2/catch.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <thread>

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include <openssl/x509.h>

#include "actors/crl_publisher.hpp"
#include "actors/signer.hpp"
#include "actors/signer_directory.hpp"
#include "actors/storage_writer.hpp"
#include "actors/system_config.hpp"
#include "engine/pem.hpp"
#include "engine/time_format.hpp"
#include "storage/ca_factory.hpp"
#include "storage/ca_material.hpp"
#include "storage/key_sealer.hpp"
#include "storage/revocation.hpp"
#include "storage/store.hpp"
#include "tests/support/test_pki.hpp"

using namespace certmint;

namespace {

// A root CA stored in `db`, self-signed.
ca_record stored_root(store& db, const std::string& name) {
  key_sealer sealer;
  auto now = unix_now();
  subject_fields subject;
  subject.common_name = name;
  auto ca = make_ca(name, name, ca_type::root, subject, key_algorithm::ec_p256, -1, sealer, now);
  REQUIRE(ca);
  REQUIRE(self_sign_root(*ca, now, now + int64_t{365} * 86400));
  transaction tx;
  tx.put(column::cas, ca->record.id, ca->record);
  auto committed = db.commit(std::move(tx));
  REQUIRE(committed);
  return ca->record;
}

std::optional<crl_record> stored_crl(const store& db, const ca_record& ca) {
  auto crl = db.get_record<crl_record>(column::crls, ca.crl_id);
  REQUIRE(crl);
  return *crl;
}

// Waits (up to 10 s) until the CA's stored CRL has at least `number`.
std::optional<crl_record> await_crl(const store& db, const ca_record& ca, uint64_t number) {
  for (int i = 0; i < 1000; ++i) {
    auto crl = stored_crl(db, ca);
    if (crl && crl->number >= number)
      return crl;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return std::nullopt;
}

void check_signed_by(const crl_record& crl, const ca_record& ca) {
  const auto* p = reinterpret_cast<const unsigned char*>(crl.der.data());
  X509_CRL* parsed = d2i_X509_CRL(nullptr, &p, static_cast<long>(crl.der.size()));
  REQUIRE(parsed != nullptr);
  auto cert = certificate_from_der(ca.certificate_der);
  REQUIRE(cert);
  CHECK(X509_CRL_verify(parsed, X509_get0_pubkey(cert->get())) == 1);
  CHECK(ASN1_TIME_cmp_time_t(X509_CRL_get0_lastUpdate(parsed), crl.this_update) == 0);
  CHECK(ASN1_TIME_cmp_time_t(X509_CRL_get0_nextUpdate(parsed), crl.next_update) == 0);
  X509_CRL_free(parsed);
}

// A store, a storage writer and a signer directory: what the publisher
// works with in the server.
struct publisher_world {
  test::temp_dir dir;
  std::shared_ptr<store> db = *store::open(dir.path());
  system_config cfg{2};
  caf::actor_system sys{cfg};
  storage_writer_actor writer = spawn_storage_writer(sys, db);
  std::shared_ptr<signer_directory> signers = std::make_shared<signer_directory>();

  publisher_world() = default;
  publisher_world(const publisher_world&) = delete;
  publisher_world& operator=(const publisher_world&) = delete;

  ~publisher_world() {
    for (auto& signer : signers->release_all())
      caf::anon_send_exit(signer, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(writer, caf::exit_reason::user_shutdown);
  }

  void start_signer(const ca_record& ca) {
    key_sealer sealer;
    auto material = load_issuer_material(ca, sealer, "http://127.0.0.1:1");
    REQUIRE(material);
    signers->add_pool(ca.id, {spawn_signer(sys, std::move(*material))});
  }

  crl_publisher_actor publisher(const crl_publisher_options& options) {
    return spawn_crl_publisher(sys, db, writer, signers, options);
  }

  // A root with a signer, and a publisher (default options) that signed
  // its first CRL.
  std::pair<ca_record, crl_publisher_actor> root_with_first_crl();

  // Stores a certificate of `ca` with a one-byte serial and revokes it
  // through the writer, as the gateway does.
  void revoke(const ca_record& ca, char serial) {
    certificate_record cert;
    cert.id = "cert-" + std::to_string(serial);
    cert.ca_id = ca.id;
    cert.serial = std::string(1, serial);
    cert.not_after = unix_now() + 3600;
    revocation_record revocation{
        cert.id,        ca.id, cert.serial, unix_now(), revocation_reason::key_compromise,
        cert.not_after, "ops"};
    transaction put;
    put.put(column::certificates, cert.id, cert);
    commit(std::move(put));
    commit(revoke_certificate(cert, encode_record(cert), revocation,
                              make_failure(errc::bad_request, "already revoked")));
  }

  void commit(transaction tx) {
    caf::scoped_actor self{sys};
    self->request(writer, std::chrono::seconds(10), atom::commit_v, std::move(tx))
        .receive([](caf::ok_atom) {}, [](caf::error& err) { FAIL(to_string(err)); });
  }
};

// Waits (up to 10 s) until the CA's stored CRL lists `count` certificates.
std::optional<crl_record> await_listing(const store& db, const ca_record& ca, int count) {
  for (int i = 0; i < 1000; ++i) {
    auto crl = stored_crl(db, ca);
    if (crl) {
      const auto* p = reinterpret_cast<const unsigned char*>(crl->der.data());
      X509_CRL* parsed = d2i_X509_CRL(nullptr, &p, static_cast<long>(crl->der.size()));
      REQUIRE(parsed != nullptr);
      auto listed = sk_X509_REVOKED_num(X509_CRL_get_REVOKED(parsed));
      X509_CRL_free(parsed);
      if (listed == count)
        return crl;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return std::nullopt;
}

} // namespace

TEST_CASE("the CRL publisher signs a CRL for each CA and re-signs it when due", "[actors][crl]") {
  publisher_world world;
  auto& db = world.db;
  auto active = stored_root(*db, "Active Root");
  auto without_signers = stored_root(*db, "Root Without Signers");
  world.start_signer(active);
  crl_publisher_options options;
  options.refresh_after = std::chrono::seconds{1};
  options.validity = std::chrono::seconds{3600};
  options.sweep_interval = std::chrono::milliseconds{100};
  auto publisher = world.publisher(options);

  // The sweep at start signs the first; later sweeps re-sign once a CRL is
  // a second old, each with the next number.
  auto first = await_crl(*db, active, 1);
  REQUIRE(first);
  CHECK(first->number == 1);
  CHECK(first->ca_id == active.id);
  CHECK(first->id == active.crl_id);
  CHECK(first->next_update == first->this_update + 3600);
  check_signed_by(*first, active);
  auto later = await_crl(*db, active, 3);
  REQUIRE(later);
  CHECK(later->this_update >= first->this_update + 2);
  check_signed_by(*later, active);
  // A CA without signers (disabled) gets its CRL from a signer made for it.
  auto spare = await_crl(*db, without_signers, 1);
  REQUIRE(spare);
  check_signed_by(*spare, without_signers);
  caf::anon_send_exit(publisher, caf::exit_reason::user_shutdown);
}

std::pair<ca_record, crl_publisher_actor> publisher_world::root_with_first_crl() {
  auto ca = stored_root(*db, "Root");
  start_signer(ca);
  auto started = publisher({});
  REQUIRE(await_crl(*db, ca, 1));
  return {ca, started};
}

TEST_CASE("a fresh CRL is not signed again when the publisher is told or restarts",
          "[actors][crl]") {
  publisher_world world;
  auto [ca, publisher] = world.root_with_first_crl();
  auto first = stored_crl(*world.db, ca);
  caf::anon_send(publisher, atom::publish_v, ca.id);
  caf::anon_send_exit(publisher, caf::exit_reason::user_shutdown);
  auto again = world.publisher({});
  caf::anon_send(again, atom::publish_v, ca.id);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto now = stored_crl(*world.db, ca);
  REQUIRE(now);
  CHECK(now->number == 1);
  CHECK(now->der == first->der);
  caf::anon_send_exit(again, caf::exit_reason::user_shutdown);
}

TEST_CASE("a revocation has the CA's CRL signed at once, listing it", "[actors][crl]") {
  publisher_world world;
  auto [ca, publisher] = world.root_with_first_crl();

  // Revoked through the storage writer, as the gateway does; a burst of
  // notices is signed as few CRLs, the last listing every revocation.
  for (int i = 0; i < 3; ++i) {
    world.revoke(ca, static_cast<char>(0x10 + i));
    caf::anon_send(publisher, atom::revoked_v, ca.id);
  }
  auto listing = await_listing(*world.db, ca, 3);
  REQUIRE(listing);
  CHECK(listing->number >= 2);
  CHECK(listing->number <= 4);
  check_signed_by(*listing, ca);
  caf::anon_send_exit(publisher, caf::exit_reason::user_shutdown);
}

TEST_CASE("a revocation whose notice was lost is listed after the next start", "[actors][crl]") {
  publisher_world world;
  auto [ca, publisher] = world.root_with_first_crl();
  auto first = stored_crl(*world.db, ca);
  caf::anon_send_exit(publisher, caf::exit_reason::user_shutdown);
  // The revocation is durable, but the server stopped before the publisher
  // heard of it; the stored CRL is fresh, yet lacks it.
  world.revoke(ca, 0x21);
  auto restarted = world.publisher({});
  auto listing = await_listing(*world.db, ca, 1);
  REQUIRE(listing);
  CHECK(listing->number == 2);
  CHECK(listing->revocations_seen == 1);
  caf::anon_send_exit(restarted, caf::exit_reason::user_shutdown);
}
