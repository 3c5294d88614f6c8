#include "gateway/configuration_routes.hpp"

#include <charconv>

#include "gateway/configuration_responses.hpp"
#include "gateway/configuration_service.hpp"
#include "gateway/http_responder.hpp"
#include "gateway/json_writer.hpp"
#include "gateway/responses.hpp"
#include "storage/catalog.hpp"

namespace certmint {

namespace {

using request = http_request;
using response = http_response;

// offset (≥ 0, default 0) and limit (1..100, default 20) query parameters.
bool read_paging(const request& req, response& res, http_responder& respond, size_t& offset,
                 size_t& limit) {
  std::vector<validation_issue> issues;
  auto read = [&](const char* name, size_t min, size_t max, size_t& out) {
    if (!req.has_query(name))
      return;
    auto text = req.query_value(name);
    size_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || value < min || value > max)
      issues.push_back(validation_issue{"custom",
                                        {std::string{name}},
                                        std::string{name} + " must be a whole number from "
                                            + std::to_string(min) + " to " + std::to_string(max),
                                        {}});
    else
      out = value;
  };
  offset = 0;
  limit = 20;
  read("offset", 0, 1000000000, offset);
  read("limit", 1, 100, limit);
  if (issues.empty())
    return true;
  respond.error(res, api_error{errc::validation_failed, {}, std::move(issues)});
  return false;
}

std::string query(const request& req, const char* name) {
  return req.has_query(name) ? req.query_value(name) : std::string{};
}

void add_policy_routes(http_router& router, http_responder& r, configuration_service& config,
                       const std::string& base) {
  const std::string id = "/:id";
  router.add("POST", base, route_mode::blocking,
             r.authenticated(role_manage, "create", "CertificatePolicies",
                             [&r, &config](const request& req, response& res, auto&) {
                               policy_body body;
                               if (auto err = parse_policy_body(req.body, true, body))
                                 return r.error(res, *err);
                               r.reply(res, config.create_policy(body), render_policy);
                             }));
  router.add("GET", base, route_mode::blocking,
             r.authenticated(role_manage | role_read | role_issue, "read", "CertificatePolicies",
                             [&r, &config](const request& req, response& res, auto&) {
                               size_t offset = 0;
                               size_t limit = 0;
                               if (read_paging(req, res, r, offset, limit))
                                 r.json(res, 200,
                                        render_policy_page(config.list_policies(
                                            offset, limit, query(req, "search"))));
                             }));
  router.add("GET", base + id, route_mode::blocking,
             r.authenticated(role_manage | role_read | role_issue, "read", "CertificatePolicies",
                             [&r, &config](const request& req, response& res, auto&) {
                               if (r.uuid_param(res, req.param(0), "id"))
                                 r.reply(res, config.get_policy(req.param(0)), render_policy);
                             }));
  router.add("PATCH", base + id, route_mode::blocking,
             r.authenticated(role_manage, "edit", "CertificatePolicies",
                             [&r, &config](const request& req, response& res, auto&) {
                               if (!r.uuid_param(res, req.param(0), "id"))
                                 return;
                               policy_body body;
                               if (auto err = parse_policy_body(req.body, false, body))
                                 return r.error(res, *err);
                               r.reply(res, config.update_policy(req.param(0), body),
                                       render_policy);
                             }));
  router.add("DELETE", base + id, route_mode::blocking,
             r.authenticated(role_manage, "delete", "CertificatePolicies",
                             [&r, &config](const request& req, response& res, auto&) {
                               if (r.uuid_param(res, req.param(0), "id"))
                                 r.reply(res, config.delete_policy(req.param(0)), render_policy);
                             }));
}

void add_profile_routes(http_router& router, http_responder& r, configuration_service& config,
                        const std::shared_ptr<catalog>& configuration, const std::string& base) {
  const std::string id = "/:id";
  auto render = [configuration](const profile_record& p) {
    return render_profile(p, *configuration->current());
  };
  router.add("POST", base, route_mode::blocking,
             r.authenticated(role_manage, "create", "CertificateProfiles",
                             [&r, &config, render](const request& req, response& res, auto&) {
                               profile_body body;
                               if (auto err = parse_profile_body(req.body, true, body))
                                 return r.error(res, *err);
                               r.reply(res, config.create_profile(body), render);
                             }));
  router.add(
      "GET", base, route_mode::blocking,
      r.authenticated(role_manage | role_read | role_issue, "read", "CertificateProfiles",
                      [&r, &config, configuration](const request& req, response& res, auto&) {
                        profile_filter filter;
                        if (!read_paging(req, res, r, filter.offset, filter.limit))
                          return;
                        filter.search = query(req, "search");
                        filter.enrollment_type = query(req, "enrollmentType");
                        filter.issuer_type = query(req, "issuerType");
                        filter.ca_id = query(req, "caId");
                        r.json(res, 200,
                               render_profile_page(config.list_profiles(filter),
                                                   *configuration->current()));
                      }));
  router.add("GET", base + "/slug/:slug", route_mode::immediate,
             r.authenticated(role_manage | role_read | role_issue, "read", "CertificateProfiles",
                             [&r, &config, render](const request& req, response& res, auto&) {
                               r.reply(res, config.get_profile_by_slug(req.param(0)), render);
                             }));
  router.add("GET", base + id + "/certificates", route_mode::blocking,
             r.authenticated(role_manage | role_read, "read", "Certificates",
                             [&r, &config](const request& req, response& res, auto&) {
                               size_t offset = 0;
                               size_t limit = 0;
                               if (!r.uuid_param(res, req.param(0), "id")
                                   || !read_paging(req, res, r, offset, limit))
                                 return;
                               r.reply(res,
                                       config.profile_certificates(req.param(0), offset, limit),
                                       render_profile_certificates);
                             }));
  router.add("GET", base + id, route_mode::blocking,
             r.authenticated(role_manage | role_read | role_issue, "read", "CertificateProfiles",
                             [&r, &config, render](const request& req, response& res, auto&) {
                               if (r.uuid_param(res, req.param(0), "id"))
                                 r.reply(res, config.get_profile(req.param(0)), render);
                             }));
  router.add("PATCH", base + id, route_mode::blocking,
             r.authenticated(role_manage, "edit", "CertificateProfiles",
                             [&r, &config, render](const request& req, response& res, auto&) {
                               if (!r.uuid_param(res, req.param(0), "id"))
                                 return;
                               profile_body body;
                               if (auto err = parse_profile_body(req.body, false, body))
                                 return r.error(res, *err);
                               r.reply(res, config.update_profile(req.param(0), body), render);
                             }));
  router.add("DELETE", base + id, route_mode::blocking,
             r.authenticated(role_manage, "delete", "CertificateProfiles",
                             [&r, &config, render](const request& req, response& res, auto&) {
                               if (r.uuid_param(res, req.param(0), "id"))
                                 r.reply(res, config.delete_profile(req.param(0)), render);
                             }));
}

void add_ca_routes(http_router& router, http_responder& r, configuration_service& config,
                   const std::shared_ptr<catalog>& configuration, const std::string& base) {
  const std::string id = "/:id";
  // Reads of the active CA certificate come from the catalog (no RocksDB
  // read); a CA without a certificate has none to show.
  auto with_view = [&r, configuration](response& res, const std::string& ca_id, auto&& render) {
    if (!r.uuid_param(res, ca_id, "caId"))
      return;
    auto snapshot = configuration->current();
    const auto* ca = snapshot->ca(ca_id);
    if (ca == nullptr)
      return r.fail(res, make_failure(errc::not_found, "CA with ID '" + ca_id + "' not found"));
    if (ca->certificate_der.empty())
      return r.fail(res,
                    make_failure(errc::bad_request, "CA does not have a certificate installed"));
    render(*ca);
  };
  router.add("POST", base, route_mode::blocking,
             r.authenticated(role_manage, "create", "CertificateAuthorities",
                             [&r, &config](const request& req, response& res, auto&) {
                               ca_create_body body;
                               if (auto err = parse_ca_create_body(req.body, body))
                                 return r.error(res, *err);
                               r.reply(res, config.create_ca(body), render_ca);
                             }));
  router.add("GET", base, route_mode::blocking,
             r.authenticated(role_manage | role_read | role_issue, "read", "CertificateAuthorities",
                             [&r, &config](const request&, response& res, auto&) {
                               r.reply(res, config.list_cas(), render_ca_list);
                             }));
  router.add("GET", base + id + "/certificates" + id + "/der", route_mode::immediate,
             [&r, with_view](const request& req, response& res) {
               with_view(res, req.param(0), [&](const ca_view& ca) {
                 if (req.param(1) != ca.ca_cert_id)
                   return r.fail(res,
                                 make_failure(errc::not_found, "CA certificate with ID '"
                                                                   + req.param(1) + "' not found"));
                 res.status = 200;
                 res.set_content(ca.certificate_der, "application/pkix-cert");
               });
             });
  router.add("GET", base + id + "/crls", route_mode::immediate,
             r.authenticated(role_manage | role_read | role_issue, "read", "CertificateAuthorities",
                             [&r, &config](const request& req, response& res, auto&) {
                               if (r.uuid_param(res, req.param(0), "caId"))
                                 r.reply(res, config.ca_crls(req.param(0)), render_crl_list);
                             }));
  router.add("GET", base + id + "/certificate", route_mode::immediate,
             r.authenticated(role_manage | role_read | role_issue, "read", "CertificateAuthorities",
                             [&r, with_view](const request& req, response& res, auto&) {
                               with_view(res, req.param(0), [&](const ca_view& ca) {
                                 r.json(res, 200, render_ca_certificate(ca));
                               });
                             }));
  router.add("GET", base + id + "/ca-certificates", route_mode::immediate,
             r.authenticated(role_manage | role_read | role_issue, "read", "CertificateAuthorities",
                             [&r, with_view](const request& req, response& res, auto&) {
                               with_view(res, req.param(0), [&](const ca_view& ca) {
                                 r.json(res, 200, render_ca_certificates(ca));
                               });
                             }));
  router.add("GET", base + id + "/csr", route_mode::blocking,
             r.authenticated(role_manage | role_read, "read", "CertificateAuthorities",
                             [&r, &config](const request& req, response& res, auto&) {
                               if (r.uuid_param(res, req.param(0), "caId"))
                                 r.reply(res, config.ca_csr(req.param(0)),
                                         [](const std::string& csr) {
                                           json_writer w;
                                           w.begin_object().key("csr").value(csr).end_object();
                                           return w.take();
                                         });
                             }));
  router.add("POST", base + id + "/import-certificate", route_mode::blocking,
             r.authenticated(role_manage, "edit", "CertificateAuthorities",
                             [&r, &config](const request& req, response& res, auto&) {
                               if (!r.uuid_param(res, req.param(0), "caId"))
                                 return;
                               import_certificate_body body;
                               if (auto err = parse_import_certificate_body(req.body, body))
                                 return r.error(res, *err);
                               r.reply(res, config.import_ca_certificate(req.param(0), body),
                                       [](const ca_record& ca) {
                                         json_writer w;
                                         w.begin_object()
                                             .key("message")
                                             .value("Successfully imported certificate to CA")
                                             .key("caId")
                                             .value(ca.id)
                                             .end_object();
                                         return w.take();
                                       });
                             }));
  router.add("POST", base + id + "/sign-intermediate", route_mode::blocking,
             r.authenticated(role_manage, "create", "CertificateAuthorities",
                             [&r, &config](const request& req, response& res, auto&) {
                               if (!r.uuid_param(res, req.param(0), "caId"))
                                 return;
                               sign_intermediate_body body;
                               if (auto err = parse_sign_intermediate_body(req.body, body))
                                 return r.error(res, *err);
                               r.reply(res, config.sign_intermediate(req.param(0), body),
                                       render_signed_intermediate);
                             }));
  router.add("GET", base + id, route_mode::blocking,
             r.authenticated(role_manage | role_read | role_issue, "read", "CertificateAuthorities",
                             [&r, &config](const request& req, response& res, auto&) {
                               if (r.uuid_param(res, req.param(0), "caId"))
                                 r.reply(res, config.get_ca(req.param(0)), render_ca);
                             }));
  router.add("PATCH", base + id, route_mode::blocking,
             r.authenticated(role_manage, "edit", "CertificateAuthorities",
                             [&r, &config](const request& req, response& res, auto&) {
                               if (!r.uuid_param(res, req.param(0), "caId"))
                                 return;
                               ca_patch_body body;
                               if (auto err = parse_ca_patch_body(req.body, body))
                                 return r.error(res, *err);
                               r.reply(res, config.update_ca(req.param(0), body), render_ca);
                             }));
  router.add("DELETE", base + id, route_mode::blocking,
             r.authenticated(role_manage, "delete", "CertificateAuthorities",
                             [&r, &config](const request& req, response& res, auto&) {
                               if (r.uuid_param(res, req.param(0), "caId"))
                                 r.reply(res, config.delete_ca(req.param(0)), render_ca);
                             }));
}

// The CRL distribution points certificates carry: public, like the AIA
// route, because relying parties fetch them with no credentials. The path
// without `/der` is Infisical's older one.
void add_crl_routes(http_router& router, http_responder& r, configuration_service& config,
                    const std::string& base) {
  auto serve = [&r, &config](const request& req, response& res) {
    if (!r.uuid_param(res, req.param(0), "crlId"))
      return;
    auto crl = config.get_crl(req.param(0));
    if (!crl)
      return r.fail(res, std::move(crl).error());
    res.status = 200;
    res.set_content(std::move(crl->der), "application/pkix-crl");
  };
  router.add("GET", base + "/:id/der", route_mode::immediate, serve);
  router.add("GET", base + "/:id", route_mode::immediate, serve);
}

} // namespace

void add_configuration_routes(http_router& router, http_responder& respond,
                              configuration_service& config,
                              const std::shared_ptr<catalog>& configuration) {
  const std::string api = "/api/v1/cert-manager";
  add_policy_routes(router, respond, config, api + "/certificate-policies");
  add_profile_routes(router, respond, config, configuration, api + "/certificate-profiles");
  add_ca_routes(router, respond, config, configuration, api + "/ca/internal");
  add_crl_routes(router, respond, config, api + "/crl");
}

} // namespace certmint
