#include <catch2/catch.hpp>

#include <fstream>
#include <map>

#include "app/server_config.hpp"
#include "tests/support/test_pki.hpp"

using namespace certmint;

namespace {

env_lookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* name) -> const char* {
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  };
}

std::string config_error(const std::vector<std::string>& args,
                         std::map<std::string, std::string> env = {}) {
  auto cfg = load_server_config(args, env_of(std::move(env)));
  REQUIRE_FALSE(cfg);
  return cfg.error().message;
}

} // namespace

TEST_CASE("defaults, file, environment and flags, in that order", "[config]") {
  auto cfg = load_server_config({}, env_of({}));
  REQUIRE(cfg);
  CHECK(cfg->host == "127.0.0.1");
  CHECK(cfg->port == 8080);
  CHECK(cfg->data_dir == "./data");
  CHECK(cfg->public_url.empty());
  test::temp_dir dir;
  auto file = dir.path() + "/certmint.json";
  std::ofstream{file} << R"({"listen":"127.0.0.1:9000","dataDir":"/from-file","httpThreads":8,
                             "publicUrl":"https://ca.example.com/","caKeyAlgorithm":"RSA_2048"})";
  cfg = load_server_config({"--config", file, "--data-dir=/from-flag"},
                           env_of({{"CERTMINT_DATA_DIR", "/from-env"},
                                   {"CERTMINT_LISTEN", "0.0.0.0:9443"},
                                   {"CERTMINT_ADMIN_TOKEN", "0123456789abcdef"}}));
  REQUIRE(cfg);
  CHECK(cfg->host == "0.0.0.0");
  CHECK(cfg->port == 9443);
  CHECK(cfg->data_dir == "/from-flag");
  CHECK(cfg->http_threads == 8);
  CHECK(cfg->public_url == "https://ca.example.com");
  CHECK(cfg->ca_key_algorithm == key_algorithm::rsa_2048);
  CHECK(cfg->admin_token == "0123456789abcdef");
}

TEST_CASE("the key pool setting", "[config]") {
  auto cfg = load_server_config({}, [](const char*) -> const char* { return nullptr; });
  REQUIRE(cfg);
  CHECK(cfg->key_pool == std::map<key_algorithm, size_t>{{key_algorithm::rsa_2048, 8}});
  cfg = load_server_config({"--key-pool", "RSA_4096=2,EC_prime256v1=0"},
                           [](const char*) -> const char* { return nullptr; });
  REQUIRE(cfg);
  CHECK(cfg->key_pool
        == std::map<key_algorithm, size_t>{{key_algorithm::rsa_4096, 2},
                                           {key_algorithm::ec_p256, 0}});
  cfg = load_server_config({"--key-pool", "none"},
                           [](const char*) -> const char* { return nullptr; });
  REQUIRE(cfg);
  CHECK(cfg->key_pool.empty());
}

TEST_CASE("bad settings name what is wrong", "[config][malformed]") {
  CHECK(config_error({"--listen", "8080"})
        == "flag --listen: expected HOST:PORT (port 0 picks a free one), got '8080'");
  for (const char* listen : {"h:99999", "127.0.0.1:80x", "127.0.0.1:", "[::1]", "[]:80", "[::1:80",
                             "::1]:80", "h: 80", "h:-1"})
    CHECK(config_error({"--listen", listen}).find("expected HOST:PORT") != std::string::npos);
  // A bare IPv6 address is ambiguous with its port: it needs brackets.
  CHECK(config_error({"--listen", "::1:8443"})
        == "flag --listen: expected HOST:PORT (port 0 picks a free one; an IPv6 address goes in "
           "brackets, as in [::1]:8443), got '::1:8443'");
  CHECK(config_error({"--http-threads", "0"})
        == "flag --http-threads: expected a whole number from 1 to 256, got '0'");
  CHECK(config_error({"--public-url", "ftp://x"}).find("expected an http:// or https://")
        != std::string::npos);
  CHECK(config_error({"--public-url", "http://a,b"}).find("without spaces or commas")
        != std::string::npos);
  CHECK(config_error({"--bogus", "1"}) == "unknown setting 'bogus' (flag --bogus)");
  CHECK(config_error({"--listen"}) == "flag '--listen' needs a value");
  CHECK(config_error({"serve"}) == "unexpected argument 'serve'");
  CHECK(config_error({"--ca-key-algorithm", "DSA"}).find("unknown key algorithm 'DSA'")
        != std::string::npos);
  for (const char* pool : {"RSA_2048", "RSA_2048=", "RSA_2048=x", "DSA=1", "RSA_2048=1,,"})
    CHECK(config_error({"--key-pool", pool}).find("is not ALGORITHM=COUNT") != std::string::npos);
  CHECK(config_error({}, {{"CERTMINT_ADMIN_TOKEN", "short"}})
        == "environment variable CERTMINT_ADMIN_TOKEN: a token needs at least 16 characters");
  CHECK(config_error({"--config", "/nonexistent/file.json"})
        == "cannot read config file '/nonexistent/file.json'");
  test::temp_dir dir;
  auto file = dir.path() + "/bad.json";
  std::ofstream{file} << R"({"listen": "127.0.0.1:1", "colour": "blue"})";
  CHECK(config_error({"--config", file}).find("'colour'") != std::string::npos);
  std::ofstream{file, std::ios::trunc} << "{not json";
  CHECK(config_error({"--config", file}).find("is not a JSON object") != std::string::npos);
}

TEST_CASE("the URL written into certificates needs a reachable address", "[config]") {
  server_config cfg;
  cfg.host = "127.0.0.1";
  CHECK(certificate_base_url(cfg, 8443, false).value() == "http://127.0.0.1:8443");
  cfg.host = "ca.internal";
  CHECK(certificate_base_url(cfg, 80, false).value() == "http://ca.internal:80");
  // Every interface: no address to name, so the operator must give one.
  cfg.host = "0.0.0.0";
  auto refused = certificate_base_url(cfg, 8080, true);
  REQUIRE(!refused);
  CHECK(refused.error().message
        == "listening on every interface (0.0.0.0) needs --public-url (or CERTMINT_PUBLIC_URL, "
           "or publicUrl): certificates carry CRL and AIA URLs, and http://0.0.0.0:8080 reaches "
           "no one");
  cfg.host = "::";
  CHECK(certificate_base_url(cfg, 8080, true).error().message.find("http://[::]:8080 reaches")
        != std::string::npos);
  cfg.public_url = "https://ca.example.com";
  CHECK(certificate_base_url(cfg, 8080, true).value() == "https://ca.example.com");
  // IPv6 in the URL form, brackets on the way in and out.
  auto v6 = load_server_config({"--listen", "[::1]:8443"}, env_of({}));
  REQUIRE(v6);
  CHECK(v6->host == "::1");
  CHECK(certificate_base_url(*v6, 8443, false).value() == "http://[::1]:8443");
}
