#pragma once
// Overlap analysis. Writing: do segments of different input files (or
// components of probability maps) share a voxel. Reading: which segments of
// a SEG share a pixel, and how to pack mutually non-overlapping segments into
// as few images as possible.
#include <cstdint>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "seg/plan.h"
#include "seg/segmentation_file.h"

namespace qidcm::seg {

// ---------------------------------------------------------------------------
// Writing.

// Where two input files first share a voxel: file indices, the slice of
// `fileA`, and each file's voxel index.
struct OverlapHit {
  std::size_t fileA = 0, fileB = 0, sliceA = 0, voxelA = 0, voxelB = 0;
};
enum class OverlapResult { None, Found, Unaligned };

// Label images, voxel by voxel. The files share spacing and orientation;
// their origins may differ by whole voxels (voxels are then compared at the
// shifted positions) or not (Unaligned: no voxel coincides). A single file's
// segments never overlap.
OverlapResult findFileOverlap(const std::vector<LabelImage>& images, const std::vector<PlannedSegment>& segments,
                              OverlapHit& hit);
// Probability maps on one grid: do two have a non-zero stored (0..255)
// fraction at one voxel.
bool fractionsOverlap(const std::vector<LabelImage>& images, const std::vector<PlannedSegment>& segments);

// ---------------------------------------------------------------------------
// Reading.

using SegmentPair = std::pair<std::uint16_t, std::uint16_t>;  // first < second

// Pairs of BINARY/FRACTIONAL segments with a non-zero pixel in common
// (compared frame against frame at the same position), each with a frame of
// the first segment where they do.
std::map<SegmentPair, std::size_t> overlappingSegments(const SegmentationFile& seg);

// Groups of mutually non-overlapping segments. First-fit in Segment Number
// order (what dcmqi and DCMTK do) unless DSatur colouring needs fewer groups.
// Deterministic; groups ordered by their smallest Segment Number, each group
// ascending.
std::vector<std::vector<std::uint16_t>> groupSegments(const std::vector<std::uint16_t>& segments,
                                                      const std::map<SegmentPair, std::size_t>& overlaps);

}  // namespace qidcm::seg
