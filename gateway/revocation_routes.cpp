#include "gateway/revocation_routes.hpp"

#include <utility>

#include "engine/hex.hpp"
#include "engine/time_format.hpp"
#include "gateway/actor_bridge.hpp"
#include "gateway/http_responder.hpp"
#include "gateway/json_writer.hpp"
#include "gateway/revocation_parser.hpp"
#include "storage/revocation.hpp"
#include "storage/store.hpp"

namespace certmint {

namespace {

const char* const already_revoked = "The certificate has already been revoked";

// Whether `who` may revoke the certificate: `manage` (and `admin`) any, an
// `issue` identity those its own requests got.
result<bool> may_revoke(const store& db, const identity_record& who,
                        const certificate_record& cert) {
  if (who.may(role_manage))
    return true;
  auto request = db.get_record<request_record>(column::requests, cert.request_id);
  if (!request)
    return std::move(request).error();
  return *request && (*request)->requested_by == who.name;
}

void revoke(const store& db, actor_bridge& bridge, http_responder& r, const http_request& req,
            http_response& res, const identity_record& who) {
  const auto& id = req.param(0);
  if (!r.uuid_param(res, id, "id"))
    return;
  revocation_reason reason = revocation_reason::unspecified;
  if (auto err = parse_revocation_body(req.body, reason))
    return r.error(res, *err);
  auto stored = db.get(column::certificates, id);
  if (!stored)
    return r.fail(res, std::move(stored).error());
  if (!*stored)
    return r.fail(res, make_failure(errc::not_found, "Certificate with ID '" + id + "' not found"));
  auto cert = decode_record<certificate_record>(**stored);
  if (!cert)
    return r.fail(res, std::move(cert).error());
  auto allowed = may_revoke(db, who, *cert);
  if (!allowed)
    return r.fail(res, std::move(allowed).error());
  if (!*allowed)
    return r.fail(res, make_failure(errc::permission_denied,
                                    "You are not allowed to revoke on Certificates"));
  if (cert->ca_id.empty())
    return r.fail(res, make_failure(errc::bad_request,
                                    "A self-signed certificate cannot be revoked: no CA "
                                    "publishes a CRL for it"));
  if (cert->status == certificate_status::revoked)
    return r.fail(res, make_failure(errc::bad_request, already_revoked));
  auto ca = db.get(column::cas, cert->ca_id);
  if (!ca)
    return r.fail(res, std::move(ca).error());
  if (!*ca)
    return r.fail(res, make_failure(errc::bad_request,
                                    "The certificate's CA was deleted: no CRL can list the "
                                    "revocation"));
  revocation_record revocation{cert->id, cert->ca_id,     cert->serial, unix_now(),
                               reason,   cert->not_after, who.name};
  auto ca_id = cert->ca_id;
  auto serial_hex = to_hex(cert->serial);
  // A concurrent revocation of the same certificate changed the bytes read.
  auto committed =
      bridge.commit(revoke_certificate(std::move(*cert), std::move(**stored), revocation,
                                       make_failure(errc::bad_request, already_revoked)));
  if (!committed)
    return r.fail(res, std::move(committed).error());
  bridge.revoked(ca_id);
  json_writer w;
  w.begin_object()
      .key("message")
      .value("Successfully revoked certificate")
      .key("serialNumber")
      .value(serial_hex)
      .key("revokedAt")
      .value(format_iso8601(revocation.revoked_at))
      .end_object();
  r.json(res, 200, w.take());
}

} // namespace

void add_revocation_routes(http_router& router, http_responder& r,
                           const std::shared_ptr<const store>& db, actor_bridge& bridge) {
  router.add("POST", "/api/v1/cert-manager/certificates/:id/revoke", route_mode::blocking,
             r.authenticated(role_issue | role_manage, "revoke", "Certificates",
                             [&r, db, &bridge](const http_request& req, http_response& res,
                                               const identity_record& who) {
                               revoke(*db, bridge, r, req, res, who);
                             }));
}

} // namespace certmint
