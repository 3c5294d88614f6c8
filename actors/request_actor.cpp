#include "actors/request_actor.hpp"

#include <optional>

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/caf_error.hpp"
#include "actors/signer_directory.hpp"
#include "engine/certificate_builder.hpp"
#include "engine/hex.hpp"
#include "engine/identifiers.hpp"
#include "engine/key_generator.hpp"
#include "engine/pem.hpp"
#include "engine/time_format.hpp"

namespace certmint {

namespace {

using self_ptr = request_actor::stateful_pointer<request_state>;

void reserve(self_ptr self);

// Replies (unless the client already has its asynchronous answer, or the
// request is a recovered one nobody waits for) and quits.
void finish(self_ptr self, issuance_result result) {
  if (self->state.promise.pending())
    self->state.promise.deliver(std::move(result));
  self->quit();
}

void finish(self_ptr self, failure err) {
  if (self->state.promise.pending())
    self->state.promise.deliver(to_caf_error(std::move(err)));
  self->quit();
}

// Moves a reserved request to `failed` (if it is still pending), then
// reports the original error to the client.
void fail_reserved(self_ptr self, failure err) {
  auto& st = self->state;
  st.record.status = request_status::failed;
  st.record.error_message = err.message;
  st.record.updated_at = unix_now();
  transaction tx;
  tx.conditions.push_back({precondition::kind::request_in_status,
                           column::requests,
                           st.record.id,
                           request_status::pending,
                           {}});
  tx.put(column::requests, st.record.id, st.record);
  tx.mutations.push_back({column::pending_requests, st.record.id, std::nullopt});
  self->request(st.services->writer, st.services->stage_timeout, atom::commit_v, std::move(tx))
      .then([self, err](caf::ok_atom) mutable { finish(self, std::move(err)); },
            [self, err](caf::error&) mutable { finish(self, std::move(err)); });
}

issuance_result pending_result(const request_state& st) {
  issuance_result out;
  out.request_id = st.record.id;
  out.status = std::string{to_string(request_status::pending)};
  return out;
}

issuance_result make_result(const request_state& st, const std::string& der) {
  issuance_result out;
  out.request_id = st.record.id;
  out.status = std::string{to_string(request_status::issued)};
  out.certificate_id = st.record.certificate_id;
  out.serial_hex = to_hex(st.record.serial);
  out.certificate_pem = pem_encode("CERTIFICATE", der);
  if (st.self_signed) {
    out.chain_pem = {out.certificate_pem};
  } else {
    out.issuing_ca_pem = st.chain_pem.empty() ? std::string{} : st.chain_pem.front();
    out.chain_pem = st.chain_pem;
  }
  out.private_key_pem = st.private_key_pem;
  return out;
}

void complete(self_ptr self, std::string der) {
  auto& st = self->state;
  auto now = unix_now();
  certificate_record cert;
  cert.id = make_uuid_v7();
  cert.request_id = st.record.id;
  cert.ca_id = st.record.ca_id;
  cert.profile_id = st.record.profile_id;
  cert.serial = st.record.serial;
  cert.der = der;
  cert.subject = st.record.plan.subject;
  cert.sans = st.record.plan.sans;
  cert.key_usages = st.record.plan.key_usages;
  cert.ext_key_usages = st.record.plan.ext_key_usages;
  cert.key_alg = st.record.plan.key_alg;
  cert.signature_alg = st.record.plan.signature_alg;
  cert.not_before = st.record.plan.not_before;
  cert.not_after = st.record.plan.not_after;
  cert.metadata = st.record.metadata;
  cert.created_at = now;
  st.record.status = request_status::issued;
  st.record.certificate_id = cert.id;
  st.record.updated_at = now;
  transaction tx;
  tx.conditions.push_back(
      {precondition::kind::request_in_status, column::requests, st.record.id,
       request_status::pending,
       make_failure(errc::not_pending,
                    "Certificate request is no longer pending, so the operation was aborted")});
  tx.put(column::certificates, cert.id, cert);
  tx.mutations.push_back({column::profile_certificates, cert.profile_id + cert.id, std::string{}});
  tx.put(column::requests, st.record.id, st.record);
  tx.mutations.push_back({column::pending_requests, st.record.id, std::nullopt});
  self->request(st.services->writer, st.services->stage_timeout, atom::commit_v, std::move(tx))
      .then([self,
             der = std::move(der)](caf::ok_atom) { finish(self, make_result(self->state, der)); },
            [self](caf::error& err) {
              auto why = from_caf_error(err);
              if (why.code == errc::not_pending) {
                finish(self, std::move(why));
                return;
              }
              self->state.record.certificate_id.clear();
              self->state.record.status = request_status::pending;
              fail_reserved(self, std::move(why));
            });
}

void sign(self_ptr self) {
  auto& st = self->state;
  if (st.self_signed) {
    // A self-signed certificate is signed by its own, freshly made key: no
    // CA key is involved, so no signer either.
    auto der = sign_self_signed(st.generated_key.get(), st.record.serial, st.record.plan);
    if (!der)
      fail_reserved(self, std::move(der).error());
    else
      complete(self, std::move(*der));
    return;
  }
  auto signer = st.services->signers->pick(st.record.ca_id);
  if (!signer) {
    fail_reserved(
        self, make_failure(errc::unavailable, "no signer is available for CA " + st.record.ca_id));
    return;
  }
  signing_order order{st.record.id, st.record.serial, st.record.plan};
  self->request(signer, st.services->stage_timeout, atom::sign_v, std::move(order))
      .then([self](std::string& der) { complete(self, std::move(der)); },
            [self](caf::error& err) { fail_reserved(self, from_caf_error(err)); });
}

// Makes the request durable as `pending` with a serial that no other
// certificate of this CA has (checked by the writer against the index).
void reserve(self_ptr self) {
  auto& st = self->state;
  st.record.serial = make_serial();
  transaction tx;
  auto serial_key = serial_index_key(st.record.ca_id, st.record.serial);
  tx.conditions.push_back({precondition::kind::absent, column::serials, serial_key,
                           request_status::pending,
                           make_failure(errc::serial_collision, "serial already in use")});
  tx.put(column::requests, st.record.id, st.record);
  tx.mutations.push_back({column::serials, std::move(serial_key), st.record.id});
  if (!st.idempotency_key.empty()) {
    // The key is claimed in the same batch as the request: of two
    // concurrent retries, exactly one reserves; the other finds the key.
    tx.conditions.push_back({precondition::kind::absent, column::idempotency, st.idempotency_key,
                             request_status::pending,
                             make_failure(errc::conflict, "Idempotency-Key already used")});
    st.idempotency.request_id = st.record.id;
    tx.put(column::idempotency, st.idempotency_key, st.idempotency);
  }
  tx.mutations.push_back({column::pending_requests, st.record.id, std::string{}});
  self->request(st.services->writer, st.services->stage_timeout, atom::commit_v, std::move(tx))
      .then(
          [self](caf::ok_atom) {
            // Durable now: an asynchronous client gets its answer here; a
            // synchronous one gets it if signing outlasts the sync bound.
            if (self->state.respond_async)
              self->state.promise.deliver(pending_result(self->state));
            else
              self->delayed_send(self, self->state.services->sync_wait, atom::fallback_v);
            sign(self);
          },
          [self](caf::error& err) {
            auto why = from_caf_error(err);
            if (why.code == errc::serial_collision && --self->state.reservations_left > 0) {
              reserve(self);
              return;
            }
            finish(self, std::move(why));
          });
}

// The request passed its policy: make the key where the server makes it,
// and describe the request as it will be stored.
std::optional<failure> accept(self_ptr self, checked_issuance& checked) {
  auto& st = self->state;
  st.self_signed = checked.self_signed;
  st.chain_pem = std::move(checked.chain_pem);
  auto& plan = checked.plan;
  if (plan.public_key_der.empty()) {
    auto key = generate_key(plan.key_alg);
    if (!key)
      return std::move(key).error();
    plan.public_key_der = public_key_to_der(key->get());
    st.private_key_pem = private_key_to_pkcs8_pem(key->get());
    st.generated_key = std::move(*key);
  }
  auto now = unix_now();
  auto& rec = st.record;
  rec.id = make_uuid_v7();
  rec.status = request_status::pending;
  rec.profile_id = std::move(checked.profile_id);
  rec.ca_id = std::move(checked.ca_id);
  rec.managed_key = st.generated_key != nullptr;
  rec.plan = std::move(plan);
  rec.created_at = now;
  rec.updated_at = now;
  return std::nullopt;
}

} // namespace

request_actor::behavior_type request_actor_impl(request_actor::stateful_pointer<request_state> self,
                                                std::shared_ptr<const issuance_services> services) {
  self->state.slot = inflight_slot{services->inflight};
  self->state.services = std::move(services);
  return {
      [self](atom::issue, issuance_input& input, std::string& identity,
             bool respond_async) -> caf::result<issuance_result> {
        auto& st = self->state;
        st.promise = self->make_response_promise<issuance_result>();
        st.respond_async = respond_async;
        st.record.csr_pem = input.csr.value_or("");
        st.idempotency_key = input.idempotency_key;
        st.idempotency.body_digest = input.body_digest;
        st.idempotency.expires_at = input.idempotency_expires_at;
        st.record.metadata = input.metadata;
        st.record.requested_by = std::move(identity);
        auto checker = st.services->checkers->pick();
        self->request(checker, st.services->stage_timeout, atom::check_v, std::move(input))
            .then(
                [self](checked_issuance& checked) {
                  if (auto err = accept(self, checked))
                    finish(self, std::move(*err));
                  else
                    reserve(self);
                },
                [self](caf::error& err) { finish(self, from_caf_error(err)); });
        return st.promise;
      },
      [self](atom::resume, request_record& record) {
        // A request found pending at start: it was durable, so its serial and
        // plan are final; it is signed with exactly those. A server-generated
        // key was never stored, so such a request cannot finish.
        auto& st = self->state;
        st.record = std::move(record);
        if (st.record.managed_key) {
          fail_reserved(self, make_failure(errc::unavailable,
                                           "certmint restarted before this request was signed, and "
                                           "the key it generated for it was not kept; submit the "
                                           "request again"));
          return;
        }
        sign(self);
      },
      [self](atom::fallback) {
        if (self->state.promise.pending())
          self->state.promise.deliver(pending_result(self->state));
      },
  };
}

request_actor spawn_request_actor(caf::actor_system& sys,
                                  std::shared_ptr<const issuance_services> services) {
  return sys.spawn(request_actor_impl, std::move(services));
}

} // namespace certmint
