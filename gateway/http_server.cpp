#include "gateway/http_server.hpp"

#include <atomic>
#include <chrono>
#include <thread>

#include <sys/socket.h>

#include <httplib.h>

#include "engine/hex.hpp"
#include "engine/identifiers.hpp"
#include "engine/time_format.hpp"
#include "gateway/actor_bridge.hpp"
#include "gateway/api_error.hpp"
#include "gateway/authenticator.hpp"
#include "gateway/issuance_request_parser.hpp"
#include "gateway/json_writer.hpp"
#include "gateway/responses.hpp"
#include "storage/catalog.hpp"
#include "storage/store.hpp"

namespace certmint {

namespace {

constexpr const char* json_type = "application/json; charset=utf-8";

using handler = std::function<void(const httplib::Request&, httplib::Response&)>;
using authed_handler =
    std::function<void(const httplib::Request&, httplib::Response&, const identity_record&)>;

} // namespace

struct http_server::impl {
  gateway_options options;
  std::shared_ptr<const store> db;
  std::shared_ptr<catalog> configuration;
  actor_bridge* bridge = nullptr;
  std::optional<authenticator> auth;
  httplib::Server server;
  std::thread listener;
  std::string request_id_prefix = "req-" + to_hex(random_bytes(6));
  std::atomic<uint64_t> request_counter{0};
  socket_t listen_socket = INVALID_SOCKET;

  explicit impl(gateway_options opts) : options(std::move(opts)) {}

  std::string next_request_id() {
    return request_id_prefix + std::to_string(request_counter.fetch_add(1) + 1);
  }

  void send_json(httplib::Response& res, int status, const std::string& body) {
    res.status = status;
    res.set_content(body, json_type);
  }

  void send_error(httplib::Response& res, const api_error& err) {
    send_json(res, http_status(err.code), render_error_body(next_request_id(), err));
  }

  void send_failure(httplib::Response& res, failure f) {
    send_error(res, api_error::from(std::move(f)));
  }

  // Path parameters are UUIDs; anything else is a 422 as in Infisical.
  bool check_uuid_param(httplib::Response& res, const std::string& value, const char* name) {
    if (is_uuid(value))
      return true;
    send_error(res, api_error{errc::validation_failed,
                              {},
                              {validation_issue{"invalid_string",
                                                {std::string{name}},
                                                "Invalid uuid",
                                                "\"validation\":\"uuid\""}}});
    return false;
  }

  handler authenticated(authed_handler inner) {
    return [this, inner = std::move(inner)](const httplib::Request& req, httplib::Response& res) {
      auto identity = auth->authenticate(req.get_header_value("Authorization"));
      if (!identity) {
        send_failure(res, std::move(identity).error());
        return;
      }
      inner(req, res, *identity);
    };
  }

  void issue(const httplib::Request& req, httplib::Response& res, const identity_record& who) {
    issuance_input input;
    if (auto err = parse_issuance_request(req.body, input)) {
      send_error(res, *err);
      return;
    }
    auto remove_roots = input.remove_roots_from_chain;
    auto outcome = bridge->issue(std::move(input), who.name);
    if (!outcome) {
      send_failure(res, std::move(outcome).error());
      return;
    }
    send_json(res, 200, render_issuance(*outcome, remove_roots));
  }

  void get_request(const httplib::Request& req, httplib::Response& res, const identity_record&) {
    const auto& id = req.matches[1].str();
    if (!check_uuid_param(res, id, "requestId"))
      return;
    auto request = db->get_record<request_record>(column::requests, id);
    if (!request) {
      send_failure(res, std::move(request).error());
      return;
    }
    if (!*request) {
      send_failure(
          res, make_failure(errc::not_found, "Certificate request with ID '" + id + "' not found"));
      return;
    }
    std::optional<certificate_record> cert;
    if (!(*request)->certificate_id.empty()) {
      auto found =
          db->get_record<certificate_record>(column::certificates, (*request)->certificate_id);
      if (!found) {
        send_failure(res, std::move(found).error());
        return;
      }
      cert = std::move(*found);
    }
    auto snapshot = configuration->current();
    send_json(res, 200,
              render_request(**request, cert ? &*cert : nullptr, snapshot->ca((*request)->ca_id)));
  }

  std::optional<certificate_record> load_certificate(httplib::Response& res,
                                                     const std::string& id) {
    if (!check_uuid_param(res, id, "id"))
      return std::nullopt;
    auto cert = db->get_record<certificate_record>(column::certificates, id);
    if (!cert) {
      send_failure(res, std::move(cert).error());
      return std::nullopt;
    }
    if (!*cert) {
      send_failure(res,
                   make_failure(errc::not_found, "Certificate with ID '" + id + "' not found"));
      return std::nullopt;
    }
    return std::move(**cert);
  }

  void get_certificate(const httplib::Request& req, httplib::Response& res,
                       const identity_record&) {
    auto cert = load_certificate(res, req.matches[1].str());
    if (!cert)
      return;
    auto snapshot = configuration->current();
    send_json(
        res, 200,
        render_certificate(*cert, snapshot->ca(cert->ca_id), snapshot->profile(cert->profile_id)));
  }

  void get_certificate_body(const httplib::Request& req, httplib::Response& res,
                            const identity_record&) {
    auto cert = load_certificate(res, req.matches[1].str());
    if (!cert)
      return;
    auto snapshot = configuration->current();
    send_json(res, 200, render_certificate_body(*cert, snapshot->ca(cert->ca_id)));
  }

  const ca_view* find_ca(httplib::Response& res, const catalog_snapshot& snapshot,
                         const std::string& id) {
    if (!check_uuid_param(res, id, "caId"))
      return nullptr;
    const auto* ca = snapshot.ca(id);
    if (ca == nullptr)
      send_failure(res, make_failure(errc::not_found, "CA with ID '" + id + "' not found"));
    return ca;
  }

  void get_ca_certificate(const httplib::Request& req, httplib::Response& res,
                          const identity_record&) {
    auto snapshot = configuration->current();
    if (const auto* ca = find_ca(res, *snapshot, req.matches[1].str()))
      send_json(res, 200, render_ca_certificate(*ca));
  }

  // Public (no token): the AIA caIssuers URL of issued certificates.
  void get_ca_certificate_der(const httplib::Request& req, httplib::Response& res) {
    auto snapshot = configuration->current();
    const auto* ca = find_ca(res, *snapshot, req.matches[1].str());
    if (ca == nullptr)
      return;
    if (req.matches[2].str() != ca->ca_cert_id) {
      send_failure(res, make_failure(errc::not_found, "CA certificate with ID '"
                                                          + req.matches[2].str() + "' not found"));
      return;
    }
    res.status = 200;
    res.set_content(ca->certificate_der, "application/pkix-cert");
  }

  void get_profile(httplib::Response& res, const profile_record* profile, const std::string& what,
                   const catalog_snapshot& snapshot) {
    if (profile == nullptr) {
      send_failure(
          res, make_failure(errc::not_found, "Certificate profile with " + what + " not found"));
      return;
    }
    auto it = snapshot.policies.find(profile->policy_id);
    send_json(res, 200,
              render_profile(*profile, snapshot.ca(profile->ca_id),
                             it == snapshot.policies.end() ? nullptr : &it->second));
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
    send_json(res, 200, w.take());
  }

  void routes() {
    using namespace std::placeholders;
    constexpr auto base = "/api/v1/cert-manager";
    const std::string api{base};
    const std::string uuid_part = "([^/]+)";
    server.Get("/api/status", [this](const auto& req, auto& res) { status(req, res); });
    server.Post(api + "/certificates",
                authenticated(
                    [this](const auto& req, auto& res, const auto& who) { issue(req, res, who); }));
    server.Get(api + "/certificates/certificate-requests/" + uuid_part,
               authenticated([this](const auto& req, auto& res, const auto& who) {
                 get_request(req, res, who);
               }));
    server.Get(api + "/certificates/" + uuid_part + "/certificate",
               authenticated([this](const auto& req, auto& res, const auto& who) {
                 get_certificate_body(req, res, who);
               }));
    server.Get(api + "/certificates/" + uuid_part,
               authenticated([this](const auto& req, auto& res, const auto& who) {
                 get_certificate(req, res, who);
               }));
    server.Get(api + "/ca/internal/" + uuid_part + "/certificates/" + uuid_part + "/der",
               [this](const auto& req, auto& res) { get_ca_certificate_der(req, res); });
    server.Get(api + "/ca/internal/" + uuid_part + "/certificate",
               authenticated([this](const auto& req, auto& res, const auto& who) {
                 get_ca_certificate(req, res, who);
               }));
    server.Get(api + "/certificate-profiles/slug/" + uuid_part,
               authenticated([this](const auto& req, auto& res, const auto&) {
                 auto snapshot = configuration->current();
                 auto slug = req.matches[1].str();
                 get_profile(res, snapshot->profile_by_slug(slug), "slug '" + slug + "'",
                             *snapshot);
               }));
    server.Get(api + "/certificate-profiles/" + uuid_part,
               authenticated([this](const auto& req, auto& res, const auto&) {
                 auto id = req.matches[1].str();
                 if (!check_uuid_param(res, id, "id"))
                   return;
                 auto snapshot = configuration->current();
                 get_profile(res, snapshot->profile(id), "ID '" + id + "'", *snapshot);
               }));
  }

  // Socket options must be set before bind(): accepted connections inherit
  // TCP_NODELAY from the listening socket.
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
          send_error(res, api_error{code, std::move(message), {}});
          if (code == errc::internal)
            res.status = status;
          return httplib::Server::HandlerResponse::Handled;
        }});
    server.set_exception_handler(
        [this](const httplib::Request&, httplib::Response& res, const std::exception_ptr&) {
          send_failure(res, make_failure(errc::internal, "Something went wrong"));
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
  impl_->auth.emplace(impl_->db);
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
