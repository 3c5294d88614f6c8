#pragma once

#include <string>
#include <string_view>

#include "engine/error.hpp"

namespace certmint {

/// The one place where private key bytes cross into and out of storage.
///
/// A sealed value starts with a scheme byte. Scheme 0 stores the bytes as
/// they are; encryption at rest (an AEAD under a key-encryption key kept
/// outside RocksDB) arrives as a new scheme, and values sealed under the old
/// scheme stay readable, so no migration is needed on upgrade.
class key_sealer {
public:
  enum class scheme : uint8_t { plaintext = 0 };

  std::string seal(std::string_view plaintext) const;
  result<std::string> unseal(std::string_view sealed) const;
};

} // namespace certmint
