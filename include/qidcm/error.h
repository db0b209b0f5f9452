#pragma once
// One error type for the whole library: it carries the file at fault, the JSON
// path or DICOM attribute at fault, and the class of failure that decides the
// exit code of a command-line tool.
#include <stdexcept>
#include <string>

namespace qidcm {

enum class ErrorKind {
  Input,     // bad input: unreadable file, invalid JSON, inconsistent data
  Usage,     // bad command-line flags or option combination
  Output,    // the output cannot be written
  Internal,  // a bug in qidcm or an unexpected library failure
};

// what() is the one-line message the tools print: "<file>: <where>: <message>",
// leaving out the parts that are empty.
class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, std::string file, std::string where, std::string message);

  ErrorKind kind() const { return kind_; }
  // The file the error is about (may be empty).
  const std::string& file() const { return file_; }
  // The JSON path ("segmentAttributes[0][1].labelID") or DICOM attribute
  // ("PatientID (0010,0020)") at fault (may be empty).
  const std::string& where() const { return where_; }
  const std::string& message() const { return message_; }

 private:
  ErrorKind kind_;
  std::string file_;
  std::string where_;
  std::string message_;
};

// Shorthands used throughout the library.
[[noreturn]] void throwInput(const std::string& file, const std::string& where, const std::string& message);
[[noreturn]] void throwOutput(const std::string& file, const std::string& message);
[[noreturn]] void throwUsage(const std::string& message);
[[noreturn]] void throwInternal(const std::string& message);

// "input", "usage", "output" or "internal".
const char* toString(ErrorKind kind);

// Exit code of a command-line tool for an error of this kind:
// Input 1, Usage 2, Output 3, Internal 4.
int exitCode(ErrorKind kind);

}  // namespace qidcm
