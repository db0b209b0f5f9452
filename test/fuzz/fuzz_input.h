#pragma once
// Shared by the fuzz targets: the input as a file that lives in memory
// (memfd), for the readers that take a path, and a silenced log.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "qidcm/log.h"

namespace qidcm::fuzz {

class MemoryFile {
 public:
  MemoryFile(const std::uint8_t* data, std::size_t size) {
    fd_ = memfd_create("qidcm-fuzz", 0);
    if (fd_ >= 0) {
      std::size_t done = 0;
      while (done < size) {
        const ssize_t n = ::write(fd_, data + done, size - done);
        if (n <= 0) break;
        done += static_cast<std::size_t>(n);
      }
      path_ = "/proc/self/fd/" + std::to_string(fd_);
    }
  }
  ~MemoryFile() {
    if (fd_ >= 0) ::close(fd_);
  }
  MemoryFile(const MemoryFile&) = delete;
  MemoryFile& operator=(const MemoryFile&) = delete;
  bool ok() const { return fd_ >= 0; }
  const std::string& path() const { return path_; }

 private:
  int fd_ = -1;
  std::string path_;
};

inline void silenceLog() {
  static const bool once = [] {
    log::setHandler([](log::Level, const std::string&) {});
    return true;
  }();
  (void)once;
}

}  // namespace qidcm::fuzz
