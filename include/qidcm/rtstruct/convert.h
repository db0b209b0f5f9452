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
  // dcmqi SEG JSON whose segments override what the ROIs give, matched by
  // ROINumber when a segment has it (meta.json of --outputDirectory), else
  // SegmentLabel = ROI Name, else labelID = ROI Number; its series
  // attributes (SeriesDescription, ...) are used too. Empty: none.
  std::string metadataPath;
  // When set: the label image(s) and meta.json, as segimage2itkimage writes
  // them for the SEG with --referenceDICOMDirectory (one image per segment,
  // value = Segment Number, for BINARY; one image for LABELMAP).
  std::string outputDirectory;
  std::string outputType = "nrrd";
};

struct ConvertSummary {
  std::size_t rois = 0;             // in the structure set
  std::size_t segments = 0;         // ROIs written (those with a closed contour)
  std::size_t contours = 0;         // closed contours rasterized
  std::size_t skippedContours = 0;  // other types, or off the slices
  std::size_t genericCodes = 0;     // segments whose property codes need a curator (codingNote)
  std::size_t layers = 0;           // label volumes held (BINARY: overlapping ROIs need more than one)
  std::string seriesInstanceUID;    // the image series the SEG lies on
  seg::WriteSummary seg;
};

// Reads `rtstructPath`, finds its image series among `dicomDirectories` (by
// the RT Referenced Series UID), rasterizes every ROI with a closed contour
// and writes the SEG to `outputPath` (and the optional directory), all or
// nothing. Throws Error.
ConvertSummary convertStructureSet(const std::string& rtstructPath, const std::vector<std::string>& dicomDirectories,
                                   const std::string& outputPath, const ConvertOptions& options = {});

}  // namespace qidcm::rtstruct
