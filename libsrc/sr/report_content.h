#pragma once
// The content tree of a TID 1500 Imaging Measurement Report: language,
// observer context, procedure reported, image library (TID 1600) and one
// TID 1411 Volumetric ROI Measurements group per metadata group, with TID
// 1419 measurements.
#include <cstddef>
#include <string>
#include <vector>

#include "qidcm/sr/metadata.h"
#include "sr/references.h"

class DSRDocumentTree;

namespace qidcm::sr {

struct ContentCounts {
  std::size_t groups = 0;
  std::size_t measurements = 0;
  std::size_t skipped = 0;  // values DICOM cannot hold
  std::size_t imageLibraryEntries = 0;
};

ContentCounts buildReportContent(DSRDocumentTree& tree, const Metadata& metadata,
                                 const std::vector<ReferencedInstance>& compositeContext,
                                 const std::vector<ReferencedInstance>& imageLibrary);

// The text of a measurement value as a Decimal String, or empty when DICOM
// cannot hold it (nan, inf). Throws Error (Input) when it is not a number.
std::string decimalString(const std::string& value, const std::string& file, const std::string& key);

}  // namespace qidcm::sr
