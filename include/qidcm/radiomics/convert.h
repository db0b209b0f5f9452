#pragma once
// radiomics2tid1500: pyradiomics features (batch CSV or JSON) + the SEG they
// were computed on + its source series -> a TID 1500 Measurement Report, one
// measurement group per segment, one NUM per feature, coded with IBSI codes
// (doc/radiomics-codes.md).
#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "qidcm/codes.h"

namespace qidcm::radiomics {

struct ConvertOptions {
  std::string featuresPath;       // pyradiomics batch CSV, or its JSON
  std::string segPath;            // the SEG whose segments the features describe
  std::string imageLibraryDirectory;  // holds the SEG's source series
  std::string metadataPath;       // optional: tid1500writer JSON keys for the report (observer, series, ...)
  std::map<long, unsigned> segmentMap;  // a row's Label -> Segment Number; default: the same number
  // The image intensity unit (UCUM) for intensity features; empty: from the
  // source series (CT: [hnsf'U]; PT with Units BQML: Bq/ml; others: [arb'U]).
  std::string intensityUnit;
};

struct ConvertSummary {
  std::size_t cases = 0;          // rows / objects read
  std::size_t groups = 0;         // measurement groups written
  std::size_t measurements = 0;   // NUMs written
  std::size_t skipped = 0;        // NaN / infinite / unknown features left out (each warned)
  std::string sopInstanceUID;
};

// Throws Error (Input) naming the file and row / column at fault: a Label
// with no segment in the SEG, no feature column, a SEG whose source series
// is not in the directory. Writes atomically.
ConvertSummary convertFeatures(const ConvertOptions& options, const std::string& outputPath);

// "1=2,3=4" (or several such values) -> {1: 2, 3: 4}; throws Error (Usage).
std::map<long, unsigned> parseSegmentMap(const std::vector<std::string>& values);

}  // namespace qidcm::radiomics
