#include "qidcm/log.h"

#include <chrono>
#include <cstdio>
#include <mutex>

namespace qidcm::log {
namespace {
std::mutex& mutex() {
  static std::mutex m;
  return m;
}
Handler& handler() {
  static Handler h;
  return h;
}
bool& verboseFlag() {
  static bool v = false;
  return v;
}
double now() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}
void emit(Level level, const std::string& message) {
  std::lock_guard<std::mutex> lock(mutex());
  if (handler()) {
    handler()(level, message);
    return;
  }
  const char* prefix = level == Level::Warning ? "warning: " : "";
  std::fprintf(stderr, "%s%s\n", prefix, message.c_str());
}
}  // namespace

void setHandler(Handler h) {
  std::lock_guard<std::mutex> lock(mutex());
  handler() = std::move(h);
}
void setVerbose(bool on) { verboseFlag() = on; }
bool verbose() { return verboseFlag(); }

void warning(const std::string& message) { emit(Level::Warning, message); }
void info(const std::string& message) { emit(Level::Info, message); }
void debug(const std::string& message) {
  if (verboseFlag()) emit(Level::Verbose, message);
}

PhaseTimer::PhaseTimer(std::string name) : name_(std::move(name)), start_(now()) {}
PhaseTimer::~PhaseTimer() {
  if (!verboseFlag()) return;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3f s", now() - start_);
  emit(Level::Verbose, "phase " + name_ + ": " + buf);
}

}  // namespace qidcm::log
