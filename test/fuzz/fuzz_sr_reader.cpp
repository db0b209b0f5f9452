// Fuzz target: the TID 1500 reader, DICOM SR to metadata, and the metadata
// it produces through the schema, as tid1500reader does before writing.
#include <nlohmann/json.hpp>

#include "fuzz_input.h"
#include "qidcm/error.h"
#include "qidcm/schema.h"
#include "qidcm/sr/reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  qidcm::fuzz::silenceLog();
  qidcm::fuzz::MemoryFile file(data, size);
  if (!file.ok()) return 0;
  try {
    const qidcm::sr::ReadResult r = qidcm::sr::readMeasurementReport(file.path());
    nlohmann::json json = qidcm::sr::toJson(r.metadata);
    qidcm::repairUtf8(json);  // as tid1500reader does before validating and writing
    qidcm::validateAgainstSchema(qidcm::SchemaId::MeasurementReport, json, "out.json");
    (void)json.dump();
  } catch (const qidcm::Error& e) {
    if (e.kind() == qidcm::ErrorKind::Internal) throw;  // the reader's own output must validate
  }
  return 0;
}
