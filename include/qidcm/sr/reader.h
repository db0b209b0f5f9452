#pragma once
// TID 1500 measurement report reader: DICOM SR -> the metadata JSON that
// tid1500writer takes back. Reads reports from dcmqi, dcmjs/OHIF, highdicom
// and qidcm; refuses documents that are not TID 1500 reports.
#include <cstddef>
#include <string>

#include "qidcm/sr/metadata.h"

namespace qidcm::sr {

struct ReadResult {
  Metadata metadata;
  std::string documentType;  // "Enhanced SR", "Comprehensive 3D SR", ...
  std::size_t groups = 0;
  std::size_t measurements = 0;
  // Content items the JSON has no key for (image regions, source image
  // references, ...); each kind is reported once as a warning.
  std::size_t unrepresentedItems = 0;
};

// Throws Error (Input) naming the file when it is not a TID 1500 report.
ReadResult readMeasurementReport(const std::string& path);

// Also writes the JSON to `outputJson` atomically.
ReadResult readMeasurementReportToFile(const std::string& path, const std::string& outputJson);

}  // namespace qidcm::sr
