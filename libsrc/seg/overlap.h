#pragma once
// Overlap analysis for reading: which segments share a pixel, and how to pack
// mutually non-overlapping segments into as few images as possible.
#include <cstdint>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "seg/segmentation_file.h"

namespace qidcm::seg {

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
