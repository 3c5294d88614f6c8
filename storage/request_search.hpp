#pragma once

// Listing certificate requests (POST .../certificate-requests/search) over
// the request indexes: keyset iteration, so a page costs the same however
// many requests are stored.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/error.hpp"
#include "storage/records.hpp"

namespace certmint {

class store;

struct request_query {
  std::optional<request_status> status;
  std::vector<std::string> profile_ids; ///< any of them; empty: all
  std::optional<int64_t> from_ms;       ///< created at or after (inclusive)
  std::optional<int64_t> to_ms;         ///< created at or before (inclusive)
  /// Case-insensitive substring of the common name or a SAN value.
  std::string search;
  /// Every pair must be in the request's metadata.
  metadata_list metadata;
  /// Only the requests of this identity (for `issue`-only callers).
  std::string requested_by;
  bool descending = true; ///< newest first
  size_t offset = 0;
  size_t limit = 20;
  /// Keyset cursor: the id of the last request of the previous page.
  std::string after;
};

struct request_page {
  std::vector<request_record> requests;
  uint64_t total_count = 0;
  /// Set when more requests match: pass it as `after` for the next page.
  std::string next_cursor;
};

/// Answers a query. Cost: a seek per index stream plus the entries walked
/// for the page (offset + limit, plus those the text, metadata and owner
/// filters drop). `total_count` comes from counters when the query filters
/// by status and profile only; a date range counts index keys in the range;
/// text, metadata and owner filters count by reading the matching range.
result<request_page> search_requests(const store& db, const request_query& query);

} // namespace certmint
