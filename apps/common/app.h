#pragma once
// The thin layer every qidcm executable shares: CLI11 set-up, --version,
// --help with examples, and the mapping of errors to one line on stderr and
// an exit code (0 success, 1 bad input, 2 bad usage, 3 cannot write, 4 bug).
#include <CLI/CLI.hpp>

#include <functional>
#include <string>

namespace qidcm::app {

struct Description {
  const char* name;
  const char* summary;
  const char* examples;  // shown after the options in --help
};

// Parses the command line into the options `define` declares, then calls
// `run`. Never lets an exception escape; returns the process exit code.
int run(const Description& description, int argc, char** argv, const std::function<void(CLI::App&)>& define,
        const std::function<void()>& run);

// The writers' --compress option: every Compression value, checked; `note`
// (may be empty) says which ones the tool's pixels allow.
CLI::Option* addCompressOption(CLI::App& app, std::string& value, const std::string& note);

// Splits a comma-separated list (dcmqi's string-vector form), dropping empty items.
std::vector<std::string> splitList(const std::vector<std::string>& values);

}  // namespace qidcm::app
