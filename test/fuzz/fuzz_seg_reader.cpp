// Fuzz target: the SEG reader, from a whole DICOM file to volumes and
// metadata (nothing is written). A named qidcm::Error is a correct outcome;
// anything else (a crash, a sanitizer report, another exception) is a finding.
#include "fuzz_input.h"
#include "qidcm/error.h"
#include "qidcm/seg/reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  qidcm::fuzz::silenceLog();
  qidcm::fuzz::MemoryFile file(data, size);
  if (!file.ok()) return 0;
  for (bool merge : {false, true}) {
    qidcm::seg::ReaderOptions options;
    options.mergeSegments = merge;
    try {
      qidcm::seg::readSegmentation(file.path(), options, [](const qidcm::seg::ReaderImage&) {});
    } catch (const qidcm::Error&) {
      return 0;
    }
  }
  return 0;
}
