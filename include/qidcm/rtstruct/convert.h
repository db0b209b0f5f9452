#pragma once
// RT Structure Set -> DICOM Segmentation, on the image series the structure
// set references (rtstruct2segimage; rules: doc/rtstruct-rasterization.md).
#include <cstddef>
#include <string>
#include <vector>

#include "qidcm/seg/writer.h"

namespace qidcm::rtstruct {

struct ConvertOptions {
  seg::WriterOptions writer;   // segmentation type (BINARY or LABELMAP), compression, --skip
  double planeTolerance = -1;  // mm; negative: a tenth of the slice spacing
};

struct ConvertSummary {
  std::size_t rois = 0;             // in the structure set
  std::size_t segments = 0;         // ROIs written (those with a closed contour)
  std::size_t contours = 0;         // closed contours rasterized
  std::size_t skippedContours = 0;  // other types, or off the slices
  std::string seriesInstanceUID;    // the image series the SEG lies on
  seg::WriteSummary seg;
};

// Reads `rtstructPath`, finds its image series among `dicomDirectories` (by
// the RT Referenced Series UID), rasterizes every ROI with a closed contour
// and writes the SEG to `outputPath` (all or nothing). Throws Error.
ConvertSummary convertStructureSet(const std::string& rtstructPath, const std::vector<std::string>& dicomDirectories,
                                   const std::string& outputPath, const ConvertOptions& options = {});

}  // namespace qidcm::rtstruct
