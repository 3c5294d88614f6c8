#pragma once

// The typed interfaces of all certmint actors, and nothing else.

#include <string>

#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "actors/atoms.hpp"
#include "actors/messages.hpp"

namespace certmint {

/// The only RocksDB writer. Detached (it blocks on fsync). Group commit:
/// every transaction waiting in its mailbox goes into one synced WriteBatch.
using storage_writer_actor = caf::typed_actor<
    // Applies a transaction durably; replies ok, or the violated precondition's
    // error, or errc::storage_failure.
    caf::replies_to<atom::commit, transaction>::with<caf::ok_atom>,
    // Internal: writes the queued transactions as one batch.
    caf::reacts_to<atom::batch>,
    // Writes everything queued before this message; replies when durable.
    caf::replies_to<atom::flush>::with<caf::ok_atom>>;

/// Holds one CA's key and signs leaf certificates with it; one per
/// scheduler thread and CA. The only code that touches CA private keys.
using signer_actor = caf::typed_actor<
    // Builds and signs the certificate; replies with its DER.
    caf::replies_to<atom::sign, signing_order>::with<std::string>,
    // Builds and signs a subordinate CA certificate; replies with its DER.
    caf::replies_to<atom::sign_ca, ca_signing_order>::with<std::string>,
    // Signs the CA's CRL; replies with its DER.
    caf::replies_to<atom::sign_crl, crl_contents>::with<std::string>>;

/// Validates a request against its profile and policy and plans the
/// certificate (CSR verification included): pure engine calls, no I/O. A
/// pool of them, one per scheduler thread.
using policy_checker_actor = caf::typed_actor<
    // Replies with the checked plan, or errc::not_found / errc::bad_request.
    caf::replies_to<atom::check, issuance_input>::with<checked_issuance>>;

/// One per issuance request: drives it through the state machine
/// (validated -> pending (durable) -> signed -> issued (durable) | failed).
using request_actor = caf::typed_actor<
    // Runs the issuance for an identity and calls the reply with the result
    // or an error. With `respond_async` the reply comes as soon as the
    // request is durable (status "pending", no certificate) and issuance
    // goes on.
    caf::reacts_to<atom::issue, issuance_input, identity_record, bool, issuance_reply>,
    // Drives a stored `pending` request on: one found at start is signed
    // with its reserved serial; an approved one (no serial yet) is checked
    // against the current profile and policy first.
    caf::reacts_to<atom::resume, request_record>,
    // The synchronous bound passed (the waiting caller says so): answer
    // "pending" if not done, storing the request first if needed.
    caf::reacts_to<atom::fallback>>;

/// The owner of every `pending` request: requests accepted asynchronously,
/// approved ones, ones whose synchronous bound passed, and those a previous
/// run left. It walks the status index of pending requests (oldest first)
/// and drives up to a bound of them at a time in request actors, so that
/// any number of accepted requests waits in RocksDB, not in memory.
using backlog_actor = caf::typed_actor<
    // A request became `pending` since the walk passed it (an approval, a
    // request that fell back), or is new: drive it soon.
    caf::reacts_to<atom::enqueue, std::string>,
    // Internal: take more requests while below the bound.
    caf::reacts_to<atom::drain>,
    // Internal: walk the whole index again (a safety net, periodically).
    caf::reacts_to<atom::rewalk>>;

/// Keys made ahead of time for the managed-key path: RSA generation takes
/// tens of milliseconds, so a burst of managed requests is served from
/// keys made while the server was idle.
using key_pool_actor = caf::typed_actor<
    // A ready key of the algorithm, or an empty one when none is ready (the
    // caller then generates its own: a request never fails for want of a
    // pooled key).
    caf::replies_to<atom::take_key, key_algorithm>::with<pooled_key>>;

/// Makes a key: a key maker on a thread of its own (the pool's at low OS
/// priority, so refilling yields to issuance), or a queue in front of
/// several makers (see key_maker_queue).
using key_maker_actor =
    caf::typed_actor<caf::replies_to<atom::make_key, key_algorithm>::with<pooled_key>>;

/// Keeps a signed CRL of every CA with a certificate at the CA's CRL
/// distribution point: signs one when a CA gets signers or revokes a
/// certificate, and re-signs each well before its nextUpdate. Off the
/// issuance path: it sends a signer one message a day per CA, and one per
/// burst of revocations.
using crl_publisher_actor = caf::typed_actor<
    // The CA got signers (created, enabled, given a certificate, or found
    // at start): sign its CRL unless the stored one is fresh.
    caf::reacts_to<atom::publish, std::string>,
    // The CA revoked a certificate: sign its CRL now.
    caf::reacts_to<atom::revoked, std::string>,
    // Internal: re-sign every CRL that is due.
    caf::reacts_to<atom::sweep>>;

/// Rejects requests whose approval expired (policy `maxRequestTtl`): reads
/// the approval expiry index up to now, at start and then periodically, and
/// commits each expiry as a compare-and-set through the storage writer.
using approval_expirer_actor = caf::typed_actor<caf::reacts_to<atom::sweep>>;

} // namespace certmint
