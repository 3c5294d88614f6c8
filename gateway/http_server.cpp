#include "gateway/http_server.hpp"

#include <algorithm>
#include <chrono>
#include <exception>

#include "engine/hex.hpp"
#include "engine/pem.hpp"
#include "engine/time_format.hpp"
#include "gateway/actor_bridge.hpp"
#include "gateway/approval_routes.hpp"
#include "gateway/blocking_pool.hpp"
#include "gateway/configuration_routes.hpp"
#include "gateway/configuration_service.hpp"
#include "gateway/http_responder.hpp"
#include "gateway/http_router.hpp"
#include "gateway/http_transport.hpp"
#include "gateway/identity_routes.hpp"
#include "gateway/issuance_request_parser.hpp"
#include "gateway/json_writer.hpp"
#include "gateway/request_search_parser.hpp"
#include "gateway/responses.hpp"
#include "gateway/revocation_routes.hpp"
#include "storage/catalog.hpp"
#include "storage/request_index.hpp"
#include "storage/request_search.hpp"
#include "storage/revocation.hpp"
#include "storage/store.hpp"

namespace certmint {

struct http_server::impl {
  gateway_options options;
  std::shared_ptr<const store> db;
  std::shared_ptr<catalog> configuration;
  actor_bridge* bridge = nullptr;
  std::optional<http_responder> respond;
  std::optional<configuration_service> config;
  http_router router;
  http_transport transport;
  std::optional<blocking_pool> pool;

  explicit impl(gateway_options opts)
      : options(std::move(opts)), transport(make_transport_options(options)) {}

  static transport_options make_transport_options(const gateway_options& o) {
    transport_options t;
    t.host = o.host;
    t.port = o.port;
    t.loops = o.loops;
    t.limits.max_body_bytes = o.max_body_bytes;
    t.keep_alive_max = o.keep_alive_max;
    t.max_connections = o.max_connections;
    return t;
  }

  // POST /certificates (deferred): the loop thread parses and hands the
  // request to a request actor, which answers through the exchange.
  void issue(http_request& req, const http_exchange& exchange, const identity_record& who) {
    issuance_input input;
    if (auto err = parse_issuance_request(req.body, input))
      return exchange.respond(respond->error_response(*err));
    // RFC 7240: `Prefer: respond-async` asks for 202 once the request is
    // durable; the client polls the request id.
    bool respond_async = req.header("prefer").find("respond-async") != std::string_view::npos;
    std::string key{req.header("idempotency-key")};
    if (key.empty())
      return submit(std::move(input), who, respond_async, exchange, key);
    if (key.size() > 255
        || !std::all_of(key.begin(), key.end(), [](char c) { return c > 0x20 && c < 0x7f; }))
      return exchange.respond(respond->error_response(
          api_error{errc::validation_failed,
                    {},
                    {validation_issue{"custom",
                                      {std::string{"Idempotency-Key"}},
                                      "Idempotency-Key must be 1 to 255 printable characters",
                                      {}}}}));
    input.idempotency_key = who.name + std::string(1, '\0') + key;
    input.body_digest = to_hex(sha256(req.body));
    input.idempotency_expires_at = unix_now() + options.idempotency_window_s;
    // A replay may release an expired key through the storage writer: that
    // waits, so it runs on the blocking pool, then the issuance goes on.
    pool->submit([this, input = std::move(input), who, respond_async, exchange, key]() mutable {
      http_response res;
      if (replay(res, input, key, input.remove_roots_from_chain))
        return exchange.respond(std::move(res));
      submit(std::move(input), who, respond_async, exchange, key);
    });
  }

  void submit(issuance_input input, const identity_record& who, bool respond_async,
              const http_exchange& exchange, const std::string& key) {
    bool remove_roots = input.remove_roots_from_chain;
    // Accepted asynchronous requests wait in RocksDB; past the bound, new
    // ones are shed instead of letting the backlog grow without end.
    if (respond_async && input.csr) {
      auto pending = db->counter(status_index_prefix(request_status::pending));
      if (pending && *pending >= options.max_backlog)
        return exchange.respond(
            render_outcome(make_failure(errc::too_many_requests, "Too many pending requests ("
                                                                     + std::to_string(*pending)
                                                                     + "); retry later"),
                           remove_roots));
    }
    auto idempotency_key = input.idempotency_key;
    auto digest = input.body_digest;
    auto answered = [this, exchange, remove_roots, key, idempotency_key,
                     digest](result<issuance_result> outcome) {
      if (!outcome && outcome.error().code == errc::conflict && !key.empty()) {
        // A concurrent retry with the same key reserved first: answer with
        // its request (reads, and perhaps a write: on the pool).
        pool->submit([this, exchange, remove_roots, key, idempotency_key, digest,
                      outcome = std::move(outcome)]() mutable {
          issuance_input again;
          again.idempotency_key = idempotency_key;
          again.body_digest = digest;
          http_response res;
          if (!replay(res, again, key, remove_roots))
            res = render_outcome(std::move(outcome), remove_roots);
          exchange.respond(std::move(res));
        });
        return;
      }
      exchange.respond(render_outcome(std::move(outcome), remove_roots));
    };
    auto running = bridge->issue(std::move(input), who, respond_async, std::move(answered));
    if (!running)
      return exchange.respond(render_outcome(std::move(running).error(), remove_roots));
    // The synchronous bound and the request timeout are timed by the event
    // loop: no timer per request. Past the bound the actor answers
    // "pending" (storing the request first if it has to).
    auto now = std::chrono::steady_clock::now();
    if (!respond_async)
      exchange.at(now + bridge->sync_wait(), std::move(*running));
    exchange.at(now + bridge->timeout(), [this, exchange] {
      exchange.respond(respond->error_response(api_error::from(make_failure(
          errc::timeout, "the issuance did not finish in time; poll the request or retry"))));
    });
  }

  http_response render_outcome(result<issuance_result> outcome, bool remove_roots) {
    http_response res;
    if (!outcome && outcome.error().code == errc::too_many_requests)
      res.set_header("Retry-After", "1");
    if (outcome && outcome->status == "pending") {
      res.set_header("Preference-Applied", "respond-async");
      respond->json(res, 202, render_pending_issuance(*outcome));
    } else if (outcome && outcome->status == "pending_approval") {
      respond->json(res, 200, render_pending_issuance(*outcome));
    } else {
      respond->reply(res, std::move(outcome), [remove_roots](const issuance_result& r) {
        return render_issuance(r, remove_roots);
      });
    }
    return res;
  }

  // Answers a retry whose Idempotency-Key names an earlier request, with
  // that request's current state; false when the key is new (or expired,
  // then it is released for the new request).
  bool replay(http_response& res, const issuance_input& input, const std::string& key,
              bool remove_roots) {
    auto found = db->get_record<idempotency_record>(column::idempotency, input.idempotency_key);
    if (!found) {
      respond->fail(res, std::move(found).error());
      return true;
    }
    if (!*found)
      return false;
    if ((*found)->expires_at <= unix_now()) {
      transaction release;
      release.mutations.push_back({column::idempotency, input.idempotency_key, std::nullopt});
      if (auto ok = bridge->commit(std::move(release)); !ok) {
        respond->fail(res, std::move(ok).error());
        return true;
      }
      return false;
    }
    if ((*found)->body_digest != input.body_digest) {
      respond->error(res, api_error{errc::validation_failed,
                                    {},
                                    {validation_issue{"custom",
                                                      {std::string{"Idempotency-Key"}},
                                                      "Idempotency-Key '" + key
                                                          + "' was already used with a different "
                                                            "request body",
                                                      {}}}});
      return true;
    }
    auto request = db->get_record<request_record>(column::requests, (*found)->request_id);
    if (!request || !*request) {
      respond->fail(res, make_failure(errc::internal, "the request of an Idempotency-Key is gone"));
      return true;
    }
    const auto& r = **request;
    issuance_result out;
    out.request_id = r.id;
    out.status = std::string{to_string(r.status)};
    if (r.status == request_status::issued) {
      auto cert = db->get_record<certificate_record>(column::certificates, r.certificate_id);
      if (!cert || !*cert) {
        respond->fail(res, make_failure(errc::internal, "the certificate of a request is gone"));
        return true;
      }
      out.certificate_id = (*cert)->id;
      out.serial_hex = to_hex((*cert)->serial);
      out.certificate_der = (*cert)->der;
      if (const auto* ca = configuration->current()->ca(r.ca_id)) {
        out.issuing_ca_pem = ca->chain_pem.front();
        out.chain_pem = ca->chain_pem;
      } else {
        out.chain_pem = {pem_encode("CERTIFICATE", out.certificate_der)};
      }
      respond->json(res, 200, render_issuance(out, remove_roots));
    } else if (r.status == request_status::pending) {
      respond->json(res, 202, render_pending_issuance(out));
    } else if (r.status == request_status::pending_approval) {
      out.message = "Certificate signing request requires approval";
      respond->json(res, 200, render_pending_issuance(out));
    } else {
      respond->fail(res, make_failure(errc::conflict, "The request of Idempotency-Key '" + key
                                                          + "' ended " + out.status + ": "
                                                          + r.error_message));
    }
    return true;
  }

  // An `issue`-only identity sees its own requests and certificates only.
  bool owns(http_response& res, const identity_record& who, const std::string& requested_by,
            const char* action, const char* subject) {
    if (who.may(role_read) && std::string_view{action} == "read")
      return true;
    if (who.may(role_admin) || requested_by == who.name)
      return true;
    respond->fail(res, make_failure(errc::permission_denied, std::string{"You are not allowed to "}
                                                                 + action + " on " + subject));
    return false;
  }

  void get_request(const http_request& req, http_response& res, const identity_record& who) {
    const auto& id = req.param(0);
    if (!respond->uuid_param(res, id, "requestId"))
      return;
    auto request = db->get_record<request_record>(column::requests, id);
    if (!request) {
      respond->fail(res, std::move(request).error());
      return;
    }
    if (!*request) {
      respond->fail(
          res, make_failure(errc::not_found, "Certificate request with ID '" + id + "' not found"));
      return;
    }
    if (!owns(res, who, (*request)->requested_by, "read", "CertificateRequests"))
      return;
    std::optional<certificate_record> cert;
    if (!(*request)->certificate_id.empty()) {
      auto found =
          db->get_record<certificate_record>(column::certificates, (*request)->certificate_id);
      if (!found) {
        respond->fail(res, std::move(found).error());
        return;
      }
      cert = std::move(*found);
    }
    auto snapshot = configuration->current();
    respond->json(
        res, 200,
        render_request(**request, cert ? &*cert : nullptr, snapshot->ca((*request)->ca_id)));
  }

  // Infisical §3.2: only a `pending` request can be cancelled; it becomes
  // `failed`. The flip is a compare-and-set in the storage writer, and the
  // completing batch is one too, so a request whose signature is in flight
  // either is cancelled (and never gets its certificate) or was issued.
  void cancel_request(const http_request& req, http_response& res, const identity_record& who) {
    const auto& id = req.param(0);
    if (!respond->uuid_param(res, id, "requestId"))
      return;
    auto answer = [&](const request_record& r, bool cancelled) {
      json_writer w;
      w.begin_object()
          .key("status")
          .value(to_string(r.status))
          .key("cancelled")
          .value(cancelled)
          .key("errorMessage")
          .string_or_null(r.error_message)
          .end_object();
      respond->json(res, 200, w.take());
    };
    auto load = [&]() -> std::optional<request_record> {
      auto found = db->get_record<request_record>(column::requests, id);
      if (!found) {
        respond->fail(res, std::move(found).error());
        return std::nullopt;
      }
      if (!*found) {
        respond->fail(res, make_failure(errc::not_found,
                                        "Certificate request with ID '" + id + "' not found"));
        return std::nullopt;
      }
      return std::move(**found);
    };
    auto request = load();
    if (!request || !owns(res, who, request->requested_by, "cancel", "CertificateRequests"))
      return;
    if (request->status != request_status::pending)
      return answer(*request, false);
    request->status = request_status::failed;
    request->error_message = "Cancelled by identity " + who.name;
    request->updated_at = unix_now();
    transaction tx;
    tx.expect_status(id, request_status::pending,
                     make_failure(errc::not_pending, "no longer pending"));
    stage_request(tx, *request, request_status::pending);
    auto committed = bridge->commit(std::move(tx));
    if (committed)
      return answer(*request, true);
    if (committed.error().code != errc::not_pending)
      return respond->fail(res, std::move(committed).error());
    if (auto current = load())
      answer(*current, false);
  }

  // An `issue`-only identity lists its own requests; `read` lists all.
  void search(const http_request& req, http_response& res, const identity_record& who,
              bool from_body) {
    request_query query;
    auto err = from_body ? parse_request_search_body(req.body, query)
                         : parse_request_search_params(req.query, query);
    if (err)
      return respond->error(res, *err);
    if (!who.may(role_read))
      query.requested_by = who.name;
    auto found = search_requests(*db, query);
    if (!found)
      return respond->fail(res, std::move(found).error());
    auto snapshot = configuration->current();
    std::vector<listed_request> listed;
    listed.reserve(found->requests.size());
    for (auto& request : found->requests) {
      listed_request item;
      if (!request.certificate_id.empty()) {
        auto cert =
            db->get_record<certificate_record>(column::certificates, request.certificate_id);
        if (!cert)
          return respond->fail(res, std::move(cert).error());
        item.certificate = std::move(*cert);
      }
      if (const auto* profile = snapshot->profile(request.profile_id))
        item.profile_name = profile->slug;
      item.request = std::move(request);
      listed.push_back(std::move(item));
    }
    respond->json(res, 200, render_request_page(listed, found->total_count, found->next_cursor));
  }

  std::optional<certificate_record> load_certificate(http_response& res, const std::string& id,
                                                     const identity_record& who) {
    if (!respond->uuid_param(res, id, "id"))
      return std::nullopt;
    auto cert = db->get_record<certificate_record>(column::certificates, id);
    if (!cert) {
      respond->fail(res, std::move(cert).error());
      return std::nullopt;
    }
    if (!*cert) {
      respond->fail(res,
                    make_failure(errc::not_found, "Certificate with ID '" + id + "' not found"));
      return std::nullopt;
    }
    if (!who.may(role_read)) {
      auto request = db->get_record<request_record>(column::requests, (*cert)->request_id);
      auto requester = request && *request ? (*request)->requested_by : std::string{};
      if (!owns(res, who, requester, "read", "Certificates"))
        return std::nullopt;
    }
    return std::move(**cert);
  }

  void get_certificate(const http_request& req, http_response& res, const identity_record& who) {
    auto cert = load_certificate(res, req.param(0), who);
    if (!cert)
      return;
    auto revocation = find_revocation(*db, *cert);
    if (!revocation)
      return respond->fail(res, std::move(revocation).error());
    auto snapshot = configuration->current();
    respond->json(res, 200,
                  render_certificate(*cert, snapshot->ca(cert->ca_id),
                                     snapshot->profile(cert->profile_id),
                                     *revocation ? &**revocation : nullptr));
  }

  void get_certificate_body(const http_request& req, http_response& res,
                            const identity_record& who) {
    auto cert = load_certificate(res, req.param(0), who);
    if (!cert)
      return;
    auto snapshot = configuration->current();
    respond->json(res, 200, render_certificate_body(*cert, snapshot->ca(cert->ca_id)));
  }

  // 503 once the store refuses writes, so that a health check takes the
  // server out of rotation and a supervisor restarts it.
  void status(const http_request&, http_response& res) {
    const auto* refusal = db->write_refusal();
    json_writer w;
    w.begin_object()
        .key("date")
        .value(format_iso8601(unix_now()))
        .key("message")
        .value(refusal ? std::string_view{refusal->message} : std::string_view{"Ok"})
        .key("version")
        .value(CERTMINT_VERSION)
        .end_object();
    respond->json(res, refusal ? 503 : 200, w.take());
  }

  void routes() {
    const std::string api = "/api/v1/cert-manager";
    auto& r = *respond;
    auto& rt = router;
    constexpr auto immediate = route_mode::immediate;
    constexpr auto blocking = route_mode::blocking;
    rt.add("GET", "/api/status", immediate,
           [this](const http_request& req, http_response& res) { status(req, res); });
    rt.add_deferred("POST", api + "/certificates",
                    r.authenticated_deferred(
                        role_issue, "create", "Certificates",
                        [this](http_request& req, const http_exchange& exchange,
                               const identity_record& who) { issue(req, exchange, who); }));
    // Search may read many requests (text and metadata filters): not on a
    // loop.
    rt.add("POST", api + "/certificates/certificate-requests/search", blocking,
           r.authenticated(role_issue | role_read, "read", "CertificateRequests",
                           [this](const auto& req, auto& res, const auto& who) {
                             search(req, res, who, true);
                           }));
    rt.add("GET", api + "/certificates/certificate-requests", blocking,
           r.authenticated(role_issue | role_read, "read", "CertificateRequests",
                           [this](const auto& req, auto& res, const auto& who) {
                             search(req, res, who, false);
                           }));
    rt.add("GET", api + "/certificates/certificate-requests/:id", immediate,
           r.authenticated(role_issue | role_read, "read", "CertificateRequests",
                           [this](const auto& req, auto& res, const auto& who) {
                             get_request(req, res, who);
                           }));
    rt.add("POST", api + "/certificates/certificate-requests/:id/cancel", blocking,
           r.authenticated(role_issue, "cancel", "CertificateRequests",
                           [this](const auto& req, auto& res, const auto& who) {
                             cancel_request(req, res, who);
                           }));
    rt.add("GET", api + "/certificates/:id/certificate", immediate,
           r.authenticated(role_issue | role_read, "read", "Certificates",
                           [this](const auto& req, auto& res, const auto& who) {
                             get_certificate_body(req, res, who);
                           }));
    rt.add("GET", api + "/certificates/:id", immediate,
           r.authenticated(role_issue | role_read, "read", "Certificates",
                           [this](const auto& req, auto& res, const auto& who) {
                             get_certificate(req, res, who);
                           }));
    add_configuration_routes(rt, r, *config, configuration);
    add_identity_routes(rt, r, db, *bridge);
    add_approval_routes(rt, r, db, configuration, *bridge, options.approval_min_ttl_s);
    add_revocation_routes(rt, r, db, *bridge);
  }

  // Runs a handler where its route says, and answers through the exchange.
  // A handler that throws (out of memory, a bug) answers 500 instead of
  // taking the loop down.
  void dispatch(http_request& req, const http_exchange& exchange) {
    const http_route* route = nullptr;
    switch (router.find(req, route)) {
      case http_router::lookup::not_found:
        return exchange.respond(respond->error_response(
            api_error{errc::not_found, "Route " + req.method + ":" + req.path + " not found", {}}));
      case http_router::lookup::bad_path:
        return exchange.respond(
            respond->protocol_error(400, "Malformed request path: invalid percent-encoding"));
      case http_router::lookup::found:
        break;
    }
    auto run = [this, route, exchange](http_request& request) {
      try {
        if (route->mode == route_mode::deferred) {
          route->deferred(request, exchange);
          return;
        }
        http_response res;
        route->handler(request, res);
        exchange.respond(std::move(res));
      } catch (const std::exception&) {
        exchange.respond(respond->error_response(
            api_error::from(make_failure(errc::internal, "Something went wrong"))));
      }
    };
    if (route->mode != route_mode::blocking)
      return run(req);
    pool->submit([run, request = std::move(req)]() mutable { run(request); });
  }
};

http_server::http_server(gateway_options options)
    : impl_(std::make_unique<impl>(std::move(options))) {}

http_server::~http_server() {
  stop();
}

result<bound_address> http_server::bind() {
  return impl_->transport.bind();
}

void http_server::serve(std::shared_ptr<const store> db, std::shared_ptr<catalog> configuration,
                        actor_bridge& bridge) {
  auto& d = *impl_;
  d.db = std::move(db);
  d.configuration = std::move(configuration);
  d.bridge = &bridge;
  d.respond.emplace(d.db);
  d.config.emplace(d.db, d.configuration, bridge);
  d.pool.emplace(d.options.blocking_threads);
  d.routes();
  d.transport.start(
      [&d](http_request& req, const http_exchange& exchange) { d.dispatch(req, exchange); },
      [&d](int status, const std::string& message) {
        return d.respond->protocol_error(status, message);
      });
}

void http_server::stop() {
  // The loops drain first (answers in flight still reach their clients),
  // then the pool runs what it has queued.
  impl_->transport.stop();
  if (impl_->pool)
    impl_->pool->stop();
}

} // namespace certmint
