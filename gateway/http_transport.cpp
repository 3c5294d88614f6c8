#include "gateway/http_transport.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <limits>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

namespace certmint {

namespace {

using clock = std::chrono::steady_clock;

constexpr size_t read_chunk = size_t{16} * 1024;
constexpr size_t max_read_per_event = size_t{256} * 1024;
constexpr size_t kept_buffer_capacity = size_t{64} * 1024;
constexpr auto scan_interval = std::chrono::milliseconds(100);
// After `Connection: close` the server stops writing and reads until the
// client closes, so that bytes it sent meanwhile do not turn into a reset
// that destroys the answer in flight; this long at most.
constexpr auto linger_timeout = std::chrono::milliseconds(2000);
constexpr std::string_view continue_line = "HTTP/1.1 100 Continue\r\n\r\n";

// epoll user data of the two file descriptors that are not connections.
char wake_marker;
char listen_marker;

// What a connection needs of its loop. Shared, so that an answer an actor
// delivers after the transport stopped still finds valid state (and then
// drops the answer: its connection is closed).
struct loop_core {
  int epoll_fd = -1;
  int wake_fd = -1;
  std::mutex inbox_mutex;
  std::vector<std::function<void()>> inbox;
  std::atomic<bool> stopping{false};
  size_t keep_alive_max = 0;
  error_renderer errors;
  /// The earliest deadline hook of any connection (steady clock ticks), so
  /// that the loop wakes for it instead of at its next periodic scan.
  std::atomic<clock::rep> next_deadline{std::numeric_limits<clock::rep>::max()};

  loop_core() {
    epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
    wake_fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = &wake_marker;
    ::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, wake_fd, &ev);
  }
  ~loop_core() {
    ::close(wake_fd);
    ::close(epoll_fd);
  }
  loop_core(const loop_core&) = delete;
  loop_core& operator=(const loop_core&) = delete;

  // Runs `task` on the loop thread.
  void post(std::function<void()> task) {
    bool was_empty = false;
    {
      std::lock_guard<std::mutex> guard{inbox_mutex};
      was_empty = inbox.empty();
      inbox.push_back(std::move(task));
    }
    if (was_empty) {
      uint64_t one = 1;
      [[maybe_unused]] auto n = ::write(wake_fd, &one, sizeof one);
    }
  }

  void wake() {
    uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wake_fd, &one, sizeof one);
  }

  // Lowers `next_deadline` to `when`; true if it was later.
  bool lower_deadline(clock::time_point when) {
    auto ticks = when.time_since_epoch().count();
    auto current = next_deadline.load();
    while (ticks < current)
      if (next_deadline.compare_exchange_weak(current, ticks))
        return true;
    return false;
  }
};

enum class phase : uint8_t {
  reading,   ///< the loop reads the next request
  handling,  ///< a handler has the request; nobody watches the socket
  writing,   ///< the answer did not fit the socket buffer; the loop sends the rest
  lingering, ///< answered with `Connection: close`; reading until the client closes
  closed,
};

struct deadline_hook {
  clock::time_point when;
  std::function<void()> hook;
};

class event_loop;

class connection final : public exchange_sink, public std::enable_shared_from_this<connection> {
public:
  connection(int socket, std::shared_ptr<loop_core> loop_state, event_loop* owner,
             http_limits limits)
      : fd(socket), core(std::move(loop_state)), loop(owner), parser(limits) {}

  void deliver(uint64_t generation, http_response res) override;
  void add_deadline(uint64_t generation, clock::time_point when,
                    std::function<void()> hook) override;
  void abandon(uint64_t generation) override;

  // Starts request `generation`; the caller then hands it to a handler.
  uint64_t begin_request(bool keep_alive, bool head) {
    std::lock_guard<std::mutex> guard{mutex};
    state = phase::handling;
    keep_alive_ = keep_alive;
    head_ = head;
    pipelined_ = !in.empty();
    ++served_;
    since = clock::now();
    return ++generation_;
  }

  // Sends what `out` holds and decides what comes next; mutex held.
  // Returns true when the loop must look at the connection again: bytes
  // already received to parse, or an input edge that arrived meanwhile.
  bool flush_locked() {
    while (out_sent_ < out_.size()) {
      auto n =
          ::send(fd, out_.data() + out_sent_, out_.size() - out_sent_, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0) {
        out_sent_ += static_cast<size_t>(n);
        continue;
      }
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        // The failed send marked the socket full: an output edge follows
        // once it drains.
        if (state != phase::writing) {
          state = phase::writing;
          since = clock::now();
        }
        return false;
      }
      // The client is gone: stop both directions; the loop reads the
      // hang-up and closes.
      ::shutdown(fd, SHUT_RDWR);
      state = phase::lingering;
      since = clock::now();
      return true;
    }
    out_.clear();
    out_sent_ = 0;
    if (out_.capacity() > kept_buffer_capacity)
      out_.shrink_to_fit();
    since = clock::now();
    if (!keep_alive_) {
      ::shutdown(fd, SHUT_WR);
      state = phase::lingering;
      return readable;
    }
    state = phase::reading;
    return pipelined_ || readable;
  }

  const int fd;
  const std::shared_ptr<loop_core> core;
  event_loop* const loop;

  // Guarded by `mutex`: what other threads touch while a request is out.
  std::mutex mutex;
  phase state = phase::reading;
  /// An input edge (bytes, hang-up or error) arrived that the loop has not
  /// read yet. The socket is registered edge-triggered for input and
  /// output, once: no system call re-arms it per request.
  bool readable = false;
  /// The peer ended its side (or the socket failed): once the bytes queued
  /// before it are read, `recv` answers end-of-file. The edge reporting it
  /// may be the one that reported those bytes, so after it a short read no
  /// longer proves there is nothing more to see.
  bool peer_shut = false;
  clock::time_point since = clock::now(); ///< when `state` was entered
  std::vector<deadline_hook> deadlines;

  // The loop thread's own (only touched while reading).
  std::string in;
  http_request_parser parser;
  bool request_open = false; ///< bytes of an unfinished request arrived
  clock::time_point request_started;

private:
  uint64_t generation_ = 0;
  bool keep_alive_ = true;
  bool head_ = false;
  bool pipelined_ = false;
  size_t served_ = 0;
  std::string out_;
  size_t out_sent_ = 0;
};

class event_loop {
public:
  event_loop(size_t index, const transport_options& options, std::atomic<size_t>& connections,
             const request_dispatch& dispatch, error_renderer errors)
      : core_(std::make_shared<loop_core>()), index_(index), options_(options),
        connections_count_(connections), dispatch_(dispatch) {
    core_->keep_alive_max = options.keep_alive_max;
    core_->errors = std::move(errors);
  }

  loop_core& core() { return *core_; }

  void watch_listener(int fd, std::vector<std::unique_ptr<event_loop>>* all,
                      std::atomic<size_t>* next) {
    listen_fd_ = fd;
    loops_ = all;
    next_loop_ = next;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = &listen_marker;
    ::epoll_ctl(core_->epoll_fd, EPOLL_CTL_ADD, fd, &ev);
  }

  void run();

  // Registers an accepted socket (on this loop's thread).
  void adopt(int fd) {
    auto conn = std::make_shared<connection>(fd, core_, this, options_.limits);
    // Bytes that arrived before this registration are reported at once.
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    ev.data.ptr = static_cast<exchange_sink*>(conn.get());
    if (::epoll_ctl(core_->epoll_fd, EPOLL_CTL_ADD, fd, &ev) != 0) {
      ::close(fd);
      connections_count_.fetch_sub(1);
      return;
    }
    connections_.emplace(conn.get(), std::move(conn));
  }

  // Has the loop's thread resume `conn` (from any thread).
  void revisit(connection& conn);

  // Goes on with a connection whose answer is out: reads what arrived
  // meanwhile, or parses what it already holds (a pipelined request).
  void resume(connection& conn) {
    phase state = phase::closed;
    bool readable = false;
    {
      std::lock_guard<std::mutex> guard{conn.mutex};
      state = conn.state;
      readable = conn.readable;
    }
    if (state == phase::reading) {
      if (readable)
        on_readable(conn);
      else
        process_input(conn, false);
    } else if (state == phase::lingering && readable) {
      discard_until_closed(conn);
    }
  }

private:
  void run_inbox() {
    uint64_t count = 0;
    [[maybe_unused]] auto n = ::read(core_->wake_fd, &count, sizeof count);
    std::vector<std::function<void()>> tasks;
    {
      std::lock_guard<std::mutex> guard{core_->inbox_mutex};
      tasks.swap(core_->inbox);
    }
    for (auto& task : tasks)
      task();
  }

  void accept_ready();
  void on_event(connection& conn, uint32_t events);
  void revisit_if_readable(connection& conn);
  bool clear_readable(connection& conn);
  void on_readable(connection& conn);
  void process_input(connection& conn, bool eof);
  void refuse(connection& conn, int status, const std::string& message);
  void discard_until_closed(connection& conn);
  void close(connection& conn);
  void scan(clock::time_point now);
  bool stop_step(clock::time_point now);

  std::shared_ptr<loop_core> core_;
  size_t index_;
  const transport_options& options_;
  std::atomic<size_t>& connections_count_;
  const request_dispatch& dispatch_;
  std::unordered_map<connection*, std::shared_ptr<connection>> connections_;
  std::vector<std::shared_ptr<connection>> closed_; ///< freed after the event batch
  int listen_fd_ = -1;
  std::vector<std::unique_ptr<event_loop>>* loops_ = nullptr;
  std::atomic<size_t>* next_loop_ = nullptr;
  clock::time_point accept_paused_until{};
  bool stop_started_ = false;
  clock::time_point drain_deadline_{};
};

void connection::deliver(uint64_t generation, http_response res) {
  bool resume_parsing = false;
  {
    std::lock_guard<std::mutex> guard{mutex};
    if (state != phase::handling || generation != generation_)
      return;
    deadlines.clear();
    if (core->stopping.load() || (core->keep_alive_max > 0 && served_ >= core->keep_alive_max))
      keep_alive_ = false;
    serialize_response(res, keep_alive_, head_, out_);
    resume_parsing = flush_locked();
  }
  if (resume_parsing)
    loop->revisit(*this);
}

void connection::add_deadline(uint64_t generation, clock::time_point when,
                              std::function<void()> hook) {
  {
    std::lock_guard<std::mutex> guard{mutex};
    if (state != phase::handling || generation != generation_)
      return;
    deadlines.push_back({when, std::move(hook)});
  }
  // A deadline before the next periodic scan: the loop must wake for it.
  if (core->lower_deadline(when) && when < clock::now() + scan_interval)
    core->wake();
}

void connection::abandon(uint64_t generation) {
  deliver(generation, core->errors(500, "The request was not answered"));
}

void event_loop::run() {
  std::array<epoll_event, 256> events{};
  auto last_scan = clock::now();
  for (;;) {
    // Sleep until the next periodic scan or the earliest deadline hook.
    auto wake_at = std::min(last_scan + scan_interval,
                            clock::time_point{clock::duration{core_->next_deadline.load()}});
    auto wait = std::chrono::ceil<std::chrono::milliseconds>(wake_at - clock::now()).count();
    int n = ::epoll_wait(core_->epoll_fd, events.data(), static_cast<int>(events.size()),
                         static_cast<int>(std::max<int64_t>(wait, 0)));
    for (int i = 0; i < n; ++i) {
      void* ptr = events[static_cast<size_t>(i)].data.ptr;
      if (ptr == &wake_marker)
        run_inbox();
      else if (ptr == &listen_marker)
        accept_ready();
      else
        on_event(*static_cast<connection*>(static_cast<exchange_sink*>(ptr)),
                 events[static_cast<size_t>(i)].events);
    }
    closed_.clear();
    auto now = clock::now();
    if (now - last_scan >= scan_interval
        || now.time_since_epoch().count() >= core_->next_deadline.load()) {
      scan(now);
      last_scan = now;
      closed_.clear();
    }
    if (core_->stopping.load() && !stop_step(now))
      break;
  }
  // Sockets accepted for this loop but not registered yet, then everyone.
  run_inbox();
  std::vector<connection*> all;
  for (auto& [ptr, conn] : connections_)
    all.push_back(ptr);
  for (auto* conn : all)
    close(*conn);
  closed_.clear();
  std::lock_guard<std::mutex> guard{core_->inbox_mutex};
  core_->inbox.clear();
}

void event_loop::accept_ready() {
  auto& loops = *loops_;
  for (;;) {
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED)
        continue;
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        // Out of descriptors: the listener stays readable, so stop watching
        // it for a moment instead of spinning; the scan resumes it.
        ::epoll_ctl(core_->epoll_fd, EPOLL_CTL_DEL, listen_fd_, nullptr);
        accept_paused_until = clock::now() + scan_interval;
      }
      return;
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connections_count_.fetch_add(1) >= options_.max_connections) {
      connections_count_.fetch_sub(1);
      std::string refusal;
      serialize_response(core_->errors(503, "Too many connections; retry later"), false, false,
                         refusal);
      [[maybe_unused]] auto sent =
          ::send(fd, refusal.data(), refusal.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      ::close(fd);
      continue;
    }
    auto& target = *loops[next_loop_->fetch_add(1) % loops.size()];
    if (&target == this)
      adopt(fd);
    else
      target.core().post([&target, fd] { target.adopt(fd); });
  }
}

void event_loop::on_event(connection& conn, uint32_t events) {
  {
    std::lock_guard<std::mutex> guard{conn.mutex};
    if ((events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0)
      conn.readable = true;
    if ((events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0)
      conn.peer_shut = true;
    switch (conn.state) {
      case phase::writing:
        if ((events & (EPOLLOUT | EPOLLHUP | EPOLLERR)) == 0 || !conn.flush_locked())
          return;
        break;
      case phase::reading:
      case phase::lingering:
        // Output edges come with most input edges; alone they say nothing.
        if (!conn.readable)
          return;
        break;
      case phase::handling: // read once the answer is out
      case phase::closed:
        return;
    }
  }
  resume(conn);
}

// Through the loop's inbox; with edge-triggered registration, this is also
// how input left unread gets read (it raises no new edge).
void event_loop::revisit(connection& conn) {
  core_->post([self = conn.shared_from_this()] { self->loop->resume(*self); });
}

void event_loop::revisit_if_readable(connection& conn) {
  {
    std::lock_guard<std::mutex> guard{conn.mutex};
    if (!conn.readable)
      return;
  }
  revisit(conn);
}

// Clears the input edge before reading: an edge after this is a new one.
// Returns whether the peer has ended its side, i.e. whether reads must go
// on past a short one until they see end-of-file.
bool event_loop::clear_readable(connection& conn) {
  std::lock_guard<std::mutex> guard{conn.mutex};
  conn.readable = false;
  return conn.peer_shut;
}

void event_loop::on_readable(connection& conn) {
  thread_local std::array<char, read_chunk> buffer;
  bool eof = false;
  size_t total = 0;
  bool started = conn.in.empty() && !conn.request_open;
  bool until_eof = clear_readable(conn);
  for (;;) {
    auto n = ::recv(conn.fd, buffer.data(), buffer.size(), 0);
    if (n > 0) {
      conn.in.append(buffer.data(), static_cast<size_t>(n));
      total += static_cast<size_t>(n);
      // A short read emptied the socket (TCP copies all it has queued):
      // bytes that arrive later raise a new edge, which saves the recv
      // that would only answer EAGAIN.
      if (static_cast<size_t>(n) < buffer.size() && !until_eof)
        break;
      if (total >= max_read_per_event) {
        // Fair to the loop's other connections; the rest is read later.
        std::lock_guard<std::mutex> guard{conn.mutex};
        conn.readable = true;
        break;
      }
      continue;
    }
    if (n == 0) {
      eof = true;
      break;
    }
    if (errno == EINTR)
      continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK)
      break;
    close(conn);
    return;
  }
  if (total > 0 && started) {
    conn.request_open = true;
    conn.request_started = clock::now();
  }
  process_input(conn, eof);
}

void event_loop::process_input(connection& conn, bool eof) {
  if (conn.in.empty()) {
    if (eof)
      close(conn);
    else
      revisit_if_readable(conn);
    return;
  }
  switch (conn.parser.parse(conn.in)) {
    case http_request_parser::outcome::need_more: {
      if (eof) {
        close(conn);
        return;
      }
      if (conn.parser.take_continue()) [[maybe_unused]]
        auto sent = ::send(conn.fd, continue_line.data(), continue_line.size(),
                           MSG_NOSIGNAL | MSG_DONTWAIT);
      revisit_if_readable(conn);
      return;
    }
    case http_request_parser::outcome::failed: {
      auto error = conn.parser.error();
      refuse(conn, error.status, error.message);
      return;
    }
    case http_request_parser::outcome::complete:
      break;
  }
  http_request req = std::move(conn.parser.request());
  conn.in.erase(0, conn.parser.consumed());
  conn.parser.reset();
  conn.request_open = !conn.in.empty();
  if (conn.request_open)
    conn.request_started = clock::now();
  if (conn.in.capacity() > kept_buffer_capacity && conn.in.empty())
    conn.in.shrink_to_fit();
  auto generation = conn.begin_request(req.keep_alive && !eof, req.method == "HEAD");
  dispatch_(req, http_exchange{conn.shared_from_this(), generation});
}

void event_loop::refuse(connection& conn, int status, const std::string& message) {
  conn.in.clear();
  conn.request_open = false;
  auto generation = conn.begin_request(false, false);
  conn.deliver(generation, core_->errors(status, message));
}

void event_loop::discard_until_closed(connection& conn) {
  thread_local std::array<char, read_chunk> sink;
  size_t total = 0;
  bool until_eof = clear_readable(conn);
  for (;;) {
    auto n = ::recv(conn.fd, sink.data(), sink.size(), 0);
    if (n > 0) {
      total += static_cast<size_t>(n);
      if (static_cast<size_t>(n) < sink.size() && !until_eof)
        return;
      if (total < max_read_per_event)
        continue;
      {
        std::lock_guard<std::mutex> guard{conn.mutex};
        conn.readable = true;
      }
      revisit(conn);
      return;
    }
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
      return;
    close(conn);
    return;
  }
}

void event_loop::close(connection& conn) {
  auto it = connections_.find(&conn);
  if (it == connections_.end())
    return;
  {
    std::lock_guard<std::mutex> guard{conn.mutex};
    conn.state = phase::closed;
    conn.deadlines.clear();
    ::close(conn.fd);
  }
  connections_count_.fetch_sub(1);
  closed_.push_back(std::move(it->second));
  connections_.erase(it);
}

void event_loop::scan(clock::time_point now) {
  if (listen_fd_ >= 0 && accept_paused_until != clock::time_point{} && now >= accept_paused_until
      && !core_->stopping.load()) {
    accept_paused_until = {};
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = &listen_marker;
    ::epoll_ctl(core_->epoll_fd, EPOLL_CTL_ADD, listen_fd_, &ev);
  }
  bool stopping = core_->stopping.load();
  // Recomputed from the hooks still waiting; concurrent additions lower it
  // again after this reset.
  core_->next_deadline = std::numeric_limits<clock::rep>::max();
  std::vector<connection*> to_close;
  std::vector<connection*> timed_out;
  std::vector<std::function<void()>> due;
  for (auto& [ptr, conn] : connections_) {
    std::lock_guard<std::mutex> guard{conn->mutex};
    auto age = now - conn->since;
    switch (conn->state) {
      case phase::reading:
        if (conn->request_open) {
          if (now - conn->request_started > options_.read_timeout)
            timed_out.push_back(ptr);
        } else if (stopping || age > options_.idle_timeout) {
          to_close.push_back(ptr);
        }
        break;
      case phase::writing:
        if (age > options_.write_timeout)
          to_close.push_back(ptr);
        break;
      case phase::lingering:
        if (age > linger_timeout)
          to_close.push_back(ptr);
        break;
      case phase::handling: {
        auto& hooks = conn->deadlines;
        for (size_t i = 0; i < hooks.size();) {
          if (hooks[i].when <= now) {
            due.push_back(std::move(hooks[i].hook));
            hooks.erase(hooks.begin() + static_cast<std::ptrdiff_t>(i));
          } else {
            core_->lower_deadline(hooks[i].when);
            ++i;
          }
        }
        break;
      }
      case phase::closed:
        break;
    }
  }
  // Hooks run without any connection lock: they may answer.
  for (auto& hook : due)
    hook();
  for (auto* conn : timed_out)
    refuse(*conn, 408, "The request did not arrive in time");
  for (auto* conn : to_close)
    close(*conn);
}

bool event_loop::stop_step(clock::time_point now) {
  if (!stop_started_) {
    stop_started_ = true;
    drain_deadline_ = now + options_.drain_timeout;
    if (listen_fd_ >= 0) {
      ::epoll_ctl(core_->epoll_fd, EPOLL_CTL_DEL, listen_fd_, nullptr);
      ::close(listen_fd_);
      listen_fd_ = -1;
    }
    scan(now);
  }
  return !connections_.empty() && now < drain_deadline_;
}

} // namespace

struct http_transport::impl {
  transport_options options;
  int listen_fd = -1;
  request_dispatch dispatch;
  std::atomic<size_t> connections{0};
  std::atomic<size_t> next_loop{0};
  std::vector<std::unique_ptr<event_loop>> loops;
  std::vector<std::thread> threads;

  explicit impl(transport_options opts) : options(std::move(opts)) {}
};

http_transport::http_transport(transport_options options)
    : impl_(std::make_unique<impl>(std::move(options))) {}

http_transport::~http_transport() {
  stop();
  if (impl_->listen_fd >= 0 && impl_->loops.empty())
    ::close(impl_->listen_fd);
}

result<bound_address> http_transport::bind() {
  const auto& host = impl_->options.host;
  auto where = [&] { return host + ":" + std::to_string(impl_->options.port); };
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  auto port_text = std::to_string(impl_->options.port);
  if (::getaddrinfo(host.empty() ? nullptr : host.c_str(), port_text.c_str(), &hints, &found) != 0
      || found == nullptr)
    return make_failure(errc::unavailable, "cannot resolve listen address " + where());
  int fd = -1;
  std::string why;
  for (auto* ai = found; ai != nullptr; ai = ai->ai_next) {
    fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0)
      continue;
    // SO_REUSEADDR only: a restart binds while old connections sit in
    // TIME_WAIT, but a second server on the same port fails instead of
    // silently sharing it (what SO_REUSEPORT would allow).
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && ::listen(fd, SOMAXCONN) == 0)
      break;
    why = std::strerror(errno);
    ::close(fd);
    fd = -1;
  }
  ::freeaddrinfo(found);
  if (fd < 0)
    return make_failure(errc::unavailable,
                        "cannot bind " + where() + (why.empty() ? "" : " (" + why + ")"));
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  bound_address bound;
  if (addr.ss_family == AF_INET6) {
    const auto& in6 = *reinterpret_cast<const sockaddr_in6*>(&addr);
    bound.port = ntohs(in6.sin6_port);
    bound.loopback = IN6_IS_ADDR_LOOPBACK(&in6.sin6_addr)
                     || (IN6_IS_ADDR_V4MAPPED(&in6.sin6_addr) && in6.sin6_addr.s6_addr[12] == 127);
    bound.wildcard = IN6_IS_ADDR_UNSPECIFIED(&in6.sin6_addr);
  } else {
    const auto& in4 = *reinterpret_cast<const sockaddr_in*>(&addr);
    bound.port = ntohs(in4.sin_port);
    bound.loopback = (ntohl(in4.sin_addr.s_addr) >> 24) == 127;
    bound.wildcard = in4.sin_addr.s_addr == htonl(INADDR_ANY);
  }
  impl_->listen_fd = fd;
  return bound;
}

void http_transport::start(request_dispatch dispatch, const error_renderer& errors) {
  auto& d = *impl_;
  d.dispatch = std::move(dispatch);
  auto count = d.options.loops > 0 ? d.options.loops
                                   : std::max<size_t>(1, std::thread::hardware_concurrency());
  for (size_t i = 0; i < count; ++i)
    d.loops.push_back(
        std::make_unique<event_loop>(i, d.options, d.connections, d.dispatch, errors));
  d.loops.front()->watch_listener(d.listen_fd, &d.loops, &d.next_loop);
  for (size_t i = 0; i < d.loops.size(); ++i)
    d.threads.emplace_back([raw = d.loops[i].get(), i] {
      auto name = "certmint-http" + std::to_string(i);
      ::pthread_setname_np(::pthread_self(), name.c_str());
      raw->run();
    });
}

void http_transport::stop() {
  auto& d = *impl_;
  if (d.threads.empty())
    return;
  for (auto& loop : d.loops) {
    loop->core().stopping = true;
    loop->core().wake();
  }
  for (auto& t : d.threads)
    t.join();
  d.threads.clear();
  d.listen_fd = -1; // closed by the first loop
}

} // namespace certmint
