// Fuzz target: the parametric map reader (stored and real-world values).
#include "fuzz_input.h"
#include "qidcm/error.h"
#include "qidcm/pm/reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  qidcm::fuzz::silenceLog();
  qidcm::fuzz::MemoryFile file(data, size);
  if (!file.ok()) return 0;
  for (bool realWorld : {false, true}) {
    qidcm::pm::ReaderOptions options;
    options.realWorldValues = realWorld;
    try {
      qidcm::pm::readParametricMap(file.path(), options);
    } catch (const qidcm::Error&) {
      return 0;
    }
  }
  return 0;
}
