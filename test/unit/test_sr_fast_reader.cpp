#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "qidcm/error.h"
#include "qidcm/sr/reader.h"
#include "sr/content_tree.h"

using namespace qidcm;

// The compact reader (tid1500reader --outputTable) and the DCMTK reader give
// the same report, or the same refusal, for every SR of the shared data:
// dcmqi's, dcmjs', highdicom's, pydicom's (not TID 1500) and a FHIR example.
TEST_CASE("the compact SR reader gives the report DCMTK's tree gives") {
  const std::string shared = QIDCM_SHARED_DATA;
  const char* files[] = {"/dcmqi/data/sr-example/sr.dcm", "/dcmjs/test/sample-sr.dcm",
                         "/tid1500-fhir/examples/dcmqi/result.dcm", "/highdicom/data/test_files/sr_document.dcm",
                         "/pydicom/src/pydicom/data/test_files/test-SR.dcm"};
  std::size_t reports = 0;
  for (const char* name : files) {
    const std::string path = shared + name;
    INFO(path);
    std::string slowError, fastError;
    sr::ReadResult slow, fast;
    try {
      slow = sr::readMeasurementReport(path);
    } catch (const Error& e) {
      slowError = e.what();
    }
    try {
      fast = sr::interpretReport(sr::readSrDocumentFast(path), path);
    } catch (const Error& e) {
      fastError = e.what();
    }
    CHECK(fastError == slowError);
    if (!slowError.empty()) continue;
    ++reports;
    CHECK(fast.documentType == slow.documentType);
    CHECK(fast.sopInstanceUID == slow.sopInstanceUID);
    CHECK(!fast.sopInstanceUID.empty());
    CHECK(fast.patientID == slow.patientID);
    CHECK(fast.studyInstanceUID == slow.studyInstanceUID);
    CHECK(fast.seriesInstanceUID == slow.seriesInstanceUID);
    CHECK(fast.measurements == slow.measurements);
    CHECK(sr::toJson(fast.metadata).dump(1) == sr::toJson(slow.metadata).dump(1));
    CHECK(sr::tableRows(fast) == sr::tableRows(slow));
  }
  CHECK(reports >= 4);
}
