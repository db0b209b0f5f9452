// Image I/O for fuzzing builds. Debian's ITK 5.2 headers accept only GCC
// (itk_compiler_detection.h), while libFuzzer needs clang; the fuzz targets
// read DICOM and JSON only, so a clang build replaces the ITK-based file
// with this one.
#include "qidcm/error.h"
#include "qidcm/image_io.h"

namespace qidcm {

Volume readImage(const std::string& path) { throwUsage("image I/O is not built into this fuzzing build: " + path); }

void writeImage(const std::string& path, const Volume&, bool) {
  throwUsage("image I/O is not built into this fuzzing build: " + path);
}

}  // namespace qidcm
