#include "actors/crl_publisher.hpp"

#include <utility>

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/signer_directory.hpp"
#include "engine/time_format.hpp"
#include "storage/store.hpp"

namespace certmint {

namespace {

using publisher_pointer = crl_publisher_actor::stateful_pointer<crl_publisher_state>;

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
      .then([self, ca_id](caf::ok_atom) { self->state.in_flight.erase(ca_id); },
            [self, ca_id](caf::error&) { self->state.in_flight.erase(ca_id); });
}

void publish(publisher_pointer self, const std::string& ca_id) {
  auto& st = self->state;
  if (st.in_flight.count(ca_id) > 0)
    return;
  auto ca = st.db->get_record<ca_record>(column::cas, ca_id);
  if (!ca || !*ca || (*ca)->certificate_der.empty())
    return;
  // A CA without signers (disabled, or not active yet) keeps the CRL it
  // last signed; it gets a new one when its signers start.
  auto signer = st.signers->pick(ca_id);
  if (!signer)
    return;
  auto stored = st.db->get(column::crls, (*ca)->crl_id);
  if (!stored)
    return;
  auto now = unix_now();
  crl_record crl;
  crl.id = (*ca)->crl_id;
  crl.ca_id = ca_id;
  crl.number = 1;
  if (*stored) {
    auto previous = decode_record<crl_record>(**stored);
    if (!previous)
      return;
    if (now < previous->this_update + st.options.refresh_after.count())
      return;
    crl.number = previous->number + 1;
  }
  crl.this_update = now;
  crl.next_update = now + st.options.validity.count();
  st.in_flight.insert(ca_id);
  crl_contents contents{crl.number, crl.this_update, crl.next_update};
  self->request(signer, st.options.timeout, atom::sign_crl_v, contents)
      .then(
          [self, crl, replaced = std::move(*stored)](std::string& der) mutable {
            crl.der = std::move(der);
            store_crl(self, crl, replaced);
          },
          [self, ca_id](caf::error&) { self->state.in_flight.erase(ca_id); });
}

void sweep(publisher_pointer self) {
  auto cas = self->state.db->load_all<ca_record>(column::cas);
  if (cas)
    for (const auto& ca : *cas)
      publish(self, ca.id);
  self->delayed_send(self, self->state.options.sweep_interval, atom::sweep_v);
}

} // namespace

crl_publisher_actor::behavior_type
crl_publisher(publisher_pointer self, std::shared_ptr<const store> db, storage_writer_actor writer,
              std::shared_ptr<signer_directory> signers, crl_publisher_options options) {
  self->state.db = std::move(db);
  self->state.writer = std::move(writer);
  self->state.signers = std::move(signers);
  self->state.options = options;
  self->send(self, atom::sweep_v);
  return {
      [self](atom::publish, const std::string& ca_id) { publish(self, ca_id); },
      [self](atom::sweep) { sweep(self); },
  };
}

crl_publisher_actor spawn_crl_publisher(caf::actor_system& sys, std::shared_ptr<const store> db,
                                        storage_writer_actor writer,
                                        std::shared_ptr<signer_directory> signers,
                                        crl_publisher_options options) {
  return sys.spawn(crl_publisher, std::move(db), std::move(writer), std::move(signers), options);
}

} // namespace certmint
