#include "tests/support/small_tmpfs.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

namespace certmint::test {

namespace {

std::string write_file(const char* path, const std::string& text) {
  int fd = ::open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return std::string{"open "} + path + ": " + std::strerror(errno);
  auto written = ::write(fd, text.data(), text.size());
  int err = errno;
  ::close(fd);
  if (written != static_cast<ssize_t>(text.size()))
    return std::string{"write "} + path + ": " + std::strerror(err);
  return {};
}

std::string tmpfs_options(size_t bytes) {
  return "size=" + std::to_string(bytes) + ",mode=0700";
}

} // namespace

std::string mount_small_tmpfs(const std::string& directory, size_t bytes) {
  std::error_code ignored;
  std::filesystem::create_directories(directory, ignored);
  auto uid = ::getuid();
  auto gid = ::getgid();
  if (::unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0)
    return std::string{"unshare: "} + std::strerror(errno);
  // Root inside the namespace is the caller outside it; that is enough to
  // mount a tmpfs there.
  if (auto err = write_file("/proc/self/setgroups", "deny"); !err.empty())
    return err;
  if (auto err = write_file("/proc/self/uid_map", "0 " + std::to_string(uid) + " 1"); !err.empty())
    return err;
  if (auto err = write_file("/proc/self/gid_map", "0 " + std::to_string(gid) + " 1"); !err.empty())
    return err;
  // Mounts made here must not propagate back to the parent namespace.
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
    return std::string{"mount --make-rprivate /: "} + std::strerror(errno);
  auto options = tmpfs_options(bytes);
  if (::mount("certmint-test", directory.c_str(), "tmpfs", 0, options.c_str()) != 0)
    return "mount tmpfs on " + directory + ": " + std::strerror(errno);
  return {};
}

std::string resize_small_tmpfs(const std::string& directory, size_t bytes) {
  auto options = tmpfs_options(bytes);
  if (::mount(nullptr, directory.c_str(), nullptr, MS_REMOUNT, options.c_str()) != 0)
    return "remount " + directory + ": " + std::strerror(errno);
  return {};
}

bool small_tmpfs_available() {
  auto probe = std::filesystem::temp_directory_path()
               / ("certmint-tmpfs-probe-" + std::to_string(::getpid()));
  auto pid = ::fork();
  if (pid < 0)
    return false;
  if (pid == 0)
    ::_exit(mount_small_tmpfs(probe.string(), 1 << 20).empty() ? 0 : 1);
  int status = 0;
  ::waitpid(pid, &status, 0);
  std::error_code ignored;
  std::filesystem::remove(probe, ignored);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

} // namespace certmint::test
