#pragma once

#include <string>

#include "app/server_config.hpp"
#include "engine/error.hpp"

namespace certmint {

class store;

struct bootstrap_outcome {
  bool created = false;              ///< first start: CAs, policy, profile made now
  std::string generated_admin_token; ///< set only when one was generated now
  std::string default_profile_id;
};

/// Makes a data directory ready to serve. On first start it creates, in one
/// synced transaction: a root CA, an intermediate CA signed by it, the
/// permissive `default` policy and the `default` profile bound to the
/// intermediate, and an admin token (CERTMINT_ADMIN_TOKEN's, or a random one
/// to print once). Later starts reuse all of it; a CERTMINT_ADMIN_TOKEN that
/// is not yet known is added as a further admin token.
///
/// Runs before any actor exists, so it writes through the store directly.
result<bootstrap_outcome> bootstrap(store& db, const server_config& cfg);

} // namespace certmint
