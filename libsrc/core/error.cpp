#include "qidcm/error.h"

namespace qidcm {
namespace {
// Outputs are written in a hidden staging directory and renamed into place
// (OutputTransaction); messages name the path the user gave.
std::string withoutStaging(std::string text) {
  const std::string marker = "/.qidcm-staging-";
  for (std::size_t at = text.find(marker); at != std::string::npos; at = text.find(marker, at)) {
    std::size_t end = text.find('/', at + marker.size());
    if (end == std::string::npos) break;
    text.erase(at, end - at);
  }
  return text;
}

std::string compose(const std::string& file, const std::string& where, const std::string& message) {
  std::string text;
  if (!file.empty()) text += file + ": ";
  if (!where.empty()) text += where + ": ";
  return text + message;
}
}  // namespace

Error::Error(ErrorKind kind, std::string file, std::string where, std::string message)
    : std::runtime_error(compose(withoutStaging(file), where, withoutStaging(message))),
      kind_(kind),
      file_(withoutStaging(std::move(file))),
      where_(std::move(where)),
      message_(withoutStaging(std::move(message))) {}

void throwInput(const std::string& file, const std::string& where, const std::string& message) {
  throw Error(ErrorKind::Input, file, where, message);
}
void throwOutput(const std::string& file, const std::string& message) {
  throw Error(ErrorKind::Output, file, "", message);
}
void throwUsage(const std::string& message) { throw Error(ErrorKind::Usage, "", "", message); }
void throwInternal(const std::string& message) { throw Error(ErrorKind::Internal, "", "", message); }

const char* toString(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::Input: return "input";
    case ErrorKind::Usage: return "usage";
    case ErrorKind::Output: return "output";
    case ErrorKind::Internal: return "internal";
  }
  return "internal";
}

int exitCode(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::Input: return 1;
    case ErrorKind::Usage: return 2;
    case ErrorKind::Output: return 3;
    case ErrorKind::Internal: return 4;
  }
  return 4;
}

}  // namespace qidcm
