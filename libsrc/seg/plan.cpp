#include "seg/plan.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <sstream>
#include <unordered_map>

#include "qidcm/error.h"
#include "qidcm/log.h"

namespace qidcm::seg {
namespace {

std::string attributesPath(std::size_t file, std::size_t index) {
  return "segmentAttributes[" + std::to_string(file) + "][" + std::to_string(index) + "]";
}

std::string voxelText(std::size_t i, std::size_t j, std::size_t k) {
  return "(" + std::to_string(i) + ", " + std::to_string(j) + ", " + std::to_string(k) + ")";
}

// ---------------------------------------------------------------------------
// Grid consistency between input files.

void checkGrids(const std::vector<LabelImage>& images, SegmentationType type) {
  const Grid& first = images.front().volume.grid;
  for (std::size_t f = 1; f < images.size(); ++f) {
    const Grid& g = images[f].volume.grid;
    if (type != SegmentationType::Binary) {
      const std::string diff = describeGridDifference(g, first);
      if (!diff.empty())
        throwInput(images[f].path, "",
                   "grid differs from " + images.front().path + " (" + diff + "); a " + toString(type) +
                       " SEG needs all inputs on one grid");
      continue;
    }
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

// ---------------------------------------------------------------------------
// Segment numbering.

struct SegmentSlot {
  std::size_t file;
  std::size_t index;  // in segmentAttributes[file]
  std::uint64_t label;
};

std::vector<PlannedSegment> numberSegments(const Metadata& metadata, const WriterOptions& options,
                                           const std::string& metadataFile) {
  std::vector<SegmentSlot> slots;
  for (std::size_t f = 0; f < metadata.segmentAttributes.size(); ++f) {
    std::vector<SegmentSlot> fileSlots;
    for (std::size_t s = 0; s < metadata.segmentAttributes[f].size(); ++s)
      fileSlots.push_back({f, s, metadata.segmentAttributes[f][s].labelID});
    std::sort(fileSlots.begin(), fileSlots.end(), [](auto& a, auto& b) { return a.label < b.label; });
    slots.insert(slots.end(), fileSlots.begin(), fileSlots.end());
  }
  std::vector<PlannedSegment> segments;
  std::map<std::uint64_t, SegmentSlot> byNumber;
  for (std::size_t n = 0; n < slots.size(); ++n) {
    const SegmentSlot& slot = slots[n];
    PlannedSegment seg;
    seg.file = slot.file;
    seg.label = slot.label;
    seg.description = metadata.segmentAttributes[slot.file][slot.index];
    std::uint64_t number = n + 1;
    if (options.useLabelIDAsSegmentNumber) {
      number = slot.label;
      auto [it, inserted] = byNumber.emplace(number, slot);
      if (!inserted)
        throwInput(metadataFile, attributesPath(slot.file, slot.index) + ".labelID",
                   "label " + std::to_string(number) + " is also used by " +
                       attributesPath(it->second.file, it->second.index) +
                       "; with --useLabelIDAsSegmentNumber label IDs must be unique across files");
    }
    if (number > 65535)
      throwInput(metadataFile, attributesPath(slot.file, slot.index) + ".labelID",
                 "Segment Number " + std::to_string(number) + " exceeds 65535");
    seg.number = static_cast<std::uint16_t>(number);
    segments.push_back(std::move(seg));
  }
  if (options.useLabelIDAsSegmentNumber && options.type != SegmentationType::Labelmap) {
    // BINARY and FRACTIONAL Segment Numbers start at 1 and increase by 1.
    std::uint64_t expected = 1;
    for (const auto& [number, slot] : byNumber) {
      if (number != expected)
        throwInput(metadataFile, attributesPath(slot.file, slot.index) + ".labelID",
                   "with --useLabelIDAsSegmentNumber a " + toString(options.type) +
                       " SEG needs label IDs 1.." + std::to_string(byNumber.size()) + " without gaps; label " +
                       std::to_string(expected) + " is missing (gaps are allowed with --segmentationType labelmap)");
      ++expected;
    }
  }
  std::sort(segments.begin(), segments.end(), [](auto& a, auto& b) { return a.number < b.number; });
  return segments;
}

// ---------------------------------------------------------------------------
// Label value -> segment lookup for one file.

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

// Per-slice bounding box accumulation for the segments of one file.
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
      b.i0 = std::min(b.i0, i);
      b.i1 = std::max(b.i1, i);
      b.j1 = j;  // rows are visited in order
    }
    ++b.voxels;
  }
  void finishSlice(std::uint32_t slice, std::vector<PlannedSegment>& segments) {
    std::sort(touched_.begin(), touched_.end());
    for (int s : touched_) {
      Box& b = boxes_[s];
      segments[s].extents.push_back({slice, b.i0, b.i1, b.j0, b.j1, b.voxels});
      segments[s].voxels += b.voxels;
      b = Box{};
    }
    touched_.clear();
  }

 private:
  struct Box {
    std::uint32_t i0 = 0, i1 = 0, j0 = 0, j1 = 0;
    std::uint64_t voxels = 0;
  };
  std::vector<Box> boxes_;
  std::vector<int> touched_;
};

// One pass over an integer (or integral float) label image.
template <typename T>
void scanLabels(const LabelImage& image, std::size_t file, std::vector<PlannedSegment>& segments) {
  const Volume& v = image.volume;
  const Grid& g = v.grid;
  const T* data = v.samples<T>();
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
        int segment;
        if (value == lastValue && lastSegment >= 0) {
          segment = lastSegment;
        } else {
          if constexpr (std::is_floating_point_v<T>) {
            if (!std::isfinite(value) || value != std::floor(value))
              throwInput(image.path, "",
                         "non-integer label value " + std::to_string(value) + " at voxel " + voxelText(i, j, k) +
                             "; label images must hold integers (use --segmentationType fractional for "
                             "probability maps)");
          }
          if (value < 0)
            throwInput(image.path, "",
                       "negative label value " + std::to_string(static_cast<long long>(value)) + " at voxel " +
                           voxelText(i, j, k));
          segment = lookup.find(static_cast<std::uint64_t>(value));
          if (segment < 0)
            throwInput(image.path, "",
                       "label " + std::to_string(static_cast<unsigned long long>(value)) + " (first at voxel " +
                           voxelText(i, j, k) + ") is not described in segmentAttributes[" + std::to_string(file) +
                           "] of the metadata");
          lastValue = value;
          lastSegment = segment;
        }
        acc.add(segment, static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(j));
      }
    }
    acc.finishSlice(static_cast<std::uint32_t>(k), segments);
  }
}

// Probability maps: each described segment is a component of the image,
// quantised to 0..255 as FRACTIONAL stores it.
template <typename T>
void scanFractions(const LabelImage& image, std::size_t file, std::vector<PlannedSegment>& segments) {
  const Volume& v = image.volume;
  const Grid& g = v.grid;
  const T* data = v.samples<T>();
  const std::size_t cols = g.columns(), rows = g.rows(), voxels = g.voxels();
  for (std::size_t s = 0; s < segments.size(); ++s) {
    PlannedSegment& seg = segments[s];
    if (seg.file != file) continue;
    const std::size_t c = seg.label - 1;
    ExtentAccumulator acc(1);
    std::vector<PlannedSegment> one(1);
    for (std::size_t k = 0; k < g.slices(); ++k) {
      for (std::size_t j = 0; j < rows; ++j) {
        for (std::size_t i = 0; i < cols; ++i) {
          const std::size_t voxel = (k * rows + j) * cols + i;
          const double p = static_cast<double>(v.planar ? data[c * voxels + voxel] : data[voxel * v.components + c]);
          if (!(p >= -1e-6 && p <= 1.0 + 1e-6))
            throwInput(image.path, "",
                       "value " + std::to_string(p) + " at voxel " + voxelText(i, j, k) +
                           (v.components > 1 ? " of component " + std::to_string(c + 1) : std::string()) +
                           " is outside [0, 1]");
          if (std::lround(std::clamp(p, 0.0, 1.0) * 255.0) == 0) continue;
          acc.add(0, static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(j));
        }
      }
      acc.finishSlice(static_cast<std::uint32_t>(k), one);
    }
    seg.extents = std::move(one[0].extents);
    seg.voxels = one[0].voxels;
  }
}

// ---------------------------------------------------------------------------
// Frame positions: one dimension index value per distinct plane position.

class PositionIndex {
 public:
  PositionIndex(const std::vector<LabelImage>& images) : images_(images) {
    normal_ = images.front().volume.grid.normal();
    tolerance_ = 1e-3 * images.front().volume.grid.spacing[2];
  }
  void use(std::size_t file, std::size_t slice) { used_.push_back({file, slice}); }
  // Assigns ordinals; returns the number of distinct positions.
  std::size_t finish() {
    struct Entry {
      double along;
      Vec3 position;
      std::size_t file, slice;
    };
    std::vector<Entry> entries;
    for (const auto& [file, slice] : used_) {
      const Vec3 p = images_[file].volume.grid.slicePosition(slice);
      entries.push_back({dot(normal_, p), p, file, slice});
    }
    std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
      if (a.along != b.along) return a.along < b.along;
      return a.position < b.position;
    });
    std::size_t ordinal = 0;
    const Entry* previous = nullptr;
    for (const auto& e : entries) {
      if (!previous || norm(e.position - previous->position) > tolerance_) ++ordinal;
      ordinals_[{e.file, e.slice}] = static_cast<std::uint32_t>(ordinal);
      previous = &e;
    }
    return ordinal;
  }
  std::uint32_t ordinal(std::size_t file, std::size_t slice) const { return ordinals_.at({file, slice}); }

 private:
  const std::vector<LabelImage>& images_;
  Vec3 normal_;
  double tolerance_;
  std::vector<std::pair<std::size_t, std::size_t>> used_;
  std::map<std::pair<std::size_t, std::size_t>, std::uint32_t> ordinals_;
};

// ---------------------------------------------------------------------------
// Overlap between input files, voxel by voxel. The files share spacing and
// orientation; their origins may differ by whole voxels (then voxels are
// compared at the shifted positions) or not (then no voxel coincides).

// Non-zero mask of slice k.
std::vector<std::uint8_t> sliceMask(const Volume& v, std::size_t k) {
  const std::size_t plane = v.grid.slicePixels();
  std::vector<std::uint8_t> mask(plane);
  dispatchPixelType(v.type, [&](auto zero) {
    using T = decltype(zero);
    const T* data = v.samples<T>() + k * plane;
    for (std::size_t p = 0; p < plane; ++p) mask[p] = data[p] != 0;
  });
  return mask;
}

std::uint64_t voxelLabel(const Volume& v, std::size_t index) {
  return dispatchPixelType(v.type, [&](auto zero) -> std::uint64_t {
    using T = decltype(zero);
    return static_cast<std::uint64_t>(v.samples<T>()[index]);
  });
}

struct OverlapHit {
  std::size_t fileA, fileB, sliceA, voxelA, voxelB;
};

enum class OverlapResult { None, Found, Unaligned };

OverlapResult findOverlap(const std::vector<LabelImage>& images, const std::vector<PlannedSegment>& segments,
                          OverlapHit& hit) {
  const std::size_t files = images.size();
  if (files < 2) return OverlapResult::None;
  std::vector<std::vector<bool>> occupied(files);
  for (std::size_t f = 0; f < files; ++f) occupied[f].assign(images[f].volume.grid.slices(), false);
  for (const auto& s : segments)
    for (const auto& e : s.extents) occupied[s.file][e.slice] = true;
  bool unaligned = false;
  for (std::size_t a = 0; a < files; ++a) {
    const Grid& ga = images[a].volume.grid;
    for (std::size_t b = a + 1; b < files; ++b) {
      const Grid& gb = images[b].volume.grid;
      // Index of b's first voxel in a's grid.
      const Vec3 shift = ga.continuousIndex(gb.origin);
      long offset[3];
      bool whole = true;
      for (int d = 0; d < 3; ++d) {
        offset[d] = std::lround(shift[d]);
        whole = whole && std::fabs(shift[d] - static_cast<double>(offset[d])) < 1e-3;
      }
      if (!whole) {
        unaligned = true;
        continue;
      }
      const long cols = static_cast<long>(ga.columns()), rows = static_cast<long>(ga.rows());
      for (std::size_t kb = 0; kb < gb.slices(); ++kb) {
        const long ka = static_cast<long>(kb) + offset[2];
        if (!occupied[b][kb] || ka < 0 || ka >= static_cast<long>(ga.slices()) || !occupied[a][ka]) continue;
        const std::vector<std::uint8_t> maskA = sliceMask(images[a].volume, static_cast<std::size_t>(ka));
        const std::vector<std::uint8_t> maskB = sliceMask(images[b].volume, kb);
        for (long jb = 0; jb < rows; ++jb) {
          const long ja = jb + offset[1];
          if (ja < 0 || ja >= rows) continue;
          for (long ib = 0; ib < cols; ++ib) {
            const long ia = ib + offset[0];
            if (ia < 0 || ia >= cols) continue;
            const std::size_t pa = static_cast<std::size_t>(ja * cols + ia), pb = static_cast<std::size_t>(jb * cols + ib);
            if (maskA[pa] && maskB[pb]) {
              hit = {a, b, static_cast<std::size_t>(ka), static_cast<std::size_t>(ka) * ga.slicePixels() + pa,
                     kb * gb.slicePixels() + pb};
              return OverlapResult::Found;
            }
          }
        }
      }
    }
  }
  return unaligned ? OverlapResult::Unaligned : OverlapResult::None;
}

// Do two probability maps have a non-zero (stored) value at one voxel? All
// inputs share one grid here.
bool fractionsOverlap(const std::vector<LabelImage>& images, const std::vector<PlannedSegment>& segments) {
  const Grid& g = images.front().volume.grid;
  const std::size_t plane = g.slicePixels(), cols = g.columns();
  std::vector<std::uint8_t> covered(plane);
  std::vector<std::vector<std::pair<const PlannedSegment*, const SliceExtent*>>> bySlice(g.slices());
  for (const auto& s : segments)
    for (const auto& e : s.extents) bySlice[e.slice].push_back({&s, &e});
  for (std::size_t k = 0; k < g.slices(); ++k) {
    if (bySlice[k].size() < 2) continue;
    std::fill(covered.begin(), covered.end(), 0);
    for (const auto& [seg, e] : bySlice[k]) {
      const Volume& v = images[seg->file].volume;
      const std::size_t c = seg->label - 1;
      for (std::size_t j = e->j0; j <= e->j1; ++j)
        for (std::size_t i = e->i0; i <= e->i1; ++i) {
          const std::size_t p = j * cols + i;
          const double value = v.sampleAsDouble(k * plane + p, c);
          if (std::lround(std::clamp(value, 0.0, 1.0) * 255.0) == 0) continue;
          if (covered[p]++) return true;
        }
    }
  }
  return false;
}

const PlannedSegment* segmentFor(const std::vector<PlannedSegment>& segments, std::size_t file, std::uint64_t label) {
  for (const auto& s : segments)
    if (s.file == file && s.label == label) return &s;
  return nullptr;
}

}  // namespace

Plan makePlan(const std::vector<LabelImage>& images, const Metadata& metadata, const WriterOptions& options,
              const std::vector<bool>* requiredSlices) {
  const std::string& metadataFile = metadata.sourceFile;
  if (images.empty()) throwUsage("no input image");
  if (metadata.segmentAttributes.size() != images.size())
    throwInput(metadataFile, "segmentAttributes",
               "lists segments for " + std::to_string(metadata.segmentAttributes.size()) +
                   " input file(s), but " + std::to_string(images.size()) + " image(s) were given");
  Plan plan;
  plan.type = options.type;
  for (const auto& image : images) {
    const Volume& v = image.volume;
    if (options.type == SegmentationType::Fractional) {
      if (isInteger(v.type))
        throwInput(image.path, "",
                   std::string("is ") + pixelTypeName(v.type) +
                       "; a fractional SEG needs a floating-point probability map with values in [0, 1]");
    } else if (v.components != 1) {
      throwInput(image.path, "",
                 "has " + std::to_string(v.components) +
                     " components; label images must be scalar (use --segmentationType fractional for one "
                     "probability map per component)");
    }
  }
  checkGrids(images, options.type);
  const Grid& first = images.front().volume.grid;
  if (first.columns() > 65535 || first.rows() > 65535)
    throwInput(images.front().path, "",
               "slices of " + std::to_string(first.columns()) + "x" + std::to_string(first.rows()) +
                   " exceed DICOM's 65535 rows or columns");
  plan.segments = numberSegments(metadata, options, metadataFile);
  if (options.type == SegmentationType::Fractional) {
    for (const auto& s : plan.segments)
      if (s.label > images[s.file].volume.components)
        throwInput(metadataFile, "segmentAttributes[" + std::to_string(s.file) + "]",
                   "labelID " + std::to_string(s.label) + " selects a component, but " + images[s.file].path +
                       " has " + std::to_string(images[s.file].volume.components));
  }

  // The one pass over the voxels.
  for (std::size_t f = 0; f < images.size(); ++f) {
    const Volume& v = images[f].volume;
    dispatchPixelType(v.type, [&](auto zero) {
      using T = decltype(zero);
      if (options.type == SegmentationType::Fractional)
        scanFractions<T>(images[f], f, plan.segments);
      else
        scanLabels<T>(images[f], f, plan.segments);
    });
  }
  for (const auto& s : plan.segments)
    if (s.voxels == 0)
      log::warning(images[s.file].path + ": segment " + std::to_string(s.number) + " (label " +
                   std::to_string(s.label) + ", \"" + s.description.effectiveLabel() +
                   "\") has no voxels; it is kept in the Segment Sequence");

  // Overlap between files (between components for probability maps).
  OverlapHit hit{};
  const OverlapResult overlap = options.type == SegmentationType::Fractional
                                    ? (fractionsOverlap(images, plan.segments) ? OverlapResult::Found : OverlapResult::None)
                                    : findOverlap(images, plan.segments, hit);
  const bool overlapping = overlap == OverlapResult::Found;
  if (options.type == SegmentationType::Labelmap && overlapping) {
    const PlannedSegment* a = segmentFor(plan.segments, hit.fileA, voxelLabel(images[hit.fileA].volume, hit.voxelA));
    const PlannedSegment* b = segmentFor(plan.segments, hit.fileB, voxelLabel(images[hit.fileB].volume, hit.voxelB));
    const Grid& g = images[hit.fileA].volume.grid;
    const std::size_t p = hit.voxelA % g.slicePixels();
    throwInput(images[hit.fileB].path, "",
               "segment " + std::to_string(b ? b->number : 0) + " (\"" + (b ? b->description.effectiveLabel() : "") +
                   "\") overlaps segment " + std::to_string(a ? a->number : 0) + " (\"" +
                   (a ? a->description.effectiveLabel() : "") + "\") of " + images[hit.fileA].path + " at slice " +
                   std::to_string(hit.sliceA) + ", voxel " + voxelText(p % g.columns(), p / g.columns(), hit.sliceA) +
                   "; a label map cannot hold overlapping segments (use --segmentationType binary)");
  }
  plan.overlap = overlapping ? SegmentsOverlap::Yes
                 : overlap == OverlapResult::Unaligned ? SegmentsOverlap::Undefined
                                                       : SegmentsOverlap::No;

  // Frames.
  PositionIndex positions(images);
  const bool anyVoxel =
      std::any_of(plan.segments.begin(), plan.segments.end(), [](const PlannedSegment& s) { return s.voxels > 0; });
  if (options.type == SegmentationType::Labelmap) {
    const Grid& g = images.front().volume.grid;
    std::vector<std::uint64_t> foreground(g.slices(), 0);
    for (const auto& s : plan.segments)
      for (const auto& e : s.extents) foreground[e.slice] += e.voxels;
    for (std::size_t k = 0; k < g.slices(); ++k) {
      const bool required = requiredSlices && k < requiredSlices->size() && (*requiredSlices)[k];
      if (options.skipEmptySlices && foreground[k] == 0 && !required) continue;
      plan.frames.push_back({0, 0, static_cast<std::uint32_t>(k), 0, nullptr});
      if (foreground[k] < g.slicePixels()) plan.labelmapBackground = true;
    }
    if (plan.frames.empty()) {
      plan.frames.push_back({0, 0, 0, 0, nullptr});
      plan.labelmapBackground = true;
    }
    std::uint16_t maxNumber = 0;
    for (const auto& s : plan.segments) maxNumber = std::max(maxNumber, s.number);
    plan.bitsAllocated = (maxNumber > 255 || options.force16Bit) ? 16 : 8;
  } else {
    for (std::size_t s = 0; s < plan.segments.size(); ++s) {
      const PlannedSegment& seg = plan.segments[s];
      if (options.skipEmptySlices) {
        for (const auto& e : seg.extents)
          plan.frames.push_back({static_cast<std::uint32_t>(s), static_cast<std::uint32_t>(seg.file), e.slice, 0, &e});
      } else {
        std::size_t next = 0;
        for (std::size_t k = 0; k < images[seg.file].volume.grid.slices(); ++k) {
          const SliceExtent* extent = nullptr;
          if (next < seg.extents.size() && seg.extents[next].slice == k) extent = &seg.extents[next++];
          plan.frames.push_back(
              {static_cast<std::uint32_t>(s), static_cast<std::uint32_t>(seg.file), static_cast<std::uint32_t>(k), 0,
               extent});
        }
      }
    }
    if (plan.frames.empty()) {
      // An all-empty input still gives a valid SEG: one empty frame of the
      // first segment on the first slice.
      plan.frames.push_back({0, static_cast<std::uint32_t>(plan.segments.front().file), 0, 0, nullptr});
    }
    plan.bitsAllocated = options.type == SegmentationType::Binary ? 1 : 8;
  }
  if (!anyVoxel) {
    plan.emptyInput = true;
    log::warning("the input holds no voxel of any segment; writing a SEG with one empty frame");
  }
  for (const auto& f : plan.frames) positions.use(f.file, f.slice);
  plan.positions = positions.finish();
  for (auto& f : plan.frames) f.position = positions.ordinal(f.file, f.slice);
  return plan;
}

}  // namespace qidcm::seg
