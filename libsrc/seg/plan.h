#pragma once
// The segmentation plan: one pass over the label voxels decides which
// segments exist, where each one is (per-slice bounding boxes), whether they
// overlap, and which frames the SEG will hold. Everything after this (the
// document and the frame encoder) works from the plan.
#include <cstdint>
#include <string>
#include <vector>

#include "qidcm/seg/writer.h"

namespace qidcm::seg {

struct SliceExtent {
  std::uint32_t slice = 0;
  std::uint32_t i0 = 0, i1 = 0, j0 = 0, j1 = 0;  // inclusive bounding box
  std::uint64_t voxels = 0;
};

struct PlannedSegment {
  std::uint16_t number = 0;  // Segment Number
  std::size_t file = 0;      // index of its input image
  std::uint64_t label = 0;   // label value; for FRACTIONAL the component (1-based)
  SegmentDescription description;
  std::vector<SliceExtent> extents;  // slices holding the segment, ascending
  std::uint64_t voxels = 0;
};

struct PlannedFrame {
  std::uint32_t segment = 0;   // index into Plan::segments (unused for LABELMAP)
  std::uint32_t file = 0;      // image whose geometry places the frame
  std::uint32_t slice = 0;     // slice of that image
  std::uint32_t position = 0;  // dimension index value of its position (1-based)
  const SliceExtent* extent = nullptr;  // where the segment is in this slice; null when empty
};

struct Plan {
  SegmentationType type = SegmentationType::Binary;
  std::vector<PlannedSegment> segments;  // ascending Segment Number
  std::vector<PlannedFrame> frames;
  SegmentsOverlap overlap = SegmentsOverlap::No;
  bool labelmapBackground = false;  // a written LABELMAP pixel is 0
  unsigned bitsAllocated = 1;
  std::size_t positions = 0;        // distinct frame positions
  bool emptyInput = false;          // no voxel of any segment: one empty frame
};

// `requiredSlices` (LABELMAP only, optional): slices that get a frame even
// when empty, e.g. every position of a SEG being converted.
// The shared steps (input counts, numbering, the scan, positions); what
// differs by Segmentation Type comes from its strategy (segmentation_type.h).
Plan makePlan(const std::vector<LabelImage>& images, const Metadata& metadata, const WriterOptions& options,
              const std::vector<bool>* requiredSlices = nullptr);

// BINARY and FRACTIONAL layout: one frame per segment and slice, in Segment
// Number order; with `skipEmptySlices` only where the segment has voxels.
void layoutSegmentFrames(Plan& plan, const std::vector<LabelImage>& images, bool skipEmptySlices);


}  // namespace qidcm::seg
