#pragma once
// Diagnostics. Warnings go to stderr by default; a program that links the
// library can redirect them with setHandler (Level, message).
#include <functional>
#include <string>

namespace qidcm::log {

enum class Level { Verbose, Info, Warning };

using Handler = std::function<void(Level, const std::string&)>;

void setHandler(Handler handler);  // empty handler restores the default
void setVerbose(bool on);
bool verbose();

void warning(const std::string& message);
void info(const std::string& message);
void debug(const std::string& message);  // printed only when verbose

// Measures a phase of work and prints its duration when verbose.
class PhaseTimer {
 public:
  explicit PhaseTimer(std::string name);
  ~PhaseTimer();
  PhaseTimer(const PhaseTimer&) = delete;
  PhaseTimer& operator=(const PhaseTimer&) = delete;

 private:
  std::string name_;
  double start_;
};

}  // namespace qidcm::log
