#include "core/output_transaction.h"

#include <cerrno>
#include <cstdio>
#include <csignal>
#include <cstring>
#include <mutex>
#include <filesystem>
#include <system_error>
#include <unistd.h>

#include "qidcm/cleanup.h"
#include "qidcm/error.h"

namespace fs = std::filesystem;

namespace qidcm {
namespace {

// Pending staged paths, in a form a signal handler can use without
// allocating: fixed buffers, appended under a mutex, read without one.
constexpr int kMaxPending = 512;
constexpr int kMaxPath = 1024;
char gPending[kMaxPending][kMaxPath];
volatile std::sig_atomic_t gPendingCount = 0;
std::mutex gPendingMutex;

void registerPending(const std::string& path) {
  std::lock_guard<std::mutex> lock(gPendingMutex);
  if (gPendingCount >= kMaxPending || path.size() >= kMaxPath) return;
  std::memcpy(gPending[gPendingCount], path.c_str(), path.size() + 1);
  gPendingCount = gPendingCount + 1;
}

void forgetPending(const std::string& prefix) {
  std::lock_guard<std::mutex> lock(gPendingMutex);
  for (int n = 0; n < gPendingCount; ++n)
    if (std::strncmp(gPending[n], prefix.c_str(), prefix.size()) == 0) gPending[n][0] = '\0';
}

// Files a format writes beside the staged one.
void registerWithCompanions(const std::string& path) {
  registerPending(path);
  const fs::path p(path);
  const std::string ext = p.extension().string();
  for (const char* companion : {".raw", ".zraw", ".img", ".hdr", ".raw.gz"})
    if (ext != companion) registerPending(fs::path(p).replace_extension(companion).string());
}

}  // namespace

void removeStagedOutputs() noexcept {
  // Newest first: files before the directory that holds them.
  for (int n = gPendingCount - 1; n >= 0; --n) {
    if (gPending[n][0] == '\0') continue;
    if (unlink(gPending[n]) != 0) rmdir(gPending[n]);
  }
}

std::string directoryOf(const std::string& path) {
  const fs::path p(path);
  const fs::path parent = p.parent_path();
  return parent.empty() ? std::string(".") : parent.string();
}

std::string fileNameOf(const std::string& path) { return fs::path(path).filename().string(); }

void createDirectories(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throwOutput(dir, "cannot create directory: " + ec.message());
  if (!fs::is_directory(dir)) throwOutput(dir, "not a directory");
}

OutputTransaction::~OutputTransaction() {
  for (const auto& s : staging_) {
    std::error_code ec;
    fs::remove_all(s.tempDir, ec);
    forgetPending(s.tempDir);
  }
}

OutputTransaction::Staging& OutputTransaction::stagingFor(const std::string& dir) {
  for (auto& s : staging_)
    if (s.finalDir == dir) return s;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throwOutput(dir, "output directory does not exist");
  std::string pattern = (fs::path(dir) / ".qidcm-staging-XXXXXX").string();
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (!mkdtemp(buf.data()))
    throwOutput(dir, std::string("cannot write to directory: ") + std::strerror(errno));
  staging_.push_back({dir, buf.data()});
  registerPending(staging_.back().tempDir);
  return staging_.back();
}

std::string OutputTransaction::stage(const std::string& requestedPath) {
  if (requestedPath.empty()) throwUsage("empty output path");
  std::error_code ec;
  std::string finalPath = requestedPath;
  // A symbolic link is written through: its target is what gets replaced.
  for (int hops = 0; hops < 16 && fs::is_symlink(finalPath, ec); ++hops) {
    fs::path target = fs::read_symlink(finalPath, ec);
    if (ec) break;
    if (target.is_relative()) target = fs::path(finalPath).parent_path() / target;
    finalPath = target.lexically_normal().string();
  }
  const fs::file_status status = fs::status(finalPath, ec);
  if (fs::is_directory(status)) throwOutput(requestedPath, "is a directory");
  if (fs::exists(status) && !fs::is_regular_file(status)) {
    // A FIFO or device (/dev/stdout): written directly, since it cannot be replaced.
    direct_.push_back(finalPath);
    return finalPath;
  }
  Staging& s = stagingFor(directoryOf(finalPath));
  const std::string staged = (fs::path(s.tempDir) / fileNameOf(finalPath)).string();
  registerWithCompanions(staged);
  return staged;
}

void OutputTransaction::commit() {
  for (const auto& s : staging_) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(s.tempDir, ec)) {
      const fs::path target = fs::path(s.finalDir) / entry.path().filename();
      std::error_code rc;
      fs::rename(entry.path(), target, rc);
      if (rc) throwOutput(target.string(), "cannot move output into place: " + rc.message());
    }
    if (ec) throwOutput(s.finalDir, "cannot list staging directory: " + ec.message());
  }
  committed_ = true;
}

void writeTextFile(const std::string& path, const std::string& text, const std::string& shownPath) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) throwOutput(shownPath, std::string("cannot create file: ") + std::strerror(errno));
  const bool written = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  const int savedErrno = errno;
  const bool closed = std::fclose(f) == 0;
  if (!written || !closed)
    throwOutput(shownPath, std::string("write failed: ") + std::strerror(written ? errno : savedErrno));
}

}  // namespace qidcm
