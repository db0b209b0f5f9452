#pragma once
// SEG reader: DICOM Segmentation (BINARY, FRACTIONAL, LABELMAP, from any
// writer, in any common transfer syntax) -> volumes + metadata.
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "qidcm/image_io.h"
#include "qidcm/seg/metadata.h"
#include "qidcm/volume.h"

namespace qidcm::seg {

struct ReaderOptions {
  // BINARY: pack mutually non-overlapping segments into as few images as possible.
  bool mergeSegments = false;
  // FRACTIONAL: write value / Maximum Fractional Value as float32 instead of the stored values.
  bool fractionalAsProbability = false;
  // Without it, the grid spans the frames the SEG holds (from the first to
  // the last plane with a frame; planes between them without one are empty).
  // With it, the grid is rebuilt on the full extent of the referenced source
  // series found in this directory.
  std::string referenceDirectory;
};

// One output image and the segments it holds (pixel value = Segment Number;
// FRACTIONAL: the stored fraction or the probability).
// Pixel types: BINARY and LABELMAP give UInt8 (UInt16 when a Segment Number
// exceeds 255); FRACTIONAL gives Int16 stored fractions, or Float32 with
// fractionalAsProbability.
struct ReaderImage {
  Volume volume;
  std::vector<SegmentDescription> segments;
};

struct ReadSummary {
  SegmentationType type = SegmentationType::Binary;
  std::string transferSyntax;
  std::size_t segments = 0;
  std::size_t frames = 0;
  std::size_t images = 0;
  bool slide = false;  // a slide-coordinate (microscopy) SEG, read as one 2-D plane
  Grid grid;
};

// Reads `path` and hands the output images to `sink` one at a time, so that
// only one is in memory; the image's buffer is reused once `sink` returns.
// Returns the metadata, with one segmentAttributes list per image in the
// order given to `sink`. Throws Error.
Metadata readSegmentation(const std::string& path, const ReaderOptions& options,
                          const std::function<void(const ReaderImage&)>& sink, ReadSummary* summary = nullptr);

// The command-line flow: writes <dir>/<prefix>-N.<ext> (N from 1) and
// <dir>/<prefix>-meta.json, all or nothing. `outputType` is one of nrrd, mhd,
// mha, nii, nifti, hdr, img. The directory is created when missing.
ReadSummary readSegmentationToFiles(const std::string& input, const std::string& outputDirectory,
                                    const std::string& prefix, const std::string& outputType,
                                    const ReaderOptions& options);

// File extension for a dcmqi output type ("nii" -> ".nii.gz"); throws Error
// (Usage). Kept for programs that used it: it is qidcm::imageExtension.
inline std::string extensionFor(const std::string& outputType) { return imageExtension(outputType); }

}  // namespace qidcm::seg
