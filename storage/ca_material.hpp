#pragma once

#include <string>

#include "engine/certificate_builder.hpp"
#include "engine/error.hpp"

namespace certmint {

struct ca_record;
class key_sealer;

/// Where a CA's issued certificates point (CRL distribution point and AIA
/// caIssuers), under the server's public base URL.
std::string crl_url(const std::string& public_url, const ca_record& ca);
std::string ca_issuers_url(const std::string& public_url, const ca_record& ca);

/// Makes a CA's signing material from its record: unseals and parses the
/// key. Only signer actors and CA bootstrap (before any actor runs) call it.
result<issuer_material> load_issuer_material(const ca_record& ca, const key_sealer& sealer,
                                             const std::string& public_url);

} // namespace certmint
