#include "storage/info_log.hpp"

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <string>
#include <system_error>

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <rocksdb/env.h>

namespace certmint {

namespace {

class info_log final : public rocksdb::Logger {
public:
  explicit info_log(int fd) : fd_(fd) {}
  ~info_log() override { close_file(); }
  info_log(const info_log&) = delete;
  info_log& operator=(const info_log&) = delete;

  using rocksdb::Logger::Logv;

  void Logv(const char* format, va_list ap) override {
    if (fd_ < 0)
      return;
    timespec now{};
    ::clock_gettime(CLOCK_REALTIME, &now);
    tm local{};
    ::localtime_r(&now.tv_sec, &local);
    // RocksDB's layout: local time to the microsecond, thread, message.
    char head[64];
    int head_size = std::snprintf(head, sizeof head, "%04d/%02d/%02d-%02d:%02d:%02d.%06ld %ld ",
                                  local.tm_year + 1900, local.tm_mon + 1, local.tm_mday,
                                  local.tm_hour, local.tm_min, local.tm_sec, now.tv_nsec / 1000,
                                  static_cast<long>(::syscall(SYS_gettid)));
    std::string line(head, static_cast<size_t>(head_size));
    va_list again;
    va_copy(again, ap);
    char small[512];
    int size = std::vsnprintf(small, sizeof small, format, ap);
    if (size >= 0 && static_cast<size_t>(size) < sizeof small) {
      line.append(small, static_cast<size_t>(size));
    } else if (size > 0) {
      // Statistics dumps run to tens of kilobytes in one line.
      std::string big(static_cast<size_t>(size) + 1, '\0');
      std::vsnprintf(big.data(), big.size(), format, again);
      line.append(big.data(), static_cast<size_t>(size));
    }
    va_end(again);
    if (line.back() != '\n')
      line.push_back('\n');
    // O_APPEND: one write per line, whole lines from concurrent threads.
    const char* at = line.data();
    size_t left = line.size();
    while (left > 0) {
      auto written = ::write(fd_, at, left);
      if (written < 0 && errno == EINTR)
        continue;
      if (written <= 0)
        return; // a full disk: the line is lost, nothing else
      at += written;
      left -= static_cast<size_t>(written);
    }
  }

protected:
  rocksdb::Status CloseImpl() override {
    close_file();
    return rocksdb::Status::OK();
  }

private:
  void close_file() {
    if (fd_ >= 0)
      ::close(fd_);
    fd_ = -1;
  }

  int fd_;
};

} // namespace

std::shared_ptr<rocksdb::Logger> open_info_log(const std::string& directory) {
  namespace fs = std::filesystem;
  std::error_code ignored;
  // RocksDB creates a missing data directory only later, in DB::Open.
  fs::create_directories(directory, ignored);
  auto path = fs::path{directory} / "LOG";
  fs::rename(path, fs::path{directory} / "LOG.old", ignored);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  return std::make_shared<info_log>(fd);
}

} // namespace certmint
