#pragma once

// Secondary indexes and counters of certificate requests, kept in the same
// transaction as every write of a request record, so they are never stale.
//
// Column `request_index` (values empty):
//   'S' status-byte request-id                      by status
//   'P' profile-id '/' request-id                   by profile
//   'Q' profile-id '/' status-byte request-id       by profile and status
// Column `counters`: 'S' status-byte and 'Q' profile-id '/' status-byte,
// the number of requests in each.
//
// Request ids are UUIDv7, whose text sorts by creation time, so every index
// is also a creation-time index: a date range is a key range.

#include <optional>
#include <string>
#include <string_view>

#include "storage/records.hpp"
#include "storage/store.hpp"

namespace certmint {

std::string status_index_prefix(request_status status);
std::string profile_index_prefix(std::string_view profile_id);
std::string profile_status_index_prefix(std::string_view profile_id, request_status status);

/// Adds to `tx` the write of `record` with its index entries and counter
/// updates. `previous` is the status the stored record has (the caller's
/// precondition makes sure of it); nullopt for a new request.
void stage_request(transaction& tx, const request_record& record,
                   std::optional<request_status> previous);

/// Key of the approval expiry index: the expiry (seconds, 8 bytes big-
/// endian, so keys sort by time) and the approval request id.
std::string approval_expiry_key(int64_t expires_at, std::string_view approval_id);
int64_t approval_expiry_time(std::string_view key);

/// The smallest request id created at or after `unix_ms` (a key bound: the
/// first 48 bits of a UUIDv7 are its creation time in milliseconds).
std::string request_id_floor(int64_t unix_ms);

} // namespace certmint
