#include "bench/load_generator.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>

#include <simdjson.h>

#include "engine/chain_verifier.hpp"
#include "gateway/http_parser.hpp"

namespace certmint::bench {

std::string json_field(const std::string& body, const char* pointer) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element doc;
  std::string_view out;
  if (parser.parse(body).get(doc) || doc.at_pointer(pointer).get_string().get(out))
    return {};
  return std::string{out};
}

std::pair<std::string, std::string> issued_certificate(const std::string& body) {
  return {json_field(body, "/certificate/certificate"),
          json_field(body, "/certificate/certificateChain")};
}

uint64_t rss_kib(int pid) {
  std::ifstream status{"/proc/" + std::to_string(pid) + "/status"};
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmRSS:", 0) == 0)
      return std::stoull(line.substr(6));
  return 0;
}

std::optional<double> parse_proc_stat_cpu_seconds(std::string_view line, long ticks_per_second) {
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so
  // the fields are counted from the last ')'. utime and stime are fields 14
  // and 15, the 12th and 13th after it.
  auto close = line.rfind(')');
  if (close == std::string_view::npos || ticks_per_second <= 0)
    return std::nullopt;
  std::istringstream rest{std::string{line.substr(close + 1)}};
  std::string field;
  for (int i = 0; i < 11; ++i)
    if (!(rest >> field))
      return std::nullopt;
  // The next field as a count of ticks: digits only, no sign, no overflow.
  auto ticks = [&]() -> std::optional<uint64_t> {
    uint64_t value = 0;
    if (!(rest >> field))
      return std::nullopt;
    auto [end, error] = std::from_chars(field.data(), field.data() + field.size(), value);
    if (error != std::errc{} || end != field.data() + field.size())
      return std::nullopt;
    return value;
  };
  auto utime = ticks();
  auto stime = ticks();
  if (!utime || !stime)
    return std::nullopt;
  return static_cast<double>(*utime + *stime) / static_cast<double>(ticks_per_second);
}

std::optional<double> cpu_seconds(int pid) {
  std::ifstream stat{"/proc/" + std::to_string(pid) + "/stat"};
  std::string line;
  if (!std::getline(stat, line))
    return std::nullopt;
  return parse_proc_stat_cpu_seconds(line, ::sysconf(_SC_CLK_TCK));
}

namespace {

using clock = std::chrono::steady_clock;

// The CPU time this process (the load generator, all its threads) has used.
double own_cpu_seconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// One client connection and the operation it runs.
struct connection {
  size_t index = 0;
  int fd = -1;
  bool connected = false;
  uint64_t iteration = 0;
  bool busy = false;              ///< an operation is running
  clock::time_point started;      ///< of the operation
  clock::time_point resume_at{};  ///< a delayed call waits until then
  http_call pending;              ///< the delayed call
  clock::time_point restart_at{}; ///< the next operation, after a failed connect
  bool watching_out = false;      ///< registered for EPOLLOUT too
  bool waiting_due = false;       ///< idle until the next operation is due (fixed rate)
  clock::time_point call_deadline;
  std::string out;
  size_t sent = 0;
  std::string in;
  http_response_parser parser;
};

class generator {
public:
  generator(const target& where, const workload& work, const load_options& options)
      : where_(where), work_(work), options_(options) {
    epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    auto port = std::to_string(where.port);
    if (::getaddrinfo(where.host.c_str(), port.c_str(), &hints, &address_) != 0)
      address_ = nullptr;
    host_header_ = where.host + ":" + port;
  }
  ~generator() {
    for (auto& c : connections_)
      if (c->fd >= 0)
        ::close(c->fd);
    if (address_ != nullptr)
      ::freeaddrinfo(address_);
    ::close(epoll_);
  }
  generator(const generator&) = delete;
  generator& operator=(const generator&) = delete;

  std::atomic<uint64_t> completed{0};

  /// Runs the load once; the generator is spent after it.
  run_result run() {
    result_.name = work_.name;
    result_.offered_rate = options_.rate;
    result_.connections = options_.connections;
    begin_ = clock::now();
    deadline_ = begin_ + options_.duration;
    for (size_t i = 0; i < options_.connections; ++i) {
      connections_.push_back(std::make_unique<connection>());
      connections_.back()->index = i;
    }
    for (auto& c : connections_)
      start_operation(*c);
    std::array<epoll_event, 256> events{};
    while (busy_ > 0 || waiting_restart_ > 0 || waiting_due_ > 0) {
      auto wait = next_wake();
      int n = ::epoll_wait(epoll_, events.data(), static_cast<int>(events.size()), wait);
      for (int i = 0; i < n; ++i)
        on_event(*static_cast<connection*>(events[static_cast<size_t>(i)].data.ptr),
                 events[static_cast<size_t>(i)].events);
      run_timers();
    }
    result_.seconds = std::chrono::duration<double>(clock::now() - begin_).count();
    return std::move(result_);
  }

private:
  bool may_start() {
    if (options_.duration.count() > 0 && clock::now() >= deadline_)
      return false;
    return options_.max_requests == 0 || started_ < options_.max_requests;
  }

  // When the next operation is due at a fixed rate: the k-th (from 0) at
  // begin + k / rate.
  clock::time_point next_due() const {
    auto offset = std::chrono::duration<double>(static_cast<double>(started_)
                                                / static_cast<double>(options_.rate));
    return begin_ + std::chrono::duration_cast<clock::duration>(offset);
  }

  void start_operation(connection& c) {
    if (!may_start())
      return;
    auto now = clock::now();
    auto started = now;
    if (options_.rate > 0) {
      // Open loop: an operation that comes due while every connection is
      // busy waits for one, and that wait is part of its latency, as it is
      // for a client that sends at this rate; measuring from when a
      // connection took it would hide a server falling behind (coordinated
      // omission).
      started = next_due();
      if (started > now) {
        c.waiting_due = true;
        ++waiting_due_;
        return;
      }
    }
    ++started_;
    ++busy_;
    c.busy = true;
    c.started = started;
    issue(c, work_.next(c.index, c.iteration));
  }

  void issue(connection& c, const http_call& call) {
    if (!c.connected && !open(c))
      return end_operation(c, {});
    c.out.clear();
    c.sent = 0;
    c.out.append(call.post ? "POST " : "GET ").append(call.path).append(" HTTP/1.1\r\nHost: ");
    c.out.append(host_header_).append("\r\n");
    if (!where_.token.empty())
      c.out.append("Authorization: Bearer ").append(where_.token).append("\r\n");
    for (const auto& [name, value] : call.headers)
      c.out.append(name).append(": ").append(value).append("\r\n");
    if (call.post)
      c.out.append("Content-Type: application/json\r\nContent-Length: ")
          .append(std::to_string(call.body.size()))
          .append("\r\n\r\n")
          .append(call.body);
    else
      c.out.append("\r\n");
    c.in.clear();
    c.parser.reset();
    c.call_deadline = clock::now() + options_.call_timeout;
    flush(c);
  }

  bool open(connection& c) {
    if (address_ == nullptr)
      return false;
    c.fd = ::socket(address_->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c.fd < 0)
      return false;
    int one = 1;
    ::setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (::connect(c.fd, address_->ai_addr, address_->ai_addrlen) != 0 && errno != EINPROGRESS) {
      ::close(c.fd);
      c.fd = -1;
      return false;
    }
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT;
    ev.data.ptr = &c;
    ::epoll_ctl(epoll_, EPOLL_CTL_ADD, c.fd, &ev);
    c.watching_out = true;
    c.connected = true;
    return true;
  }

  void drop(connection& c) {
    if (c.fd >= 0)
      ::close(c.fd);
    c.fd = -1;
    c.connected = false;
  }

  void watch(connection& c, bool writable) {
    if (c.watching_out == writable)
      return;
    c.watching_out = writable;
    epoll_event ev{};
    ev.events = writable ? EPOLLIN | EPOLLOUT : EPOLLIN;
    ev.data.ptr = &c;
    ::epoll_ctl(epoll_, EPOLL_CTL_MOD, c.fd, &ev);
  }

  void flush(connection& c) {
    while (c.sent < c.out.size()) {
      auto n =
          ::send(c.fd, c.out.data() + c.sent, c.out.size() - c.sent, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0) {
        c.sent += static_cast<size_t>(n);
        continue;
      }
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOTCONN)) {
        watch(c, true);
        return;
      }
      drop(c);
      return end_operation(c, {});
    }
    watch(c, false);
  }

  void on_event(connection& c, uint32_t events) {
    if (c.fd < 0)
      return;
    if ((events & EPOLLOUT) != 0 && c.sent < c.out.size())
      flush(c);
    if (c.fd < 0 || (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) == 0)
      return;
    bool closed = false;
    char buffer[65536];
    for (;;) {
      auto n = ::recv(c.fd, buffer, sizeof buffer, 0);
      if (n > 0) {
        c.in.append(buffer, static_cast<size_t>(n));
        if (static_cast<size_t>(n) < sizeof buffer)
          break;
        continue;
      }
      if (n == 0) {
        closed = true;
        break;
      }
      if (errno == EINTR)
        continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK)
        closed = true;
      break;
    }
    if (!c.busy || c.resume_at != clock::time_point{}) {
      // A server that closes an idle connection: reconnect for the next call.
      if (closed)
        drop(c);
      return;
    }
    auto parsed = c.parser.parse(c.in, closed);
    if (parsed == http_parse_outcome::need_more)
      return;
    if (parsed == http_parse_outcome::failed) {
      drop(c);
      return end_operation(c, {});
    }
    auto& res = c.parser.response();
    if (!res.keep_alive || closed || c.parser.consumed() < c.in.size())
      drop(c);
    call_outcome outcome{res.status, std::move(res.body)};
    if (!work_.after)
      return end_operation(c, outcome);
    auto step = work_.after(c.index, c.iteration, outcome);
    if (step.what == next_step::kind::done)
      return end_operation(c, step.outcome.status == 0 ? outcome : step.outcome);
    if (step.delay.count() > 0) {
      c.pending = std::move(step.call);
      c.resume_at = clock::now() + step.delay;
      return;
    }
    issue(c, step.call);
  }

  // A transport failure (status 0: refused, reset, timed out) ends the
  // operation and the next one starts after a pause: a server that is down
  // must not turn this into a busy loop (a non-blocking connect to a closed
  // port succeeds, and the refusal comes with the first send).
  void end_operation(connection& c, const call_outcome& outcome) {
    auto ms = std::chrono::duration<double, std::milli>(clock::now() - c.started).count();
    auto iteration = c.iteration++;
    c.busy = false;
    --busy_;
    completed.fetch_add(1, std::memory_order_relaxed);
    auto& r = result_;
    if (outcome.status != work_.ok_status) {
      ++r.errors_by_status[outcome.status];
    } else {
      ++r.ok;
      r.latencies_ms.push_back(ms);
      if (work_.certificate && work_.verify_every > 0 && iteration % work_.verify_every == 0) {
        auto [leaf, chain] = work_.certificate(outcome.body);
        if (!leaf.empty()) {
          if (verify_certificate_chain(leaf, chain))
            ++r.verified;
          else
            ++r.verify_failures;
        }
      }
    }
    if (outcome.status != 0)
      return start_operation(c);
    c.restart_at = clock::now() + std::chrono::milliseconds(10);
    ++waiting_restart_;
  }

  // Milliseconds until the earliest delayed call, restart, call deadline
  // or operation due. Timers have the millisecond resolution of epoll_wait:
  // at a fixed rate, an operation may start up to a millisecond after it is
  // due, and that counts in its latency.
  int next_wake() const {
    auto now = clock::now();
    auto wake = now + std::chrono::milliseconds(100);
    if (waiting_due_ > 0) {
      wake = std::min(wake, next_due());
      if (options_.duration.count() > 0) // the run may end before it is due
        wake = std::min(wake, deadline_);
    }
    for (const auto& c : connections_) {
      if (c->restart_at != clock::time_point{} && c->restart_at < wake)
        wake = c->restart_at;
      if (!c->busy)
        continue;
      if (c->resume_at != clock::time_point{} && c->resume_at < wake)
        wake = c->resume_at;
      if (c->call_deadline < wake)
        wake = c->call_deadline;
    }
    auto ms = std::chrono::ceil<std::chrono::milliseconds>(wake - now).count();
    return static_cast<int>(std::max<int64_t>(ms, 0));
  }

  void run_timers() {
    auto now = clock::now();
    for (auto& c : connections_) {
      if (c->waiting_due && (!may_start() || next_due() <= now)) {
        c->waiting_due = false;
        --waiting_due_;
        start_operation(*c);
      }
      if (c->restart_at != clock::time_point{} && c->restart_at <= now) {
        c->restart_at = {};
        --waiting_restart_;
        start_operation(*c);
      }
      if (!c->busy)
        continue;
      if (c->resume_at != clock::time_point{} && c->resume_at <= now) {
        c->resume_at = {};
        auto call = std::move(c->pending);
        issue(*c, call);
      } else if (c->resume_at == clock::time_point{} && c->call_deadline <= now) {
        drop(*c);
        end_operation(*c, {});
      }
    }
  }

  const target& where_;
  const workload& work_;
  const load_options& options_;
  int epoll_ = -1;
  addrinfo* address_ = nullptr;
  std::string host_header_;
  std::vector<std::unique_ptr<connection>> connections_;
  run_result result_;
  clock::time_point begin_;
  clock::time_point deadline_;
  uint64_t started_ = 0;
  size_t busy_ = 0;
  size_t waiting_restart_ = 0;
  size_t waiting_due_ = 0;
};

} // namespace

run_result run_load(const target& where, const workload& work, const load_options& options) {
  generator gen{where, work, options};
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> peak_rss{0};
  std::thread sampler;
  if (options.server_pid > 0)
    sampler = std::thread{[&] {
      while (!stop.load()) {
        auto now = rss_kib(options.server_pid);
        if (now > peak_rss.load())
          peak_rss = now;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    }};
  std::thread reporter;
  auto begin = clock::now();
  if (options.progress)
    reporter = std::thread{[&] {
      while (!stop.load()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        auto elapsed = std::chrono::duration<double>(clock::now() - begin).count();
        std::fprintf(stderr, "\r  %-26s %6.1fs  %10.0f req/s  ", work.name.c_str(), elapsed,
                     elapsed > 0 ? static_cast<double>(gen.completed.load()) / elapsed : 0.0);
        std::fflush(stderr);
      }
      std::fputs("\r", stderr);
    }};
  auto server_cpu_before = options.server_pid > 0 ? cpu_seconds(options.server_pid) : std::nullopt;
  auto own_cpu_before = own_cpu_seconds();
  auto result = gen.run();
  result.generator_cpu_seconds = own_cpu_seconds() - own_cpu_before;
  if (server_cpu_before) {
    if (auto after = cpu_seconds(options.server_pid))
      result.server_cpu_seconds = *after - *server_cpu_before;
  }
  stop = true;
  if (reporter.joinable())
    reporter.join();
  if (sampler.joinable())
    sampler.join();
  result.peak_rss_kib = peak_rss.load();
  if (options.server_pid > 0)
    result.end_rss_kib = rss_kib(options.server_pid);
  return result;
}

} // namespace certmint::bench
