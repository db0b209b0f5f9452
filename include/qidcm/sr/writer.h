#pragma once
// TID 1500 measurement report writer: metadata JSON + the instances it
// refers to -> DICOM Enhanced SR.
#include <cstddef>
#include <string>

#include "qidcm/sr/metadata.h"

namespace qidcm::sr {

struct WriterPaths {
  // Where compositeContext / imageLibrary entries are looked up: as file
  // names in the directory, or (for UIDs) among the files under it.
  std::string compositeContextDirectory;
  std::string imageLibraryDirectory;
  std::string output;
};

struct WriteSummary {
  std::string sopInstanceUID;
  std::size_t groups = 0;
  std::size_t measurements = 0;
  std::size_t skippedMeasurements = 0;
  std::size_t imageLibraryEntries = 0;
  std::size_t evidenceInstances = 0;
};

// Writes the report to paths.output atomically. Throws Error.
WriteSummary writeMeasurementReport(const Metadata& metadata, const WriterPaths& paths);

}  // namespace qidcm::sr
