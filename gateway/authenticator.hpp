#pragma once

#include <memory>
#include <string_view>

#include "engine/error.hpp"
#include "storage/records.hpp"

namespace certmint {

class store;

/// Checks `Authorization: Bearer <token>` against the stored token digests.
/// Only SHA-256 digests are stored, so a copy of the database does not
/// reveal usable tokens.
class authenticator {
public:
  explicit authenticator(std::shared_ptr<const store> db) : db_(std::move(db)) {}

  /// The identity behind the header, or errc::unauthorized.
  result<identity_record> authenticate(std::string_view authorization) const;

private:
  std::shared_ptr<const store> db_;
};

} // namespace certmint
