#include "tests/support/server_process.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <utility>

#include <catch2/catch.hpp>

#include "tests/support/small_tmpfs.hpp"

extern char** environ;

namespace certmint::test {

server_process::server_process(std::string data_dir, std::vector<std::string> extra_args,
                               const std::string& admin_token, size_t data_dir_tmpfs_bytes) {
  auto tmpfs_dir = data_dir;
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0)
    throw std::runtime_error("pipe failed");
  std::vector<std::string> args = {CERTMINT_BINARY, "serve",      "--listen",
                                   "127.0.0.1:0",   "--data-dir", std::move(data_dir)};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e)
    if (std::strncmp(*e, "CERTMINT_", 9) != 0)
      env.emplace_back(*e);
  if (!admin_token.empty())
    env.push_back("CERTMINT_ADMIN_TOKEN=" + admin_token);
  pid_ = fork();
  if (pid_ < 0)
    throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    dup2(pipe_fds[1], STDOUT_FILENO);
    dup2(pipe_fds[1], STDERR_FILENO);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    if (data_dir_tmpfs_bytes > 0) {
      auto err = mount_small_tmpfs(tmpfs_dir, data_dir_tmpfs_bytes);
      if (!err.empty()) {
        err = "cannot mount the data directory's tmpfs: " + err + "\n";
        (void)!write(STDERR_FILENO, err.data(), err.size());
        _exit(126);
      }
    }
    std::vector<char*> argv;
    argv.reserve(args.size() + 1);
    for (auto& a : args)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<char*> envp;
    envp.reserve(env.size() + 1);
    for (auto& e : env)
      envp.push_back(e.data());
    envp.push_back(nullptr);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  close(pipe_fds[1]);
  out_fd_ = pipe_fds[0];
  // Read until the server says where it listens (bounded in time).
  // The address may be a wildcard (0.0.0.0, [::]); the port follows its
  // last colon, and the test reaches it on 127.0.0.1 either way.
  constexpr std::string_view marker = "listening on http://";
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  std::string seen;
  while (port_ == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill_hard();
      throw std::runtime_error("certmint did not start in time; output:\n" + seen);
    }
    pollfd pfd{out_fd_, POLLIN, 0};
    if (poll(&pfd, 1, 100) <= 0)
      continue;
    char buf[4096];
    auto n = read(out_fd_, buf, sizeof(buf));
    if (n <= 0) {
      auto code = wait_exit();
      throw std::runtime_error("certmint exited during start with status " + std::to_string(code)
                               + "; output:\n" + seen);
    }
    seen.append(buf, static_cast<size_t>(n));
    if (auto pos = seen.find(marker); pos != std::string::npos) {
      auto end = seen.find('\n', pos);
      if (end != std::string::npos) {
        auto colon = seen.rfind(':', end);
        port_ = std::stoi(seen.substr(colon + 1, end - colon - 1));
      }
    }
  }
  output_ = seen;
  reader_ = std::thread{[this] {
    char buf[4096];
    ssize_t n = 0;
    while ((n = read(out_fd_, buf, sizeof(buf))) > 0) {
      std::lock_guard<std::mutex> guard{mutex_};
      output_.append(buf, static_cast<size_t>(n));
    }
  }};
}

server_process::~server_process() {
  // A clean SIGTERM shutdown exits 0; anything else (a crash, a sanitizer
  // report, a leak at exit) fails the test that ran the server.
  if (pid_ > 0) {
    auto code = stop();
    if (code != 0)
      FAIL_CHECK("certmint exited with status " << code << "; output:\n" << output());
  }
  if (reader_.joinable())
    reader_.join();
  if (out_fd_ >= 0)
    close(out_fd_);
}

std::unique_ptr<httplib::Client> server_process::client(const std::string& token) const {
  auto cli = std::make_unique<httplib::Client>("127.0.0.1", port_);
  cli->set_tcp_nodelay(true);
  cli->set_read_timeout(60, 0);
  if (!token.empty())
    cli->set_bearer_token_auth(token);
  return cli;
}

std::string server_process::output() const {
  std::lock_guard<std::mutex> guard{mutex_};
  return output_;
}

bool server_process::output_shows(const std::string& text,
                                  std::chrono::milliseconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (output().find(text) == std::string::npos) {
    if (std::chrono::steady_clock::now() > deadline)
      return false;
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  }
  return true;
}

int server_process::wait_exit() {
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  if (reader_.joinable())
    reader_.join();
  if (WIFEXITED(status))
    return WEXITSTATUS(status);
  return -WTERMSIG(status);
}

long server_process::rss_kib() const {
  std::ifstream status{"/proc/" + std::to_string(pid_) + "/status"};
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmRSS:", 0) == 0)
      return std::stol(line.substr(6));
  return 0;
}

int server_process::stop() {
  if (pid_ <= 0)
    return -1;
  kill(pid_, SIGTERM);
  return wait_exit();
}

void server_process::kill_hard() {
  if (pid_ <= 0)
    return;
  kill(pid_, SIGKILL);
  wait_exit();
}

} // namespace certmint::test
