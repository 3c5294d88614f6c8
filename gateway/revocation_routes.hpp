#pragma once

#include <memory>

#include "gateway/http_router.hpp"

namespace certmint {

class actor_bridge;
class http_responder;
class store;

/// `POST /api/v1/cert-manager/certificates/:id/revoke` `{revocationReason}`:
/// marks the certificate revoked, durably, then has its CA's CRL signed
/// again in the background. An `issue` identity revokes the certificates of
/// its own requests; `manage` and `admin` revoke any.
void add_revocation_routes(http_router& router, http_responder& respond,
                           const std::shared_ptr<const store>& db, actor_bridge& bridge);

} // namespace certmint
