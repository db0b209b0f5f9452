// Fuzz target: JSON parsing and schema validation of the SEG, PM and SR
// metadata, and their conversion to the typed structs.
#include <nlohmann/json.hpp>

#include "fuzz_input.h"
#include "qidcm/error.h"
#include "qidcm/pm/metadata.h"
#include "qidcm/seg/metadata.h"
#include "qidcm/sr/metadata.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  qidcm::fuzz::silenceLog();
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(data, data + size);
  } catch (const nlohmann::json::exception&) {
    return 0;
  }
  try {
    qidcm::seg::parseMetadata(doc, "fuzz.json");
  } catch (const qidcm::Error&) {
  }
  try {
    qidcm::pm::parseMetadata(doc, "fuzz.json");
  } catch (const qidcm::Error&) {
  }
  try {
    const qidcm::sr::Metadata m = qidcm::sr::parseMetadata(doc, "fuzz.json");
    qidcm::sr::parseMetadata(qidcm::sr::toJson(m), "again.json");  // what is written reads back
  } catch (const qidcm::Error&) {
  }
  return 0;
}
