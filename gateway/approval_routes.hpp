#pragma once

#include <cstdint>
#include <memory>

#include "gateway/http_router.hpp"

namespace certmint {

class actor_bridge;
class catalog;
class http_responder;
class store;

/// /api/v1/approval-policies/cert-request: approval policies (create, list,
/// get, patch, delete; role `manage`) and the approval requests of
/// certificate requests (get; approve and reject with role `approve`).
/// `min_ttl_seconds` is the shortest maxRequestTtl a policy may have.
void add_approval_routes(http_router& router, http_responder& respond,
                         const std::shared_ptr<const store>& db,
                         const std::shared_ptr<catalog>& configuration, actor_bridge& bridge,
                         int64_t min_ttl_seconds);

} // namespace certmint
