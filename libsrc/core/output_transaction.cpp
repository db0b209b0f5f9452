#include "core/output_transaction.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <unistd.h>

#include "qidcm/error.h"

namespace fs = std::filesystem;

namespace qidcm {

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
  return staging_.back();
}

std::string OutputTransaction::stage(const std::string& finalPath) {
  if (finalPath.empty()) throwUsage("empty output path");
  std::error_code ec;
  if (fs::is_directory(finalPath, ec)) throwOutput(finalPath, "is a directory");
  Staging& s = stagingFor(directoryOf(finalPath));
  return (fs::path(s.tempDir) / fileNameOf(finalPath)).string();
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

}  // namespace qidcm
