#include "app/server_config.hpp"

#include <charconv>
#include <fstream>
#include <sstream>

#include <simdjson.h>

namespace certmint {

namespace {

failure config_error(std::string message) {
  return make_failure(errc::bad_request, std::move(message));
}

status set_listen(server_config& cfg, std::string_view text, const std::string& origin) {
  auto refuse = [&](std::string_view why) {
    return config_error(origin + ": expected HOST:PORT (port 0 picks a free one" + std::string{why}
                        + "), got '" + std::string{text} + "'");
  };
  auto colon = text.rfind(':');
  int port = -1;
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size())
    return refuse("");
  auto digits = text.substr(colon + 1);
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
  if (ec != std::errc{} || end != digits.data() + digits.size() || port < 0 || port > 65535)
    return refuse("");
  auto host = text.substr(0, colon);
  // An IPv6 address in the URL form, [::1]:8443. Without the brackets,
  // ::1:8443 could be the address ::1:8443 on a port missing, so it is
  // refused rather than guessed.
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']')
      return refuse("");
    host = host.substr(1, host.size() - 2);
  } else if (host.find_first_of(":[]") != std::string_view::npos) {
    return refuse("; an IPv6 address goes in brackets, as in [::1]:8443");
  }
  cfg.host = std::string{host};
  cfg.port = port;
  return {};
}

// The URL ends up inside certificate extensions built with OpenSSL's
// config syntax, so characters that syntax interprets are refused here.
status set_public_url(server_config& cfg, std::string_view text, const std::string& origin) {
  std::string url{text};
  while (!url.empty() && url.back() == '/')
    url.pop_back();
  bool scheme_ok = url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0;
  bool chars_ok = url.find_first_of(", \t\r\n\"'") == std::string::npos;
  if (!scheme_ok || !chars_ok || url.size() < 9)
    return config_error(origin
                        + ": expected an http:// or https:// base URL without spaces or "
                          "commas, got '"
                        + std::string{text} + "'");
  cfg.public_url = std::move(url);
  return {};
}

status set_count(size_t& out, std::string_view text, const std::string& origin, size_t min,
                 size_t max) {
  size_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value < min || value > max)
    return config_error(origin + ": expected a whole number from " + std::to_string(min) + " to "
                        + std::to_string(max) + ", got '" + std::string{text} + "'");
  out = value;
  return {};
}

status set_key_algorithm(server_config& cfg, std::string_view text, const std::string& origin) {
  auto alg = parse_key_algorithm(text);
  if (!alg)
    return config_error(origin + ": unknown key algorithm '" + std::string{text}
                        + "' (RSA_2048, RSA_3072, RSA_4096, EC_prime256v1, EC_secp384r1, "
                          "EC_secp521r1)");
  cfg.ca_key_algorithm = *alg;
  return {};
}

// "RSA_2048=16,RSA_4096=2"; "none" (or empty) keeps no keys.
status set_key_pool(server_config& cfg, std::string_view text, const std::string& origin) {
  std::map<key_algorithm, size_t> pool;
  if (text == "none")
    text = {};
  while (!text.empty()) {
    auto comma = text.find(',');
    auto item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    auto eq = item.find('=');
    auto alg = parse_key_algorithm(item.substr(0, eq));
    size_t count = 0;
    auto number = eq == std::string_view::npos ? std::string_view{} : item.substr(eq + 1);
    auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), count);
    if (!alg || number.empty() || ec != std::errc{} || end != number.data() + number.size()
        || count > 100000)
      return config_error(origin + ": key pool entry '" + std::string{item}
                          + "' is not ALGORITHM=COUNT (e.g. RSA_2048=16)");
    pool[*alg] = count;
  }
  cfg.key_pool = std::move(pool);
  return {};
}

// One setting, by its flag name (without dashes); file keys map onto these.
status apply(server_config& cfg, const std::string& name, std::string_view value,
             const std::string& origin) {
  size_t timeout = 0;
  if (name == "listen")
    return set_listen(cfg, value, origin);
  if (name == "data-dir") {
    if (value.empty())
      return config_error(origin + ": the data directory must not be empty");
    cfg.data_dir = std::string{value};
    return {};
  }
  if (name == "public-url")
    return set_public_url(cfg, value, origin);
  if (name == "scheduler-threads")
    return set_count(cfg.scheduler_threads, value, origin, 0, 256);
  if (name == "http-threads")
    return set_count(cfg.http_threads, value, origin, 1, 256);
  if (name == "keep-alive-max")
    return set_count(cfg.keep_alive_max, value, origin, 1, 1000000);
  if (name == "max-connections")
    return set_count(cfg.max_connections, value, origin, 1, 1000000);
  if (name == "max-body-bytes")
    return set_count(cfg.max_body_bytes, value, origin, 1024, size_t{16} * 1024 * 1024);
  if (name == "request-timeout-ms") {
    auto ok = set_count(timeout, value, origin, 100, 600000);
    if (ok)
      cfg.request_timeout_ms = static_cast<int64_t>(timeout);
    return ok;
  }
  if (name == "sync-wait-ms") {
    auto ok = set_count(timeout, value, origin, 1, 600000);
    if (ok)
      cfg.sync_wait_ms = static_cast<int64_t>(timeout);
    return ok;
  }
  if (name == "idempotency-window-s")
    return set_count(cfg.idempotency_window_s, value, origin, 1, 31536000);
  if (name == "approval-min-ttl-s")
    return set_count(cfg.approval_min_ttl_s, value, origin, 1, 2592000);
  if (name == "max-inflight")
    return set_count(cfg.max_inflight, value, origin, 1, 10000000);
  if (name == "max-backlog")
    return set_count(cfg.max_backlog, value, origin, 1, 1000000000);
  if (name == "backlog-concurrency")
    return set_count(cfg.backlog_concurrency, value, origin, 1, 100000);
  if (name == "ca-key-algorithm")
    return set_key_algorithm(cfg, value, origin);
  if (name == "key-pool")
    return set_key_pool(cfg, value, origin);
  return config_error("unknown setting '" + name + "' (" + origin + ")");
}

struct file_key {
  const char* json;
  const char* flag;
};

constexpr file_key file_keys[] = {
    {"listen", "listen"},
    {"dataDir", "data-dir"},
    {"publicUrl", "public-url"},
    {"schedulerThreads", "scheduler-threads"},
    {"httpThreads", "http-threads"},
    {"keepAliveMax", "keep-alive-max"},
    {"maxConnections", "max-connections"},
    {"maxBodyBytes", "max-body-bytes"},
    {"requestTimeoutMs", "request-timeout-ms"},
    {"syncWaitMs", "sync-wait-ms"},
    {"maxInflight", "max-inflight"},
    {"maxBacklog", "max-backlog"},
    {"backlogConcurrency", "backlog-concurrency"},
    {"idempotencyWindowS", "idempotency-window-s"},
    {"approvalMinTtlS", "approval-min-ttl-s"},
    {"caKeyAlgorithm", "ca-key-algorithm"},
    {"keyPool", "key-pool"},
};

status apply_file(server_config& cfg, const std::string& path) {
  std::ifstream in{path};
  if (!in)
    return config_error("cannot read config file '" + path + "'");
  std::stringstream text;
  text << in.rdbuf();
  auto body = text.str();
  simdjson::dom::parser parser;
  simdjson::dom::object root;
  if (auto err = parser.parse(body).get(root))
    return config_error("config file '" + path
                        + "' is not a JSON object: " + simdjson::error_message(err));
  for (auto field : root) {
    const file_key* match = nullptr;
    for (const auto& key : file_keys)
      if (field.key == key.json)
        match = &key;
    auto origin = "config file '" + path + "', key '" + std::string{field.key} + "'";
    if (match == nullptr)
      return config_error("unknown key in " + origin.substr(0, origin.find(", key")) + ": '"
                          + std::string{field.key} + "'");
    std::string value;
    std::string_view str;
    int64_t number = 0;
    if (!field.value.get_string().get(str))
      value = std::string{str};
    else if (!field.value.get_int64().get(number))
      value = std::to_string(number);
    else
      return config_error(origin + ": expected a string or a whole number");
    if (auto ok = apply(cfg, match->flag, value, origin); !ok)
      return ok;
  }
  return {};
}

} // namespace

std::string server_usage() {
  return "usage: certmint serve [options]\n"
         "  --config FILE              JSON settings: every flag below as a camelCase\n"
         "                             key (listen, dataDir, maxBacklog, keyPool, ...);\n"
         "                             environment variables and flags override it\n"
         "  --listen HOST:PORT         address to serve on (default 127.0.0.1:8080;\n"
         "                             port 0 picks a free port); plain HTTP: put a\n"
         "                             TLS proxy in front for other machines\n"
         "  --data-dir DIR             RocksDB directory (default ./data)\n"
         "  --public-url URL           base URL written into certificates' CRL and AIA\n"
         "                             extensions (default http://HOST:PORT; required\n"
         "                             with a 0.0.0.0 or :: listen address)\n"
         "  --scheduler-threads N      actor scheduler threads (default: one per core)\n"
         "  --http-threads N           HTTP event loop threads (default: one per core)\n"
         "  --keep-alive-max N         requests per keep-alive connection (default 1000)\n"
         "  --max-connections N        open connections; more get 503 (default 10000)\n"
         "  --max-body-bytes N         request body limit (default 65536)\n"
         "  --request-timeout-ms N     bound on one issuance (default 30000)\n"
         "  --sync-wait-ms N           a synchronous issuance not done by then answers\n"
         "                             202 pending instead (default 10000)\n"
         "  --idempotency-window-s N   how long an Idempotency-Key holds (default 86400)\n"
         "  --approval-min-ttl-s N     shortest maxRequestTtl of an approval policy (default "
         "3600)\n"
         "  --key-pool ALG=N,...       ready server-generated keys per algorithm (default "
         "RSA_2048=8; none)\n"
         "  --max-inflight N           issuances in progress before new ones get 429\n"
         "                             (default 4096)\n"
         "  --max-backlog N            pending requests before asynchronous ones get 429\n"
         "                             (default 100000)\n"
         "  --backlog-concurrency N    pending requests signed at once (default 64)\n"
         "  --ca-key-algorithm ALG     key algorithm of bootstrapped CAs (default\n"
         "                             EC_prime256v1)\n"
         "environment: CERTMINT_LISTEN, CERTMINT_DATA_DIR, CERTMINT_PUBLIC_URL,\n"
         "  CERTMINT_ADMIN_TOKEN (the admin token to create instead of a random one)\n";
}

result<server_config> load_server_config(const std::vector<std::string>& args,
                                         const env_lookup& env) {
  server_config cfg;
  std::vector<std::pair<std::string, std::string>> flags;
  for (size_t i = 0; i < args.size(); ++i) {
    const auto& arg = args[i];
    if (arg.rfind("--", 0) != 0)
      return config_error("unexpected argument '" + arg + "'");
    auto name = arg.substr(2);
    std::string value;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return config_error("flag '" + arg + "' needs a value");
    }
    flags.emplace_back(std::move(name), std::move(value));
  }
  for (const auto& [name, value] : flags)
    if (name == "config")
      if (auto ok = apply_file(cfg, value); !ok)
        return std::move(ok).error();
  const std::pair<const char*, const char*> env_settings[] = {
      {"CERTMINT_LISTEN", "listen"},
      {"CERTMINT_DATA_DIR", "data-dir"},
      {"CERTMINT_PUBLIC_URL", "public-url"},
  };
  for (const auto& [var, name] : env_settings)
    if (const char* value = env(var); value != nullptr && *value != '\0')
      if (auto ok = apply(cfg, name, value, std::string{"environment variable "} + var); !ok)
        return std::move(ok).error();
  for (const auto& [name, value] : flags)
    if (name != "config")
      if (auto ok = apply(cfg, name, value, "flag --" + name); !ok)
        return std::move(ok).error();
  if (const char* token = env("CERTMINT_ADMIN_TOKEN"); token != nullptr && *token != '\0') {
    cfg.admin_token = token;
    if (cfg.admin_token.size() < 16)
      return config_error("environment variable CERTMINT_ADMIN_TOKEN: a token needs at least 16 "
                          "characters");
  }
  return cfg;
}

std::string http_url(const std::string& host, int port) {
  bool ipv6 = host.find(':') != std::string::npos;
  return "http://" + (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

result<std::string> certificate_base_url(const server_config& cfg, int bound_port, bool wildcard) {
  if (!cfg.public_url.empty())
    return cfg.public_url;
  if (wildcard)
    return config_error("listening on every interface (" + cfg.host
                        + ") needs --public-url (or CERTMINT_PUBLIC_URL, or publicUrl): "
                          "certificates carry CRL and AIA URLs, and "
                        + http_url(cfg.host, bound_port) + " reaches no one");
  return http_url(cfg.host, bound_port);
}

} // namespace certmint
