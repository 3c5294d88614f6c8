#pragma once

#include <memory>

#include "gateway/http_router.hpp"

namespace certmint {

class actor_bridge;
class http_responder;
class store;

/// Scoped API tokens, for admins: `POST /api/v1/identities/tokens`
/// `{name, roles[]}` creates one (the token is shown once; only its SHA-256
/// digest is stored), `GET` lists them (never the secrets), `DELETE
/// /api/v1/identities/tokens/:tokenId` revokes one.
void add_identity_routes(http_router& router, http_responder& respond,
                         const std::shared_ptr<const store>& db, actor_bridge& bridge);

} // namespace certmint
