#pragma once
// SEG writer: label images (or probability maps) + metadata + source series
// -> DICOM Segmentation (BINARY, FRACTIONAL or LABELMAP).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "qidcm/compression.h"
#include "qidcm/seg/enums.h"
#include "qidcm/seg/metadata.h"
#include "qidcm/source.h"
#include "qidcm/volume.h"

namespace qidcm::seg {

using qidcm::Compression;

struct WriterOptions {
  SegmentationType type = SegmentationType::Binary;
  // Omit frames that hold no voxel of their segment (LABELMAP: of any segment).
  bool skipEmptySlices = true;
  // Match slices to source images by geometry and reference them per frame;
  // when off, every source is referenced once, in the shared functional groups.
  bool referencesGeometryCheck = true;
  bool useLabelIDAsSegmentNumber = false;
  bool checkValues = true;
  Compression compression = Compression::None;
  SegmentationFractionalType fractionalType = SegmentationFractionalType::Probability;
  // Slices match a source plane within this fraction of the slice spacing.
  double matchTolerance = 0.1;
  // LABELMAP: 16-bit pixels even when every Segment Number fits 8 bits.
  bool force16Bit = false;
  // LABELMAP: PALETTE COLOR pixels with a colour lookup table and an sRGB ICC profile.
  bool palette = false;
  // Non-image instances the segmentation was derived from (the RT Structure
  // Set of rtstruct2segimage): named beside the source images in every
  // Derivation Image item and in the Common Instance Reference module.
  std::vector<InstanceReference> derivedFrom;
};

// A label image and the file it came from (named in messages).
struct LabelImage {
  std::string path;
  Volume volume;
};

struct WriteSummary {
  std::string sopInstanceUID;
  std::string seriesInstanceUID;
  std::size_t segments = 0;
  std::size_t frames = 0;
  std::size_t referencedInstances = 0;
  std::size_t matchedSlices = 0;
  std::uint64_t bytes = 0;
  SegmentsOverlap overlap = SegmentsOverlap::No;
};

// Writes the SEG to `outputPath` atomically (temporary file, then rename).
// `images[f]` pairs with `metadata.segmentAttributes[f]`. Throws Error.
WriteSummary writeSegmentation(const std::vector<LabelImage>& images, const Metadata& metadata,
                               const SourceIndex& sources, const std::string& outputPath,
                               const WriterOptions& options);

// The command-line flow: reads the metadata (schema-validated first), the
// images and the source headers, pairs images with segmentAttributes (by
// position or segmentAttributesFileMapping), then writes.
struct WriterFiles {
  std::vector<std::string> images;
  std::string metadata;
  std::vector<std::string> dicomFiles;
  std::vector<std::string> dicomDirectories;
  std::string output;
};
WriteSummary writeSegmentationFiles(const WriterFiles& files, const WriterOptions& options);

}  // namespace qidcm::seg
