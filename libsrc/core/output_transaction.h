#pragma once
// All-or-nothing output. Files are first written into a hidden staging
// directory next to their destination; commit() renames them into place. If
// the transaction is destroyed without commit (an error was thrown), the
// staging directory and everything in it are removed, so a failed run leaves
// no partial output behind.
#include <string>
#include <vector>

namespace qidcm {

class OutputTransaction {
 public:
  OutputTransaction() = default;
  ~OutputTransaction();
  OutputTransaction(const OutputTransaction&) = delete;
  OutputTransaction& operator=(const OutputTransaction&) = delete;

  // Returns the path to write instead of `finalPath`. Companion files that a
  // format writes beside it (a .mhd's .zraw, an .hdr's .img) land in the same
  // staging directory and are moved along with it. A symbolic link is
  // followed (its target is replaced); a FIFO or device is written directly.
  std::string stage(const std::string& finalPath);

  // Moves every staged file to its destination. Throws Error (Output).
  void commit();

 private:
  struct Staging {
    std::string finalDir;
    std::string tempDir;
  };
  Staging& stagingFor(const std::string& dir);
  std::vector<Staging> staging_;
  std::vector<std::string> direct_;
  bool committed_ = false;
};

// Writes `text` to `path` (a staged path, usually) and checks that every byte
// reached the file, close included. Throws Error (Output) naming `shownPath`.
void writeTextFile(const std::string& path, const std::string& text, const std::string& shownPath);

// Directory part of a path ("." when there is none) and file-name part.
std::string directoryOf(const std::string& path);
std::string fileNameOf(const std::string& path);

// Creates a directory and its parents; throws Error (Output) on failure.
void createDirectories(const std::string& dir);

}  // namespace qidcm
