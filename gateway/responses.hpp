#pragma once

// JSON renderings of certmint's objects, with Infisical's field names.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/issuance.hpp"
#include "storage/catalog.hpp"
#include "storage/records.hpp"

namespace certmint {

/// Joins PEM blocks into one chain string.
std::string join_chain(const std::vector<std::string>& blocks);

/// Response of POST /certificates.
std::string render_issuance(const issuance_result& result, bool remove_roots);

/// Response of POST /certificates when the request is accepted but not
/// issued yet: `{certificate: null, certificateRequestId, status: "pending"}`.
std::string render_pending_issuance(const issuance_result& result);

/// Response of GET /certificates/certificate-requests/:id. `cert` and `ca`
/// may be null (not issued yet, or CA gone).
std::string render_request(const request_record& request, const certificate_record* cert,
                           const ca_view* ca);

/// A request in a search result, with what the listing shows of its
/// certificate and profile.
struct listed_request {
  request_record request;
  std::optional<certificate_record> certificate;
  std::string profile_name;
};

/// Response of POST /certificates/certificate-requests/search. `nextCursor`
/// is certmint's keyset cursor (null on the last page).
std::string render_request_page(const std::vector<listed_request>& requests, uint64_t total,
                                const std::string& next_cursor);

/// Response of GET /certificates/:id; `revocation` for a revoked one.
std::string render_certificate(const certificate_record& cert, const ca_view* ca,
                               const profile_record* profile, const revocation_record* revocation);

/// Response of GET /certificates/:id/certificate.
std::string render_certificate_body(const certificate_record& cert, const ca_view* ca);

/// Response of GET /ca/internal/:caId/certificate.
std::string render_ca_certificate(const ca_view& ca);

} // namespace certmint
