#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "engine/error.hpp"
#include "storage/records.hpp"

namespace certmint {

class store;

/// Checks `Authorization: Bearer <token>` against the stored token digests.
/// Only SHA-256 digests are stored, so a copy of the database does not
/// reveal usable tokens.
///
/// Every API call authenticates, and a RocksDB read of the token was ~2 µs
/// of a ~60 µs asynchronous submission or poll; so the identities of tokens
/// seen lately are kept in memory, by digest, and dropped as soon as the
/// tokens column is written (store::writes_to): a revoked token is refused
/// by the first request after the revocation's answer.
class authenticator {
public:
  explicit authenticator(std::shared_ptr<const store> db) : db_(std::move(db)) {}

  /// The identity behind the header, or errc::unauthorized.
  result<identity_record> authenticate(std::string_view authorization) const;

  /// Tokens kept in memory at most; past that the cache starts again
  /// (unknown tokens are never kept, so guessing cannot fill it).
  static constexpr size_t max_cached_tokens = 4096;

private:
  std::shared_ptr<const store> db_;
  mutable std::mutex cache_mutex_;
  /// Identities by token digest, read while the tokens column had seen
  /// `cached_writes_` writes.
  mutable std::unordered_map<std::string, identity_record> cache_;
  mutable uint64_t cached_writes_ = 0;
};

} // namespace certmint
