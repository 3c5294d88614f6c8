#include "gateway/http_server.hpp"

#include <algorithm>
#include <chrono>
#include <thread>

#include <sys/socket.h>

#include <httplib.h>

#include "engine/hex.hpp"
#include "engine/pem.hpp"
#include "engine/time_format.hpp"
#include "gateway/actor_bridge.hpp"
#include "gateway/approval_routes.hpp"
#include "gateway/configuration_routes.hpp"
#include "gateway/configuration_service.hpp"
#include "gateway/http_responder.hpp"
#include "gateway/identity_routes.hpp"
#include "gateway/issuance_request_parser.hpp"
#include "gateway/json_writer.hpp"
#include "gateway/request_search_parser.hpp"
#include "gateway/responses.hpp"
#include "storage/catalog.hpp"
#include "storage/request_index.hpp"
#include "storage/request_search.hpp"
#include "storage/store.hpp"

namespace certmint {

struct http_server::impl {
  gateway_options options;
  std::shared_ptr<const store> db;
  std::shared_ptr<catalog> configuration;
  actor_bridge* bridge = nullptr;
  std::optional<http_responder> respond;
  std::optional<configuration_service> config;
  httplib::Server server;
  std::thread listener;
  socket_t listen_socket = INVALID_SOCKET;

  explicit impl(gateway_options opts) : options(std::move(opts)) {}

  void issue(const httplib::Request& req, httplib::Response& res, const identity_record& who) {
    issuance_input input;
    if (auto err = parse_issuance_request(req.body, input)) {
      respond->error(res, *err);
      return;
    }
    auto remove_roots = input.remove_roots_from_chain;
    auto key = req.get_header_value("Idempotency-Key");
    if (!key.empty()) {
      if (key.size() > 255
          || !std::all_of(key.begin(), key.end(), [](char c) { return c > 0x20 && c < 0x7f; }))
        return respond->error(
            res,
            api_error{errc::validation_failed,
                      {},
                      {validation_issue{"custom",
                                        {std::string{"Idempotency-Key"}},
                                        "Idempotency-Key must be 1 to 255 printable characters",
                                        {}}}});
      input.idempotency_key = who.name + std::string(1, '\0') + key;
      input.body_digest = to_hex(sha256(req.body));
      input.idempotency_expires_at = unix_now() + options.idempotency_window_s;
      if (replay(res, input, key, remove_roots))
        return;
    }
    // RFC 7240: `Prefer: respond-async` asks for 202 once the request is
    // durable; the client polls the request id.
    bool respond_async = req.get_header_value("Prefer").find("respond-async") != std::string::npos;
    auto idempotency_key = input.idempotency_key;
    auto digest = input.body_digest;
    auto outcome = bridge->issue(std::move(input), who, respond_async);
    if (!outcome && outcome.error().code == errc::conflict && !key.empty()) {
      // A concurrent retry with the same key reserved first: answer with it.
      issuance_input again;
      again.idempotency_key = idempotency_key;
      again.body_digest = digest;
      if (replay(res, again, key, remove_roots))
        return;
    }
    if (!outcome && outcome.error().code == errc::too_many_requests)
      res.set_header("Retry-After", "1");
    if (outcome && outcome->status == "pending") {
      res.set_header("Preference-Applied", "respond-async");
      respond->json(res, 202, render_pending_issuance(*outcome));
      return;
    }
    if (outcome && outcome->status == "pending_approval") {
      respond->json(res, 200, render_pending_issuance(*outcome));
      return;
    }
    respond->reply(res, std::move(outcome), [remove_roots](const issuance_result& r) {
      return render_issuance(r, remove_roots);
    });
  }

  // Answers a retry whose Idempotency-Key names an earlier request, with
  // that request's current state; false when the key is new (or expired,
  // then it is released for the new request).
  bool replay(httplib::Response& res, const issuance_input& input, const std::string& key,
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
      out.certificate_pem = pem_encode("CERTIFICATE", (*cert)->der);
      if (const auto* ca = configuration->current()->ca(r.ca_id)) {
        out.issuing_ca_pem = ca->chain_pem.front();
        out.chain_pem = ca->chain_pem;
      } else {
        out.chain_pem = {out.certificate_pem};
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
  bool owns(httplib::Response& res, const identity_record& who, const std::string& requested_by,
            const char* action, const char* subject) {
    if (who.may(role_read) && std::string_view{action} == "read")
      return true;
    if (who.may(role_admin) || requested_by == who.name)
      return true;
    respond->fail(res, make_failure(errc::permission_denied, std::string{"You are not allowed to "}
                                                                 + action + " on " + subject));
    return false;
  }

  void get_request(const httplib::Request& req, httplib::Response& res,
                   const identity_record& who) {
    const auto& id = req.matches[1].str();
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
  void cancel_request(const httplib::Request& req, httplib::Response& res,
                      const identity_record& who) {
    const auto& id = req.matches[1].str();
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
  void search(const httplib::Request& req, httplib::Response& res, const identity_record& who,
              bool from_body) {
    request_query query;
    auto err = from_body ? parse_request_search_body(req.body, query)
                         : parse_request_search_params(req.params, query);
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

  std::optional<certificate_record> load_certificate(httplib::Response& res, const std::string& id,
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

  void get_certificate(const httplib::Request& req, httplib::Response& res,
                       const identity_record& who) {
    auto cert = load_certificate(res, req.matches[1].str(), who);
    if (!cert)
      return;
    auto snapshot = configuration->current();
    respond->json(
        res, 200,
        render_certificate(*cert, snapshot->ca(cert->ca_id), snapshot->profile(cert->profile_id)));
  }

  void get_certificate_body(const httplib::Request& req, httplib::Response& res,
                            const identity_record& who) {
    auto cert = load_certificate(res, req.matches[1].str(), who);
    if (!cert)
      return;
    auto snapshot = configuration->current();
    respond->json(res, 200, render_certificate_body(*cert, snapshot->ca(cert->ca_id)));
  }

  void status(const httplib::Request&, httplib::Response& res) {
    json_writer w;
    w.begin_object()
        .key("date")
        .value(format_iso8601(unix_now()))
        .key("message")
        .value("Ok")
        .key("version")
        .value(CERTMINT_VERSION)
        .end_object();
    respond->json(res, 200, w.take());
  }

  void routes() {
    const std::string api = "/api/v1/cert-manager";
    const std::string id = "([^/]+)";
    auto& r = *respond;
    server.Get("/api/status", [this](const auto& req, auto& res) { status(req, res); });
    server.Post(api + "/certificates",
                r.authenticated(
                    role_issue, "create", "Certificates",
                    [this](const auto& req, auto& res, const auto& who) { issue(req, res, who); }));
    server.Post(api + "/certificates/certificate-requests/search",
                r.authenticated(role_issue | role_read, "read", "CertificateRequests",
                                [this](const auto& req, auto& res, const auto& who) {
                                  search(req, res, who, true);
                                }));
    server.Get(api + "/certificates/certificate-requests",
               r.authenticated(role_issue | role_read, "read", "CertificateRequests",
                               [this](const auto& req, auto& res, const auto& who) {
                                 search(req, res, who, false);
                               }));
    server.Get(api + "/certificates/certificate-requests/" + id,
               r.authenticated(role_issue | role_read, "read", "CertificateRequests",
                               [this](const auto& req, auto& res, const auto& who) {
                                 get_request(req, res, who);
                               }));
    server.Post(api + "/certificates/certificate-requests/" + id + "/cancel",
                r.authenticated(role_issue, "cancel", "CertificateRequests",
                                [this](const auto& req, auto& res, const auto& who) {
                                  cancel_request(req, res, who);
                                }));
    server.Get(api + "/certificates/" + id + "/certificate",
               r.authenticated(role_issue | role_read, "read", "Certificates",
                               [this](const auto& req, auto& res, const auto& who) {
                                 get_certificate_body(req, res, who);
                               }));
    server.Get(api + "/certificates/" + id,
               r.authenticated(role_issue | role_read, "read", "Certificates",
                               [this](const auto& req, auto& res, const auto& who) {
                                 get_certificate(req, res, who);
                               }));
    add_configuration_routes(server, r, *config, configuration);
    add_identity_routes(server, r, db, *bridge);
    add_approval_routes(server, r, db, configuration, *bridge, options.approval_min_ttl_s);
  }

  void configure_connections() {
    // Remember the listening socket: httplib 0.11 listens with a backlog of
    // 5, so bursts of new connections overflow it and clients wait a second
    // for the SYN retransmit; bind() raises the backlog on this socket.
    server.set_socket_options([this](socket_t sock) {
      httplib::default_socket_options(sock);
      listen_socket = sock;
    });
    server.new_task_queue = [threads = options.threads] {
      return new httplib::ThreadPool(threads);
    };
    // Without TCP_NODELAY every keep-alive response waits ~40 ms for the
    // delayed ACK (see docs/architecture.md).
    server.set_tcp_nodelay(true);
    server.set_keep_alive_max_count(options.keep_alive_max);
    server.set_keep_alive_timeout(5);
    server.set_read_timeout(10, 0);
    server.set_write_timeout(10, 0);
    server.set_payload_max_length(options.max_body_bytes);
  }

  void configure_handlers() {
    // Errors httplib produces itself (no route, body too large, bad request
    // line) get the same error body as ours.
    server.set_error_handler(httplib::Server::HandlerWithResponse{
        [this](const httplib::Request& req, httplib::Response& res) {
          if (!res.body.empty())
            return httplib::Server::HandlerResponse::Unhandled;
          errc code = errc::internal;
          std::string message;
          switch (res.status) {
            case 404:
              code = errc::not_found;
              message = "Route " + req.method + ":" + req.path + " not found";
              break;
            case 413:
              code = errc::payload_too_large;
              message = "Request body is too large (limit " + std::to_string(options.max_body_bytes)
                        + " bytes)";
              break;
            case 400:
              code = errc::bad_request;
              message = "Malformed HTTP request";
              break;
            default:
              message = "Something went wrong";
          }
          auto status = res.status;
          respond->error(res, api_error{code, std::move(message), {}});
          if (code == errc::internal)
            res.status = status;
          return httplib::Server::HandlerResponse::Handled;
        }});
    server.set_exception_handler(
        [this](const httplib::Request&, httplib::Response& res, const std::exception_ptr&) {
          respond->fail(res, make_failure(errc::internal, "Something went wrong"));
        });
    routes();
  }
};

http_server::http_server(gateway_options options)
    : impl_(std::make_unique<impl>(std::move(options))) {
  impl_->configure_connections();
}

http_server::~http_server() {
  stop();
}

result<int> http_server::bind() {
  auto& srv = impl_->server;
  int port = impl_->options.port;
  if (port == 0) {
    port = srv.bind_to_any_port(impl_->options.host);
    if (port < 0)
      return make_failure(errc::unavailable, "cannot bind " + impl_->options.host);
  } else if (!srv.bind_to_port(impl_->options.host, port)) {
    return make_failure(errc::unavailable, "cannot bind " + impl_->options.host + ":"
                                               + std::to_string(port)
                                               + " (address in use or not permitted)");
  }
  if (impl_->listen_socket != INVALID_SOCKET)
    ::listen(impl_->listen_socket, SOMAXCONN);
  return port;
}

void http_server::serve(std::shared_ptr<const store> db, std::shared_ptr<catalog> configuration,
                        actor_bridge& bridge) {
  impl_->db = std::move(db);
  impl_->configuration = std::move(configuration);
  impl_->bridge = &bridge;
  impl_->respond.emplace(impl_->db);
  impl_->config.emplace(impl_->db, impl_->configuration, bridge);
  impl_->configure_handlers();
  auto& srv = impl_->server;
  impl_->listener = std::thread{[&srv] { srv.listen_after_bind(); }};
  // httplib 0.11 has no wait_until_ready(), and stop() before the listen
  // loop runs is lost; wait until it is running.
  while (!srv.is_running())
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

void http_server::stop() {
  if (!impl_->listener.joinable())
    return;
  impl_->server.stop();
  impl_->listener.join();
}

} // namespace certmint
