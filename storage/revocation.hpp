#pragma once

// Revoking certificates: the record kept per revoked certificate, keyed by
// its CA and serial so that a CA's CRL reads its entries with one prefix
// scan.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/error.hpp"
#include "storage/records.hpp"
#include "storage/store.hpp"

namespace certmint {

/// A certificate as lists show it: with its revocation, if revoked.
struct listed_certificate {
  certificate_record certificate;
  std::optional<revocation_record> revocation;
};

/// The counter of a CA's revocations: a CRL notes the count it saw, so a
/// revocation whose CRL was never signed (a crash between the two) is found
/// at the next start.
std::string revocation_counter_key(std::string_view ca_id);

/// Revokes `cert`, read from the store as the bytes `stored`: the record
/// turns `revoked` only if it still has those bytes (a concurrent
/// revocation fails with `on_changed`), `revocation` is kept under the CA
/// and serial, and the CA's revocation counter grows.
transaction revoke_certificate(certificate_record cert, std::string stored,
                               const revocation_record& revocation, failure on_changed);

/// The revocation of a revoked certificate; nullopt for an active one.
result<std::optional<revocation_record>> find_revocation(const store& db,
                                                         const certificate_record& cert);

/// The CA's revocations of certificates whose notAfter is not before
/// `expired_since`, in serial order: what its next CRL lists.
result<std::vector<revocation_record>> ca_revocations(const store& db, std::string_view ca_id,
                                                      int64_t expired_since);

} // namespace certmint
