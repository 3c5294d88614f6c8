#pragma once

// The decisions on an approval request (approve, reject, expire) as
// transactions for the storage writer. Each transaction is a compare-and-set:
// it applies only if the approval record still has the bytes it was decided
// on and the certificate request is still `pending_approval`, so two
// approvers, or an approver and the expiry sweep, cannot both win.

#include <optional>
#include <string>

#include "engine/error.hpp"
#include "storage/records.hpp"
#include "storage/store.hpp"

namespace certmint {

struct approval_decided {
  transaction tx;
  approval_request_record approval; ///< as it will be stored
  request_record request;           ///< as it will be stored
  /// The last required approval came in: the request became `pending` and
  /// must now be planned and signed.
  bool released = false;
};

/// Reads an approval request; errc::not_found when absent.
result<approval_request_record> load_approval(const store& db, const std::string& id);

/// An approver's decision. Refused: a decided or expired approval (400),
/// the requester deciding its own request (403), an identity not among the
/// current step's approvers (403), the same approver twice in a step (400).
result<approval_decided> decide_approval(const store& db, const std::string& approval_id,
                                         const identity_record& approver, bool approve,
                                         const std::string& comment, int64_t now);

/// The expiry of a waiting approval found in the expiry index: the approval
/// becomes `expired` and the request `rejected`. nullopt when there is
/// nothing to do (already decided; only the index entry is removed then).
result<transaction> expire_approval(const store& db, const std::string& approval_id,
                                    const std::string& index_key, int64_t now);

/// The step an approval waits on (steps.size() when all are complete).
size_t current_step(const approval_request_record& approval);

} // namespace certmint
