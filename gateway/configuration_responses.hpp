#pragma once

// JSON renderings of policies, profiles and CAs (Infisical's field names).

#include <string>
#include <vector>

#include "gateway/configuration_service.hpp"
#include "storage/catalog.hpp"

namespace certmint {

std::string render_policy(const policy_record& policy);
std::string render_policy_page(const page<policy_record>& policies);

/// `{certificateProfile: {...}}`, with the CA and policy summaries.
std::string render_profile(const profile_record& profile, const catalog_snapshot& snapshot);
std::string render_profile_page(const page<profile_record>& profiles,
                                const catalog_snapshot& snapshot);
std::string render_profile_certificates(const page<listed_certificate>& certificates);

/// The CA object (no wrapper), and the list of them.
std::string render_ca(const ca_record& ca);
std::string render_ca_list(const std::vector<ca_record>& cas);

/// GET /ca/internal/:caId/ca-certificates.
std::string render_ca_certificates(const ca_view& ca);
/// `[{id, crl}]`, each CRL as PEM (`X509 CRL`).
std::string render_crl_list(const std::vector<crl_record>& crls);

/// POST /ca/internal/:caId/sign-intermediate.
std::string render_signed_intermediate(const signed_intermediate& signed_ca);

} // namespace certmint
