#include "actors/crl_publisher.hpp"

#include <utility>

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/signer.hpp"
#include "actors/signer_directory.hpp"
#include "engine/time_format.hpp"
#include "storage/ca_material.hpp"
#include "storage/key_sealer.hpp"
#include "storage/revocation.hpp"
#include "storage/store.hpp"

namespace certmint {

namespace {

using publisher_pointer = crl_publisher_actor::stateful_pointer<crl_publisher_state>;

void publish(publisher_pointer self, const std::string& ca_id, bool now_due);

// The CA's CRL is no longer in flight; one that a revocation made stale
// meanwhile is signed again.
void landed(publisher_pointer self, const std::string& ca_id) {
  auto& st = self->state;
  st.in_flight.erase(ca_id);
  if (st.stale.erase(ca_id) > 0)
    publish(self, ca_id, true);
}

// Stores `crl` in place of `replaced` (the stored bytes, or none): a CRL
// written meanwhile by another path wins, and this one is dropped.
void store_crl(publisher_pointer self, const crl_record& crl,
               const std::optional<std::string>& replaced) {
  transaction tx;
  auto lost = make_failure(errc::conflict, "the CRL changed while it was signed");
  if (replaced)
    tx.expect_value(column::crls, crl.id, *replaced, std::move(lost));
  else
    tx.conditions.push_back(
        {precondition::kind::absent, column::crls, crl.id, {}, std::move(lost), {}});
  tx.put(column::crls, crl.id, crl);
  auto ca_id = crl.ca_id;
  self->request(self->state.writer, self->state.options.timeout, atom::commit_v, std::move(tx))
      .then([self, ca_id](caf::ok_atom) { landed(self, ca_id); },
            [self, ca_id](caf::error&) { landed(self, ca_id); });
}

// One of the CA's signers, or, for a CA without (disabled), a signer made
// for this CRL (`spare` says so: the caller stops it after).
signer_actor signer_for(publisher_pointer self, const ca_record& ca, bool& spare) {
  spare = false;
  if (auto signer = self->state.signers->pick(ca.id))
    return signer;
  key_sealer sealer;
  auto material = load_issuer_material(ca, sealer, self->state.options.public_url);
  if (!material)
    return {};
  spare = true;
  return spawn_signer(self->system(), std::move(*material));
}

// Signs the CA's next CRL if its stored one is missing, a day old, or
// lacks a revocation (`now_due`: the gateway says one was just made; the
// counter finds one whose notice was lost in a crash).
void publish(publisher_pointer self, const std::string& ca_id, bool now_due) {
  auto& st = self->state;
  if (st.in_flight.count(ca_id) > 0) {
    if (now_due)
      st.stale.insert(ca_id);
    return;
  }
  auto ca = st.db->get_record<ca_record>(column::cas, ca_id);
  if (!ca || !*ca || (*ca)->certificate_der.empty())
    return;
  auto stored = st.db->get(column::crls, (*ca)->crl_id);
  if (!stored)
    return;
  // Read before the entries: a revocation that lands in between is listed
  // and counted by the next CRL (one signature more), never missed.
  auto revocations_seen = st.db->counter(revocation_counter_key(ca_id));
  if (!revocations_seen)
    return;
  auto now = unix_now();
  crl_record crl;
  crl.id = (*ca)->crl_id;
  crl.ca_id = ca_id;
  crl.number = 1;
  crl.revocations_seen = *revocations_seen;
  if (*stored) {
    auto previous = decode_record<crl_record>(**stored);
    if (!previous)
      return;
    if (!now_due && now < previous->this_update + st.options.refresh_after.count()
        && previous->revocations_seen == *revocations_seen)
      return;
    crl.number = previous->number + 1;
  }
  crl.this_update = now;
  crl.next_update = now + st.options.validity.count();
  // An entry stays until one CRL's validity after its certificate expired,
  // so it is on at least one scheduled CRL issued after that (RFC 5280
  // §3.3).
  auto revocations = ca_revocations(*st.db, ca_id, now - st.options.validity.count());
  if (!revocations)
    return;
  crl_contents contents{crl.number, crl.this_update, crl.next_update, {}};
  contents.revoked.reserve(revocations->size());
  for (auto& revocation : *revocations)
    contents.revoked.push_back(
        {std::move(revocation.serial), revocation.revoked_at, revocation.reason});
  bool spare = false;
  auto signer = signer_for(self, **ca, spare);
  if (!signer)
    return;
  auto stop_spare = [spare, signer] {
    if (spare)
      caf::anon_send_exit(signer, caf::exit_reason::user_shutdown);
  };
  st.in_flight.insert(ca_id);
  self->request(signer, st.options.timeout, atom::sign_crl_v, std::move(contents))
      .then(
          [self, crl, replaced = std::move(*stored), stop_spare](std::string& der) mutable {
            stop_spare();
            crl.der = std::move(der);
            store_crl(self, crl, replaced);
          },
          [self, ca_id, stop_spare](caf::error&) {
            stop_spare();
            landed(self, ca_id);
          });
}

void sweep(publisher_pointer self) {
  auto cas = self->state.db->load_all<ca_record>(column::cas);
  if (cas)
    for (const auto& ca : *cas)
      publish(self, ca.id, false);
  self->delayed_send(self, self->state.options.sweep_interval, atom::sweep_v);
}

} // namespace

crl_publisher_actor::behavior_type
crl_publisher(publisher_pointer self, std::shared_ptr<const store> db, storage_writer_actor writer,
              std::shared_ptr<signer_directory> signers, crl_publisher_options options) {
  self->state.db = std::move(db);
  self->state.writer = std::move(writer);
  self->state.signers = std::move(signers);
  self->state.options = std::move(options);
  self->send(self, atom::sweep_v);
  return {
      [self](atom::publish, const std::string& ca_id) { publish(self, ca_id, false); },
      [self](atom::revoked, const std::string& ca_id) { publish(self, ca_id, true); },
      [self](atom::sweep) { sweep(self); },
  };
}

crl_publisher_actor spawn_crl_publisher(caf::actor_system& sys, std::shared_ptr<const store> db,
                                        storage_writer_actor writer,
                                        std::shared_ptr<signer_directory> signers,
                                        crl_publisher_options options) {
  return sys.spawn(crl_publisher, std::move(db), std::move(writer), std::move(signers),
                   std::move(options));
}

} // namespace certmint
