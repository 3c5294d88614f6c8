#include "actors/request_actor.hpp"

#include <optional>

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/caf_error.hpp"
#include "actors/signer_directory.hpp"
#include "engine/certificate_builder.hpp"
#include "engine/csr.hpp"
#include "engine/hex.hpp"
#include "engine/identifiers.hpp"
#include "engine/key_encoding.hpp"
#include "engine/key_generator.hpp"
#include "engine/pem.hpp"
#include "engine/time_format.hpp"
#include "storage/request_index.hpp"

namespace certmint {

namespace {

using self_ptr = request_actor::stateful_pointer<request_state>;

// Every stage is requested with caf::infinite. A timed request in CAF 0.17
// is an event pushed through the actor clock's mutex-and-condition-variable
// queue, waking the clock thread: three per issuance, measured as the
// largest source of context switches on the hot path. The stages are our
// own actors and always reply; one that exits makes CAF answer what was
// pending with an error; and the client's wait is bounded by the gateway
// (the exchange's deadline), not here.

void reserve(self_ptr self);
void sign(self_ptr self);
void refuse(self_ptr self, failure err);
void claim_idempotency_key(request_state& st, transaction& tx);

// Replies (unless the client already has its asynchronous answer, or the
// request is a recovered one nobody waits for) and quits.
void finish(self_ptr self, result<issuance_result> outcome) {
  if (self->state.awaiting_answer())
    self->state.answer(std::move(outcome));
  self->quit();
}

issuance_result pending_result(const request_state& st) {
  issuance_result out;
  out.request_id = st.record.id;
  out.status = std::string{to_string(request_status::pending)};
  return out;
}

// A stored `pending` request: its client gets its answer ("pending"), the
// backlog drives it on, and this actor is done.
void hand_to_backlog(self_ptr self) {
  auto& st = self->state;
  if (st.awaiting_answer())
    st.answer(pending_result(st));
  if (auto backlog = caf::actor_cast<backlog_actor>(st.services->backlog))
    caf::anon_send(backlog, atom::enqueue_v, st.record.id);
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
  tx.expect_status(st.record.id, request_status::pending, {});
  stage_request(tx, st.record, request_status::pending);
  self->request(st.services->writer, caf::infinite, atom::commit_v, std::move(tx))
      .then([self, err](caf::ok_atom) mutable { finish(self, std::move(err)); },
            [self, err](caf::error&) mutable { finish(self, std::move(err)); });
}

issuance_result make_result(const request_state& st, const std::string& der) {
  issuance_result out;
  out.request_id = st.record.id;
  out.status = std::string{to_string(request_status::issued)};
  out.certificate_id = st.record.certificate_id;
  out.serial_hex = to_hex(st.record.serial);
  out.certificate_der = der;
  if (st.self_signed) {
    out.chain_pem = {pem_encode("CERTIFICATE", der)};
  } else {
    out.issuing_ca_pem = st.chain_pem.empty() ? std::string{} : st.chain_pem.front();
    out.chain_pem = st.chain_pem;
  }
  out.private_key_pem = st.private_key_pem;
  return out;
}

// The serial must be unused in the CA (checked by the writer against the
// serial index, in the same batch that claims it).
void reserve_serial(const request_state& st, transaction& tx) {
  auto serial_key = serial_index_key(st.record.ca_id, st.record.serial);
  tx.conditions.push_back({precondition::kind::absent,
                           column::serials,
                           serial_key,
                           request_status::pending,
                           make_failure(errc::serial_collision, "serial already in use"),
                           {}});
  tx.put_raw(column::serials, std::move(serial_key), st.record.id);
}

void complete(self_ptr self, std::string der) {
  auto& st = self->state;
  if (st.storing_intent)
    return; // the backlog plans and signs it again (see store_intent)
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
  if (st.stored) {
    tx.expect_status(
        st.record.id, request_status::pending,
        make_failure(errc::not_pending,
                     "Certificate request is no longer pending, so the operation was aborted"));
    stage_request(tx, st.record, request_status::pending);
  } else {
    // One-phase: nobody knows this request yet, so it is stored issued in
    // the same batch that claims its serial and Idempotency-Key.
    reserve_serial(st, tx);
    stage_request(tx, st.record, std::nullopt);
    claim_idempotency_key(st, tx);
  }
  tx.put(column::certificates, cert.id, cert);
  tx.put_raw(column::profile_certificates, cert.profile_id + cert.id, {});
  st.completing = true;
  self->request(st.services->writer, caf::infinite, atom::commit_v, std::move(tx))
      .then([self,
             der = std::move(der)](caf::ok_atom) { finish(self, make_result(self->state, der)); },
            [self](caf::error& err) {
              auto& st = self->state;
              auto why = from_caf_error(err);
              st.completing = false;
              st.record.certificate_id.clear();
              st.record.status = request_status::pending;
              if (!st.stored) {
                // Not stored, not acknowledged: a serial that collided is
                // signed again with a fresh one; anything else is the
                // client's answer (nothing was kept).
                if (why.code == errc::serial_collision && --st.reservations_left > 0) {
                  st.record.serial = make_serial();
                  sign(self);
                } else {
                  finish(self, std::move(why));
                }
                return;
              }
              if (why.code == errc::not_pending)
                finish(self, std::move(why));
              else
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
      refuse(self, std::move(der).error());
    else
      complete(self, std::move(*der));
    return;
  }
  auto signer = st.services->signers->pick(st.record.ca_id);
  if (!signer) {
    refuse(self,
           make_failure(errc::unavailable, "no signer is available for CA " + st.record.ca_id));
    return;
  }
  signing_order order{st.record.id, st.record.serial, st.record.plan};
  self->request(signer, caf::infinite, atom::sign_v, std::move(order))
      .then([self](std::string& der) { complete(self, std::move(der)); },
            [self](caf::error& err) { refuse(self, from_caf_error(err)); });
}

// Claims the client's Idempotency-Key in the transaction that first stores
// the request: of two concurrent retries, exactly one stores; the other
// finds the key.
void claim_idempotency_key(request_state& st, transaction& tx) {
  if (st.idempotency_key.empty())
    return;
  tx.conditions.push_back({precondition::kind::absent,
                           column::idempotency,
                           st.idempotency_key,
                           request_status::pending,
                           make_failure(errc::conflict, "Idempotency-Key already used"),
                           {}});
  st.idempotency.request_id = st.record.id;
  tx.put(column::idempotency, st.idempotency_key, st.idempotency);
}

// Makes the request durable as `pending` with a serial that no other
// certificate of this CA has (checked by the writer against the index). An
// approved request is stored already: it must still be `pending`.
void reserve(self_ptr self) {
  auto& st = self->state;
  st.record.serial = make_serial();
  transaction tx;
  reserve_serial(st, tx);
  if (st.stored) {
    tx.expect_status(st.record.id, request_status::pending,
                     make_failure(errc::not_pending, "Certificate request is no longer pending"));
    stage_request(tx, st.record, request_status::pending);
  } else {
    stage_request(tx, st.record, std::nullopt);
    claim_idempotency_key(st, tx);
  }
  self->request(st.services->writer, caf::infinite, atom::commit_v, std::move(tx))
      .then(
          [self](caf::ok_atom) {
            auto& st = self->state;
            st.stored = true;
            // Durable now: a new request is answered and the backlog takes
            // it from here; one the backlog drives goes on to be signed.
            if (!st.driven)
              return hand_to_backlog(self);
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

// The sync bound passed while the request was being signed: it is stored
// as `pending` without a serial and handed to the backlog, which plans and
// signs it again, and the signature in flight is dropped. Every pending
// request has one owner, the backlog; finishing it here as well would sign
// it twice.
void store_intent(self_ptr self) {
  auto& st = self->state;
  st.storing_intent = true;
  st.record.serial.clear();
  transaction tx;
  stage_request(tx, st.record, std::nullopt);
  claim_idempotency_key(st, tx);
  self->request(st.services->writer, caf::infinite, atom::commit_v, std::move(tx))
      .then(
          [self](caf::ok_atom) {
            self->state.stored = true;
            hand_to_backlog(self);
          },
          [self](caf::error& err) { finish(self, from_caf_error(err)); });
}

// After the checks: asynchronous and stored requests are made durable
// before signing (two-phase). A synchronous new request is signed first and
// stored once, issued, in one batch (one-phase): nothing is acknowledged
// before that batch is durable, so nothing acknowledged can be lost, and
// the request costs one synced write instead of two.
void proceed(self_ptr self) {
  auto& st = self->state;
  if (st.respond_async || st.stored || st.fallback_due) {
    reserve(self);
    return;
  }
  st.record.serial = make_serial();
  sign(self);
}

// A new request answers its client with the error; a stored one (approved)
// records it as `failed`.
void refuse(self_ptr self, failure err) {
  if (self->state.stored)
    fail_reserved(self, std::move(err));
  else
    finish(self, std::move(err));
}

void use_key(request_state& st, std::shared_ptr<EVP_PKEY> key) {
  key_pair_der encoded;
  key_pair_to_der(key.get(), encoded);
  st.record.plan.public_key_der = std::move(encoded.public_key);
  st.private_key_pem = pem_encode("PRIVATE KEY", encoded.private_key);
  st.generated_key = std::move(key);
  st.record.managed_key = true;
}

// The managed-key path: a key from the pool when one is ready, else a fresh
// one (the request waits for it, it never fails for the pool). EC keys take
// microseconds and are made here; RSA keys take hundreds of milliseconds and
// are made by a key maker on its own thread, so no scheduler thread stalls.
void obtain_key_then_proceed(self_ptr self) {
  auto generate_here = [self] {
    auto alg = self->state.record.plan.key_alg;
    auto maker =
        family_of(alg) == key_family::rsa ? self->state.services->key_makers : key_maker_actor{};
    if (maker) {
      self->request(maker, caf::infinite, atom::make_key_v, alg)
          .then(
              [self](pooled_key& made) {
                if (!made.key) {
                  refuse(self, make_failure(errc::internal, "key generation failed"));
                  return;
                }
                use_key(self->state, std::move(made.key));
                proceed(self);
              },
              [self](caf::error& err) { refuse(self, from_caf_error(err)); });
      return;
    }
    auto key = generate_key(alg);
    if (!key) {
      refuse(self, std::move(key).error());
      return;
    }
    use_key(self->state, std::shared_ptr<EVP_PKEY>{key->release(), EVP_PKEY_free});
    proceed(self);
  };
  auto& st = self->state;
  if (!st.services->key_pool) {
    generate_here();
    return;
  }
  self->request(st.services->key_pool, caf::infinite, atom::take_key_v, st.record.plan.key_alg)
      .then(
          [self, generate_here](pooled_key& pooled) {
            if (!pooled.key) {
              generate_here();
              return;
            }
            use_key(self->state, std::move(pooled.key));
            proceed(self);
          },
          [generate_here](caf::error&) { generate_here(); });
}

// The request passed its policy: take the plan, make or fetch the key where
// the server makes it, then reserve.
void accept(self_ptr self, checked_issuance& checked) {
  auto& st = self->state;
  st.self_signed = checked.self_signed;
  st.chain_pem = std::move(checked.chain_pem);
  auto& rec = st.record;
  rec.profile_id = std::move(checked.profile_id);
  rec.ca_id = std::move(checked.ca_id);
  rec.plan = std::move(checked.plan);
  rec.updated_at = unix_now();
  if (rec.plan.public_key_der.empty())
    obtain_key_then_proceed(self);
  else
    proceed(self);
}

void name_new_request(request_state& st, request_status status) {
  auto now = unix_now();
  st.record.id = make_uuid_v7();
  st.record.status = status;
  st.record.created_at = now;
  st.record.updated_at = now;
}

bool needs_approval(const request_state& st, const checked_issuance& checked) {
  if (!checked.approval)
    return false;
  return !(checked.approval->bypass_for_machine_identities
           && st.requester_kind == identity_kind::machine);
}

// Stores the request as `pending_approval` with its approval request (and
// the approval's expiry in the expiry index). No key and no serial yet:
// both come after approval, when the request is planned again.
void hold_for_approval(self_ptr self, checked_issuance& checked) {
  auto& st = self->state;
  if (st.record.csr_pem.empty()) {
    finish(self, make_failure(errc::bad_request,
                              "Certificate profile '" + checked.profile_slug
                                  + "' requires approval, and certmint does not keep "
                                    "server-generated keys while a request waits: submit a CSR"));
    return;
  }
  // Approvers decide on what they can see; the proof of possession of an
  // asynchronous submission is checked before they get to see it.
  if (st.csr_deferred)
    if (auto verified = verify_csr_signature(st.record.csr_pem); !verified) {
      finish(self, std::move(verified).error());
      return;
    }
  const auto& policy = *checked.approval;
  name_new_request(st, request_status::pending_approval);
  auto& rec = st.record;
  rec.profile_id = checked.profile_id;
  rec.ca_id = checked.ca_id;
  rec.plan = std::move(checked.plan);
  rec.approval_request_id = make_uuid_v7();
  approval_request_record approval;
  approval.id = rec.approval_request_id;
  approval.policy_id = policy.id;
  approval.project_id = policy.project_id;
  approval.certificate_request_id = rec.id;
  approval.profile_id = rec.profile_id;
  approval.profile_name = checked.profile_slug;
  approval.requester = rec.requested_by;
  approval.steps = policy.steps;
  approval.created_at = rec.created_at;
  approval.updated_at = rec.created_at;
  if (policy.max_request_ttl_seconds > 0)
    approval.expires_at = rec.created_at + policy.max_request_ttl_seconds;
  transaction tx;
  stage_request(tx, rec, std::nullopt);
  tx.put(column::approvals, approval.id, approval);
  if (approval.expires_at > 0)
    tx.put_raw(column::approval_expiry, approval_expiry_key(approval.expires_at, approval.id), {});
  claim_idempotency_key(st, tx);
  self->request(st.services->writer, caf::infinite, atom::commit_v, std::move(tx))
      .then(
          [self](caf::ok_atom) {
            issuance_result out;
            out.request_id = self->state.record.id;
            out.status = std::string{to_string(request_status::pending_approval)};
            out.message = "Certificate signing request requires approval";
            finish(self, std::move(out));
          },
          [self](caf::error& err) { finish(self, from_caf_error(err)); });
}

// An approved request: plan it again from what the client sent, against
// the profile and policy as they are now; a request that no longer passes
// fails with the reason.
void revalidate(self_ptr self) {
  auto& st = self->state;
  issuance_input input;
  input.profile_id = st.record.profile_id;
  if (!st.record.csr_pem.empty())
    input.csr = st.record.csr_pem;
  input.attributes = st.record.attributes;
  input.metadata = st.record.metadata;
  auto checker = st.services->checkers->pick();
  self->request(checker, caf::infinite, atom::check_v, std::move(input))
      .then([self](checked_issuance& checked) { accept(self, checked); },
            [self](caf::error& err) { fail_reserved(self, from_caf_error(err)); });
}

} // namespace

request_actor::behavior_type request_actor_impl(request_actor::stateful_pointer<request_state> self,
                                                std::shared_ptr<const issuance_services> services) {
  self->state.slot = inflight_slot{services->inflight};
  self->state.services = std::move(services);
  return {
      [self](atom::issue, issuance_input& input, identity_record& requester, bool respond_async,
             issuance_reply& reply) {
        auto& st = self->state;
        st.reply = std::move(reply);
        // A server-generated key is returned once, with its certificate:
        // such a request is answered synchronously whatever the client
        // prefers (RFC 7240 lets a server ignore a preference).
        st.respond_async = respond_async && input.csr.has_value();
        // Accepting an asynchronous request costs no public-key operation:
        // the backlog checks the CSR's signature before signing.
        if (st.respond_async) {
          input.csr_check = csr_signature_check::defer;
          st.csr_deferred = true;
        }
        st.record.csr_pem = input.csr.value_or("");
        st.idempotency_key = input.idempotency_key;
        st.idempotency.body_digest = input.body_digest;
        st.idempotency.expires_at = input.idempotency_expires_at;
        st.record.metadata = input.metadata;
        st.record.attributes = input.attributes;
        st.record.requested_by = std::move(requester.name);
        st.requester_kind = requester.kind;
        auto checker = st.services->checkers->pick();
        self->request(checker, caf::infinite, atom::check_v, std::move(input))
            .then(
                [self](checked_issuance& checked) {
                  if (needs_approval(self->state, checked)) {
                    hold_for_approval(self, checked);
                    return;
                  }
                  name_new_request(self->state, request_status::pending);
                  accept(self, checked);
                },
                [self](caf::error& err) { finish(self, from_caf_error(err)); });
      },
      [self](atom::resume, request_record& record) {
        auto& st = self->state;
        st.record = std::move(record);
        st.stored = true;
        st.driven = true;
        if (st.record.serial.empty()) {
          revalidate(self);
          return;
        }
        // Reserved before the process stopped: its serial and plan are
        // final; it is signed with exactly those. A server-generated key was
        // never stored, so such a request cannot finish.
        if (st.record.managed_key) {
          fail_reserved(self, make_failure(errc::unavailable,
                                           "certmint restarted before this request was signed, and "
                                           "the key it generated for it was not kept; submit the "
                                           "request again"));
          return;
        }
        // The proof of possession of an asynchronous submission was
        // deferred to here; it is checked for every stored CSR before
        // anything is signed.
        if (!st.record.csr_pem.empty())
          if (auto verified = verify_csr_signature(st.record.csr_pem); !verified) {
            fail_reserved(self, std::move(verified).error());
            return;
          }
        sign(self);
      },
      [self](atom::fallback) {
        auto& st = self->state;
        if (!st.awaiting_answer())
          return;
        // A server-generated key is returned once, in this answer: a
        // "pending" answer would orphan it, so those requests wait for
        // their certificate (up to the request timeout).
        if (st.record.csr_pem.empty())
          return;
        if (st.record.serial.empty())
          st.fallback_due = true; // not planned yet: take the two-phase path
        else if (!st.completing && !st.storing_intent)
          store_intent(self);
      },
  };
}

request_actor spawn_request_actor(caf::actor_system& sys,
                                  std::shared_ptr<const issuance_services> services) {
  return sys.spawn(request_actor_impl, std::move(services));
}

} // namespace certmint
