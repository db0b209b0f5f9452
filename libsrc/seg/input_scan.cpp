#include "seg/input_scan.h"

#include <algorithm>
#include <cmath>
#include <type_traits>
#include <unordered_map>

#include "qidcm/error.h"

namespace qidcm::seg {

std::string voxelText(std::size_t i, std::size_t j, std::size_t k) {
  return "(" + std::to_string(i) + ", " + std::to_string(j) + ", " + std::to_string(k) + ")";
}

// ---------------------------------------------------------------------------
// Grid consistency between input files.

void requireOneGrid(const std::vector<LabelImage>& images, SegmentationType type) {
  const Grid& first = images.front().volume.grid;
  for (std::size_t f = 1; f < images.size(); ++f) {
    const std::string diff = describeGridDifference(images[f].volume.grid, first);
    if (!diff.empty())
      throwInput(images[f].path, "",
                 "grid differs from " + images.front().path + " (" + diff + "); a " + toString(type) +
                     " SEG needs all inputs on one grid");
  }
}

void requireStackableGrids(const std::vector<LabelImage>& images) {
  const Grid& first = images.front().volume.grid;
  for (std::size_t f = 1; f < images.size(); ++f) {
    const Grid& g = images[f].volume.grid;
    if (g.columns() != first.columns() || g.rows() != first.rows())
      throwInput(images[f].path, "",
                 "in-plane size " + std::to_string(g.columns()) + "x" + std::to_string(g.rows()) + " differs from " +
                     std::to_string(first.columns()) + "x" + std::to_string(first.rows()) + " of " +
                     images.front().path);
    Grid sameOrigin = g;
    sameOrigin.origin = first.origin;
    sameOrigin.size = first.size;
    const std::string diff = describeGridDifference(sameOrigin, first);
    if (!diff.empty()) throwInput(images[f].path, "", "grid differs from " + images.front().path + " (" + diff + ")");
  }
}

void requireScalar(const std::vector<LabelImage>& images) {
  for (const auto& image : images)
    if (image.volume.components != 1)
      throwInput(image.path, "",
                 "has " + std::to_string(image.volume.components) +
                     " components; label images must be scalar (use --segmentationType fractional for one "
                     "probability map per component)");
}

void ExtentAccumulator::finishSlice(std::uint32_t slice, std::vector<PlannedSegment>& segments) {
  std::sort(touched_.begin(), touched_.end());
  for (int s : touched_) {
    Box& b = boxes_[s];
    segments[s].extents.push_back({slice, b.i0, b.i1, b.j0, b.j1, b.voxels});
    segments[s].voxels += b.voxels;
    b = Box{};
  }
  touched_.clear();
}

namespace {

// Label value -> segment index, for the segments of one file.
class LabelLookup {
 public:
  LabelLookup(const std::vector<PlannedSegment>& segments, std::size_t file) {
    std::uint64_t maxLabel = 0;
    for (std::size_t s = 0; s < segments.size(); ++s)
      if (segments[s].file == file) maxLabel = std::max(maxLabel, segments[s].label);
    dense_ = maxLabel <= (1u << 22);
    if (dense_) table_.assign(maxLabel + 1, -1);
    for (std::size_t s = 0; s < segments.size(); ++s) {
      if (segments[s].file != file) continue;
      if (dense_)
        table_[segments[s].label] = static_cast<int>(s);
      else
        map_[segments[s].label] = static_cast<int>(s);
    }
  }
  // Segment index of `label`, or -1.
  int find(std::uint64_t label) const {
    if (dense_) return label < table_.size() ? table_[label] : -1;
    auto it = map_.find(label);
    return it == map_.end() ? -1 : it->second;
  }

 private:
  bool dense_ = true;
  std::vector<int> table_;
  std::unordered_map<std::uint64_t, int> map_;
};

// The segment of a voxel value first met: checked, then looked up.
template <typename T>
int segmentOf(T value, const LabelLookup& lookup, const LabelImage& image, std::size_t file, std::size_t i,
              std::size_t j, std::size_t k) {
  if constexpr (std::is_floating_point_v<T>) {
    if (!std::isfinite(value) || value != std::floor(value))
      throwInput(image.path, "",
                 "non-integer label value " + std::to_string(value) + " at voxel " + voxelText(i, j, k) +
                     "; label images must hold integers (use --segmentationType fractional for probability maps)");
  }
  if (value < 0)
    throwInput(image.path, "",
               "negative label value " + std::to_string(static_cast<long long>(value)) + " at voxel " +
                   voxelText(i, j, k));
  const int segment = lookup.find(static_cast<std::uint64_t>(value));
  if (segment < 0)
    throwInput(image.path, "",
               "label " + std::to_string(static_cast<unsigned long long>(value)) + " (first at voxel " +
                   voxelText(i, j, k) + ") is not described in segmentAttributes[" + std::to_string(file) +
                   "] of the metadata");
  return segment;
}

template <typename T>
void scanLabels(const LabelImage& image, std::size_t file, std::vector<PlannedSegment>& segments) {
  const Grid& g = image.volume.grid;
  const T* data = image.volume.samples<T>();
  const LabelLookup lookup(segments, file);
  ExtentAccumulator acc(segments.size());
  const std::size_t cols = g.columns(), rows = g.rows();
  // Cache the last label seen: runs of equal labels are the common case.
  T lastValue = 0;
  int lastSegment = -1;
  for (std::size_t k = 0; k < g.slices(); ++k) {
    for (std::size_t j = 0; j < rows; ++j) {
      const T* row = data + (k * rows + j) * cols;
      for (std::size_t i = 0; i < cols; ++i) {
        const T value = row[i];
        if (value == 0) continue;
        if (value != lastValue || lastSegment < 0) {
          lastSegment = segmentOf(value, lookup, image, file, i, j, k);
          lastValue = value;
        }
        acc.add(lastSegment, static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(j));
      }
    }
    acc.finishSlice(static_cast<std::uint32_t>(k), segments);
  }
}

}  // namespace

void scanLabelImage(const LabelImage& image, std::size_t file, std::vector<PlannedSegment>& segments) {
  dispatchPixelType(image.volume.type, [&](auto zero) { scanLabels<decltype(zero)>(image, file, segments); });
}

}  // namespace qidcm::seg
