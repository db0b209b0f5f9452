#pragma once
// TID 1500 measurement report reader: DICOM SR -> the metadata JSON that
// tid1500writer takes back. Reads reports from dcmqi, dcmjs/OHIF, highdicom
// and qidcm; refuses documents that are not TID 1500 reports.
#include <cstddef>
#include <string>
#include <vector>

#include "qidcm/sr/metadata.h"

namespace qidcm::sr {

struct ReadResult {
  Metadata metadata;
  std::string documentType;  // "Enhanced SR", "Comprehensive 3D SR", ...
  std::string sopInstanceUID, patientID, studyInstanceUID, seriesInstanceUID;  // of the report
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

// The measurement table (doc/tid1500reader.md, "Table"): one row per
// measurement of every report, with the report's identity, its group's
// tracking, references, finding and algorithm. The header row's names.
std::vector<std::string> tableColumns();
// The rows of one report, in content order.
std::vector<std::vector<std::string>> tableRows(const ReadResult& report);

struct TableSummary {
  std::size_t reports = 0;
  std::size_t rows = 0;
  std::size_t skipped = 0;  // files under the directories that are not TID 1500 reports (each warned)
};
// Reads every report among `inputs` (files, and directories searched
// recursively, where files that are not TID 1500 reports are skipped with a
// warning) on both cores, and writes the table to `output` atomically: TSV
// when it ends in .tsv, CSV (RFC 4180) otherwise. A file given by name that
// is not a report is an error.
TableSummary writeMeasurementTable(const std::vector<std::string>& inputs, const std::string& output);

}  // namespace qidcm::sr
