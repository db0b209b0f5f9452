// qidcm-bench-io: the I/O floors bench/run.py divides the tools' times by.
//
//   read-image <path>        read an image into memory through ITK (as the tools do)
//   read-bytes <path>        read a file's bytes
//   write-bytes <n> <path>   write n bytes to a new file
//   headers <dir>            read every DICOM file's header, stopping before Pixel Data, one after the other
//   scan <dir>               the tools' source-series scan (headers only, in parallel)
//   read-dicom <dir>         read every DICOM file whole (pixel data too) with DCMTK, one after the other
//   read-files <dir>         read the bytes of every file under the directory, one after the other
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "qidcm/error.h"
#include "qidcm/image_io.h"
#include "qidcm/source.h"

namespace fs = std::filesystem;

namespace {

int readBytes(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw std::runtime_error("cannot open " + path);
  std::vector<char> buffer(8 << 20);
  std::size_t total = 0, n;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), f)) > 0) total += n;
  std::fclose(f);
  std::printf("%zu bytes\n", total);
  return 0;
}

int writeBytes(unsigned long long size, const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) throw std::runtime_error("cannot create " + path);
  std::vector<char> buffer(8 << 20);
  for (std::size_t i = 0; i < buffer.size(); ++i) buffer[i] = static_cast<char>(i * 31 + 7);
  unsigned long long left = size;
  while (left > 0) {
    const std::size_t n = static_cast<std::size_t>(std::min<unsigned long long>(left, buffer.size()));
    if (std::fwrite(buffer.data(), 1, n, f) != n) throw std::runtime_error("cannot write " + path);
    left -= n;
  }
  if (std::fclose(f) != 0) throw std::runtime_error("cannot write " + path);
  std::printf("%llu bytes\n", size);
  return 0;
}

int headers(const std::string& dir) {
  std::size_t files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    DcmFileFormat file;
    if (file.loadFileUntilTag(entry.path().c_str(), EXS_Unknown, EGL_noChange, DCM_MaxReadLength, ERM_autoDetect,
                              DCM_PixelData)
            .good())
      ++files;
  }
  std::printf("%zu headers\n", files);
  return 0;
}

int readFiles(const std::string& dir) {
  std::size_t files = 0, total = 0;
  std::vector<char> buffer(8 << 20);
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::FILE* f = std::fopen(entry.path().c_str(), "rb");
    if (!f) throw std::runtime_error("cannot open " + entry.path().string());
    std::size_t n;
    while ((n = std::fread(buffer.data(), 1, buffer.size(), f)) > 0) total += n;
    std::fclose(f);
    ++files;
  }
  std::printf("%zu files, %zu bytes\n", files, total);
  return 0;
}

int readDicom(const std::string& dir) {
  std::size_t files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    DcmFileFormat file;
    if (file.loadFile(entry.path().c_str(), EXS_Unknown, EGL_noChange, DCM_MaxReadLength, ERM_autoDetect).good())
      ++files;
  }
  std::printf("%zu files\n", files);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "read-image" && argc == 3) {
      const qidcm::Volume v = qidcm::readImage(argv[2]);
      std::printf("%zu voxels\n", v.grid.voxels());
      return 0;
    }
    if (mode == "read-bytes" && argc == 3) return readBytes(argv[2]);
    if (mode == "write-bytes" && argc == 4) return writeBytes(std::stoull(argv[2]), argv[3]);
    if (mode == "headers" && argc == 3) return headers(argv[2]);
    if (mode == "read-dicom" && argc == 3) return readDicom(argv[2]);
    if (mode == "read-files" && argc == 3) return readFiles(argv[2]);
    if (mode == "scan" && argc == 3) {
      const qidcm::SourceIndex index = qidcm::SourceIndex::scan({}, {argv[2]});
      std::printf("%zu instances\n", index.instances().size());
      return 0;
    }
    std::fprintf(stderr,
                 "usage: qidcm-bench-io read-image <path> | read-bytes <path> | write-bytes <n> <path> | "
                 "headers <dir> | scan <dir> | read-dicom <dir> | read-files <dir>\n");
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "qidcm-bench-io: %s\n", e.what());
    return 1;
  }
}
