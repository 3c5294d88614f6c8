#pragma once

#include <memory>

#include "gateway/http_router.hpp"

namespace certmint {

class catalog;
class configuration_service;
class http_responder;

/// Registers the routes of certificate policies, certificate profiles and
/// internal CAs (Infisical §3.4, §3.6, §3.7).
void add_configuration_routes(http_router& router, http_responder& respond,
                              configuration_service& config,
                              const std::shared_ptr<catalog>& configuration);

} // namespace certmint
