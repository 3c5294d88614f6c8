#include <catch2/catch.hpp>

#include "storage/codec.hpp"
#include "storage/revocation.hpp"
#include "storage/store.hpp"
#include "tests/support/test_pki.hpp"

using namespace certmint;

namespace {

certificate_record stored_certificate(store& db, const std::string& id, const std::string& ca_id,
                                      const std::string& serial, int64_t not_after) {
  certificate_record cert;
  cert.id = id;
  cert.ca_id = ca_id;
  cert.serial = serial;
  cert.not_after = not_after;
  transaction tx;
  tx.put(column::certificates, id, cert);
  auto committed = db.commit(std::move(tx));
  REQUIRE(committed);
  return cert;
}

std::string stored_bytes(const store& db, const std::string& id) {
  auto stored = db.get(column::certificates, id);
  REQUIRE(stored);
  REQUIRE(*stored);
  return **stored;
}

// Revokes `cert`, read as `read` (its bytes now, unless given).
status revoke(store& db, const certificate_record& cert, int64_t at, std::string read = {}) {
  if (read.empty())
    read = stored_bytes(db, cert.id);
  revocation_record revocation{
      cert.id, cert.ca_id, cert.serial, at, revocation_reason::superseded, cert.not_after, "ops"};
  return db.commit(revoke_certificate(cert, std::move(read), revocation,
                                      make_failure(errc::bad_request, "already revoked")));
}

} // namespace

TEST_CASE("revocation records round-trip", "[storage][codec]") {
  revocation_record r{"cert",
                      "ca",
                      std::string("\x01\x00\xff", 3),
                      1795326231,
                      revocation_reason::aa_compromise,
                      1795931031,
                      "ops"};
  auto back = decode_record<revocation_record>(encode_record(r));
  REQUIRE(back);
  CHECK(back->certificate_id == "cert");
  CHECK(back->ca_id == "ca");
  CHECK(back->serial == r.serial);
  CHECK(back->revoked_at == r.revoked_at);
  CHECK(back->reason == revocation_reason::aa_compromise);
  CHECK(back->not_after == r.not_after);
  CHECK(back->revoked_by == "ops");
}

TEST_CASE("a certificate is revoked once; its CA's CRL entries are read by prefix",
          "[storage][revocation]") {
  test::temp_dir dir;
  auto db = *store::open(dir.path());
  const std::string ca_a = "01a2530b-553c-7005-8c16-b837e5f2737a";
  const std::string ca_b = "01a2530b-553c-7005-8c16-b837e5f2737b";
  auto early = stored_certificate(*db, "c1", ca_a, "\x02", 1000);
  auto late = stored_certificate(*db, "c2", ca_a, "\x01", 5000);
  auto other = stored_certificate(*db, "c3", ca_b, "\x03", 5000);
  auto active = stored_certificate(*db, "c4", ca_a, "\x04", 5000);
  auto late_before = stored_bytes(*db, "c2");
  CHECK(revoke(*db, early, 100));
  CHECK(revoke(*db, late, 200));
  CHECK(revoke(*db, other, 300));

  // A revocation that read the certificate before another revoked it finds
  // it changed.
  auto again = revoke(*db, late, 400, late_before);
  REQUIRE_FALSE(again);
  CHECK(again.error().message == "already revoked");

  auto stored_late = db->get_record<certificate_record>(column::certificates, "c2");
  REQUIRE(stored_late);
  CHECK((*stored_late)->status == certificate_status::revoked);
  auto found = find_revocation(*db, **stored_late);
  REQUIRE(found);
  REQUIRE(*found);
  CHECK((*found)->revoked_at == 200);
  CHECK((*found)->reason == revocation_reason::superseded);
  auto none = find_revocation(*db, active);
  REQUIRE(none);
  CHECK_FALSE(*none);

  // Serial order, one CA only, and certificates expired before the bound
  // left out.
  auto all = ca_revocations(*db, ca_a, 0);
  REQUIRE(all);
  REQUIRE(all->size() == 2);
  CHECK((*all)[0].certificate_id == "c2");
  CHECK((*all)[1].certificate_id == "c1");
  auto current = ca_revocations(*db, ca_a, 1001);
  REQUIRE(current);
  REQUIRE(current->size() == 1);
  CHECK(current->front().certificate_id == "c2");
  auto of_b = ca_revocations(*db, ca_b, 0);
  REQUIRE(of_b);
  CHECK(of_b->size() == 1);
  // Each CA counts its revocations; the refused one is not counted.
  CHECK(*db->counter(revocation_counter_key(ca_a)) == 2);
  CHECK(*db->counter(revocation_counter_key(ca_b)) == 1);
}
