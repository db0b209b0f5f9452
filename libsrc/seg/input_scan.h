#pragma once
// The writer's look at its input images: grid checks between files, and the
// one pass over label voxels that gives each segment its per-slice extents.
#include <cstdint>
#include <string>
#include <vector>

#include "seg/plan.h"

namespace qidcm::seg {

// "(i, j, k)", for messages.
std::string voxelText(std::size_t i, std::size_t j, std::size_t k);

// Every input on the grid of the first (LABELMAP, FRACTIONAL: one frame per
// position holds them all).
void requireOneGrid(const std::vector<LabelImage>& images, SegmentationType type);
// Same slice size, spacing and orientation as the first; origins may differ
// (BINARY: each segment's frames are placed on their own).
void requireStackableGrids(const std::vector<LabelImage>& images);
// Label images are scalar.
void requireScalar(const std::vector<LabelImage>& images);

// Per-slice bounding boxes of segments while a slice is scanned row by row.
class ExtentAccumulator {
 public:
  explicit ExtentAccumulator(std::size_t segmentCount) : boxes_(segmentCount) {}
  void add(int segment, std::uint32_t i, std::uint32_t j) {
    Box& b = boxes_[segment];
    if (b.voxels == 0) {
      touched_.push_back(segment);
      b.i0 = b.i1 = i;
      b.j0 = b.j1 = j;
    } else {
      if (i < b.i0) b.i0 = i;
      if (i > b.i1) b.i1 = i;
      b.j1 = j;  // rows are visited in order
    }
    ++b.voxels;
  }
  // Appends the boxes of slice `slice` to the segments touched, and resets.
  void finishSlice(std::uint32_t slice, std::vector<PlannedSegment>& segments);

 private:
  struct Box {
    std::uint32_t i0 = 0, i1 = 0, j0 = 0, j1 = 0;
    std::uint64_t voxels = 0;
  };
  std::vector<Box> boxes_;
  std::vector<int> touched_;
};

// One pass over an integer (or integral float) label image: every non-zero
// value must be the label of one of file `file`'s segments.
void scanLabelImage(const LabelImage& image, std::size_t file, std::vector<PlannedSegment>& segments);

}  // namespace qidcm::seg
