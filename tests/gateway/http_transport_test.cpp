// The HTTP transport on real sockets (127.0.0.1), with a dispatcher that
// answers at once, later from another thread, or never.

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gateway/http_transport.hpp"

using namespace certmint;
using namespace std::chrono_literals;

namespace {

// A blocking client socket with a receive timeout.
class raw_client {
public:
  explicit raw_client(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  }
  ~raw_client() { ::close(fd_); }
  raw_client(const raw_client&) = delete;
  raw_client& operator=(const raw_client&) = delete;

  void send(const std::string& bytes) {
    REQUIRE(::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL)
            == static_cast<ssize_t>(bytes.size()));
  }

  // send() without assertions, for a thread of its own (Catch2's are not
  // thread-safe).
  bool try_send(const std::string& bytes) {
    return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL)
           == static_cast<ssize_t>(bytes.size());
  }

  // Ends the client's side of the stream (the server reads end-of-file).
  void shutdown_write() { ::shutdown(fd_, SHUT_WR); }

  // Bytes until the peer closes or `timeout` passes without any.
  std::string read_all(std::chrono::milliseconds timeout = 3000ms) {
    std::string out;
    while (wait_readable(timeout)) {
      char buf[65536];
      auto n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0)
        break;
      out.append(buf, static_cast<size_t>(n));
    }
    return out;
  }

  // One response (head and Content-Length body).
  std::string read_response(std::chrono::milliseconds timeout = 3000ms) {
    while (true) {
      auto end = pending_.find("\r\n\r\n");
      if (end != std::string::npos) {
        auto head = pending_.substr(0, end + 4);
        size_t length = 0;
        auto cl = head.find("Content-Length: ");
        if (cl != std::string::npos)
          length = std::stoul(head.substr(cl + 16));
        if (pending_.size() >= end + 4 + length) {
          auto response = pending_.substr(0, end + 4 + length);
          pending_.erase(0, end + 4 + length);
          return response;
        }
      }
      if (!wait_readable(timeout))
        return {};
      char buf[65536];
      auto n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0)
        return {};
      pending_.append(buf, static_cast<size_t>(n));
    }
  }

  // True when the server closed the connection (within `timeout`).
  bool closed_by_peer(std::chrono::milliseconds timeout = 3000ms) {
    if (!wait_readable(timeout))
      return false;
    char c;
    return ::recv(fd_, &c, 1, 0) == 0;
  }

private:
  bool wait_readable(std::chrono::milliseconds timeout) {
    pollfd pfd{fd_, POLLIN, 0};
    return ::poll(&pfd, 1, static_cast<int>(timeout.count())) > 0;
  }

  int fd_ = -1;
  std::string pending_;
};

http_response text(int status, std::string body) {
  http_response res;
  res.status = status;
  res.set_content(std::move(body), "text/plain");
  return res;
}

// A transport on a free port whose dispatcher is chosen by path.
struct fixture {
  explicit fixture(const transport_options& options = short_timeouts()) : transport(options) {
    auto bound = transport.bind();
    REQUIRE(bound);
    port = bound->port;
    transport.start(
        [this](http_request& req, const http_exchange& exchange) { dispatch(req, exchange); },
        [](int status, const std::string& message) { return text(status, "error: " + message); });
  }
  ~fixture() {
    transport.stop();
    for (auto& t : helpers)
      t.join();
  }

  static transport_options short_timeouts() {
    transport_options o;
    o.port = 0;
    o.loops = 2;
    o.idle_timeout = 300ms;
    o.read_timeout = 300ms;
    o.write_timeout = 2000ms;
    o.drain_timeout = 2000ms;
    o.limits.max_body_bytes = 1024;
    return o;
  }

  void dispatch(http_request& req, const http_exchange& exchange) {
    if (req.path == "/echo")
      return exchange.respond(text(200, req.method + " " + req.body));
    if (req.path == "/later") {
      // Answered from another thread, as an actor does.
      std::lock_guard<std::mutex> guard{helpers_mutex};
      helpers.emplace_back([exchange] {
        std::this_thread::sleep_for(50ms);
        exchange.respond(text(200, "later"));
      });
      return;
    }
    if (req.path == "/deadline")
      return exchange.at(std::chrono::steady_clock::now() + 20ms,
                         [exchange] { exchange.respond(text(202, "deadline")); });
    if (req.path == "/big")
      return exchange.respond(text(200, std::string(8 << 20, 'x')));
    if (req.path == "/abandon")
      return; // every handle dropped unanswered
    exchange.respond(text(404, "no route"));
  }

  http_transport transport;
  int port = 0;
  std::mutex helpers_mutex;
  std::vector<std::thread> helpers;
};

std::string get(const std::string& path, const std::string& extra = {}) {
  return "GET " + path + " HTTP/1.1\r\nHost: t\r\n" + extra + "\r\n";
}

} // namespace

TEST_CASE("transport: says whether it listens on loopback or on every interface",
          "[gateway][transport]") {
  auto bind_on = [](const std::string& host) {
    transport_options options;
    options.host = host;
    options.port = 0;
    http_transport transport{options};
    return transport.bind();
  };
  auto local = bind_on("127.0.0.1");
  REQUIRE(local);
  CHECK(local->port > 0);
  CHECK(local->loopback);
  CHECK(!local->wildcard);
  auto any = bind_on("0.0.0.0");
  REQUIRE(any);
  CHECK(!any->loopback);
  CHECK(any->wildcard);
  // IPv6 where the machine has it.
  if (auto local6 = bind_on("::1"); local6) {
    CHECK(local6->loopback);
    CHECK(!local6->wildcard);
  }
  if (auto any6 = bind_on("::"); any6) {
    CHECK(!any6->loopback);
    CHECK(any6->wildcard);
  }
}

TEST_CASE("transport: keep-alive, pipelining and HEAD", "[gateway][transport]") {
  fixture f;
  raw_client c{f.port};
  for (int i = 0; i < 3; ++i) {
    c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nhi");
    auto res = c.read_response();
    CHECK(res.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
    CHECK(res.substr(res.size() - 7) == "POST hi");
    CHECK(res.find("Connection: close") == std::string::npos);
  }
  // Two requests in one write: two answers, in order.
  c.send(get("/echo") + "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\n\r\nz");
  CHECK(c.read_response().find("\r\n\r\nGET ") != std::string::npos);
  CHECK(c.read_response().find("\r\n\r\nPOST z") != std::string::npos);
  c.send("HEAD /echo HTTP/1.1\r\nHost: t\r\n\r\n");
  auto head = c.read_all(400ms);
  CHECK(head.find("Content-Length: 5\r\n") != std::string::npos); // "HEAD "
  CHECK(head.substr(head.size() - 4) == "\r\n\r\n");
}

TEST_CASE("transport: answers from other threads, deadlines and abandoned requests",
          "[gateway][transport]") {
  fixture f;
  raw_client c{f.port};
  c.send(get("/later"));
  CHECK(c.read_response().find("\r\n\r\nlater") != std::string::npos);
  c.send(get("/deadline"));
  auto timed = c.read_response();
  CHECK(timed.rfind("HTTP/1.1 202 Accepted", 0) == 0);
  c.send(get("/abandon"));
  auto abandoned = c.read_response();
  CHECK(abandoned.rfind("HTTP/1.1 500 ", 0) == 0);
  CHECK(abandoned.find("error: The request was not answered") != std::string::npos);
  // The connection still serves.
  c.send(get("/echo"));
  CHECK(c.read_response().rfind("HTTP/1.1 200", 0) == 0);
}

TEST_CASE("transport: bytes that arrive while a request is handled are read after its answer",
          "[gateway][transport]") {
  // The socket is registered edge-triggered once: an edge that comes while
  // a handler has the request is remembered, not lost.
  auto options = fixture::short_timeouts();
  options.idle_timeout = 10000ms;
  options.read_timeout = 10000ms;
  fixture f{options};
  {
    raw_client c{f.port};
    c.send(get("/later"));
    std::this_thread::sleep_for(10ms);
    c.send(get("/echo"));
    CHECK(c.read_response().find("\r\n\r\nlater") != std::string::npos);
    CHECK(c.read_response().find("\r\n\r\nGET ") != std::string::npos);
  }
  {
    // A half-close during the handling: the answer, then the server closes
    // at once instead of after its idle timeout.
    raw_client c{f.port};
    c.send(get("/later"));
    std::this_thread::sleep_for(10ms);
    c.shutdown_write();
    auto began = std::chrono::steady_clock::now();
    auto res = c.read_all(5000ms);
    CHECK(res.find("\r\n\r\nlater") != std::string::npos);
    CHECK(std::chrono::steady_clock::now() - began < 3000ms);
  }
  // A request and the half-close right behind it, usually reported by one
  // edge: the end-of-file after the request is still seen, so each
  // connection is answered and closed at once.
  for (int i = 0; i < 20; ++i) {
    raw_client c{f.port};
    c.send(get("/echo"));
    c.shutdown_write();
    auto began = std::chrono::steady_clock::now();
    auto res = c.read_all(5000ms);
    CHECK(res.find("\r\n\r\nGET ") != std::string::npos);
    CHECK(std::chrono::steady_clock::now() - began < 3000ms);
  }
}

TEST_CASE("transport: a burst of pipelined requests larger than the socket buffers",
          "[gateway][transport]") {
  // 1.6 MB of requests in one burst, the first answered from another
  // thread: read over many input edges, some of which come while a request
  // is out, and answered in order.
  fixture f;
  raw_client c{f.port};
  constexpr int count = 50000;
  std::string burst = get("/later");
  for (int i = 1; i < count; ++i)
    burst += get("/echo");
  bool sent = false;
  std::thread sender{[&c, &burst, &sent] { sent = c.try_send(burst); }};
  int answered = 0;
  while (answered < count && c.read_response().find("HTTP/1.1 200 ") == 0)
    ++answered;
  sender.join();
  CHECK(sent);
  CHECK(answered == count);
}

TEST_CASE("transport: Expect 100-continue and chunked uploads", "[gateway][transport]") {
  fixture f;
  raw_client c{f.port};
  c.send("POST /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
  CHECK(c.read_response() == "HTTP/1.1 100 Continue\r\n\r\n");
  c.send("hello");
  CHECK(c.read_response().find("\r\n\r\nPOST hello") != std::string::npos);
  c.send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n");
  c.send("2\r\nde\r\n0\r\n\r\n");
  CHECK(c.read_response().find("\r\n\r\nPOST abcde") != std::string::npos);
}

TEST_CASE("transport: refusals close the connection after the error", "[gateway][transport]") {
  fixture f;
  {
    raw_client c{f.port};
    c.send("BROKEN\r\n\r\n");
    auto res = c.read_all();
    CHECK(res.rfind("HTTP/1.1 400 Bad Request", 0) == 0);
    CHECK(res.find("Connection: close") != std::string::npos);
    CHECK(res.find("error: Malformed HTTP request line") != std::string::npos);
  }
  {
    raw_client c{f.port};
    c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 2048\r\n\r\n");
    auto res = c.read_all();
    CHECK(res.rfind("HTTP/1.1 413 ", 0) == 0);
    CHECK(res.find("Request body is too large (limit 1024 bytes)") != std::string::npos);
  }
  {
    raw_client c{f.port};
    c.send("GET / HTTP/1.1\r\nHost: t\r\nX: " + std::string(20000, 'a') + "\r\n\r\n");
    CHECK(c.read_all().rfind("HTTP/1.1 431 ", 0) == 0);
  }
  {
    raw_client c{f.port};
    c.send(get("/echo", "Connection: close\r\n"));
    auto res = c.read_all();
    CHECK(res.find("Connection: close") != std::string::npos);
    CHECK(res.substr(res.size() - 4) == "GET ");
  }
  {
    raw_client c{f.port};
    c.send("GET /echo HTTP/1.0\r\n\r\n");
    CHECK(c.read_all().find("Connection: close") != std::string::npos);
  }
}

TEST_CASE("transport: slow and idle clients time out", "[gateway][transport]") {
  fixture f;
  {
    raw_client idle{f.port};
    CHECK(idle.closed_by_peer(2000ms));
  }
  {
    raw_client slow{f.port};
    slow.send("GET /echo HTTP/1.1\r\nHost: t\r\n");
    auto res = slow.read_all(2000ms);
    CHECK(res.rfind("HTTP/1.1 408 ", 0) == 0);
  }
}

TEST_CASE("transport: a large answer to a slow reader arrives whole", "[gateway][transport]") {
  fixture f;
  raw_client c{f.port};
  c.send(get("/big"));
  std::this_thread::sleep_for(200ms); // the server's socket buffer fills first
  auto res = c.read_response();
  REQUIRE(res.size() > (size_t{8} << 20));
  CHECK(res.substr(res.size() - 10) == std::string(10, 'x'));
}

TEST_CASE("transport: connections beyond the limit get 503", "[gateway][transport]") {
  auto options = fixture::short_timeouts();
  options.max_connections = 2;
  options.idle_timeout = 5000ms;
  fixture f{options};
  raw_client a{f.port};
  raw_client b{f.port};
  a.send(get("/echo"));
  CHECK(a.read_response().rfind("HTTP/1.1 200", 0) == 0);
  b.send(get("/echo"));
  CHECK(b.read_response().rfind("HTTP/1.1 200", 0) == 0);
  raw_client refused{f.port};
  auto res = refused.read_all();
  CHECK(res.rfind("HTTP/1.1 503 ", 0) == 0);
  CHECK(res.find("Too many connections") != std::string::npos);
}

TEST_CASE("transport: stop lets an answer in flight reach its client", "[gateway][transport]") {
  auto f = std::make_unique<fixture>();
  raw_client c{f->port};
  c.send(get("/later"));
  std::this_thread::sleep_for(10ms);
  std::thread stopper{[&f] { f->transport.stop(); }};
  auto res = c.read_response();
  stopper.join();
  CHECK(res.find("\r\n\r\nlater") != std::string::npos);
  CHECK(res.find("Connection: close") != std::string::npos);
  f.reset();
}
