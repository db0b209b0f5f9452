#include "seg/plan.h"

#include <algorithm>
#include <map>

#include "qidcm/error.h"
#include "qidcm/log.h"
#include "seg/segmentation_type.h"

namespace qidcm::seg {
namespace {

std::string attributesPath(std::size_t file, std::size_t index) {
  return "segmentAttributes[" + std::to_string(file) + "][" + std::to_string(index) + "]";
}

// ---------------------------------------------------------------------------
// Segment numbering.

struct SegmentSlot {
  std::size_t file;
  std::size_t index;  // in segmentAttributes[file]
  std::uint64_t label;
};

std::vector<PlannedSegment> numberSegments(const Metadata& metadata, const WriterOptions& options, bool contiguous,
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
  if (options.useLabelIDAsSegmentNumber && contiguous) {
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

}  // namespace

void layoutSegmentFrames(Plan& plan, const std::vector<LabelImage>& images, bool skipEmptySlices) {
  for (std::size_t s = 0; s < plan.segments.size(); ++s) {
    const PlannedSegment& seg = plan.segments[s];
    const auto index = static_cast<std::uint32_t>(s), file = static_cast<std::uint32_t>(seg.file);
    if (skipEmptySlices) {
      for (const auto& e : seg.extents) plan.frames.push_back({index, file, e.slice, 0, &e});
      continue;
    }
    std::size_t next = 0;
    for (std::size_t k = 0; k < images[seg.file].volume.grid.slices(); ++k) {
      const SliceExtent* extent = nullptr;
      if (next < seg.extents.size() && seg.extents[next].slice == k) extent = &seg.extents[next++];
      plan.frames.push_back({index, file, static_cast<std::uint32_t>(k), 0, extent});
    }
  }
  if (plan.frames.empty()) {
    // An all-empty input still gives a valid SEG: one empty frame of the
    // first segment on the first slice.
    plan.frames.push_back({0, static_cast<std::uint32_t>(plan.segments.front().file), 0, 0, nullptr});
  }
}

Plan makePlan(const std::vector<LabelImage>& images, const Metadata& metadata, const WriterOptions& options,
              const std::vector<bool>* requiredSlices) {
  const std::string& metadataFile = metadata.sourceFile;
  if (images.empty()) throwUsage("no input image");
  if (metadata.segmentAttributes.size() != images.size())
    throwInput(metadataFile, "segmentAttributes",
               "lists segments for " + std::to_string(metadata.segmentAttributes.size()) +
                   " input file(s), but " + std::to_string(images.size()) + " image(s) were given");
  const TypeStrategy& strategy = strategyFor(options.type);
  strategy.validateImages(images);
  const Grid& first = images.front().volume.grid;
  if (first.columns() > 65535 || first.rows() > 65535)
    throwInput(images.front().path, "",
               "slices of " + std::to_string(first.columns()) + "x" + std::to_string(first.rows()) +
                   " exceed DICOM's 65535 rows or columns");
  Plan plan;
  plan.type = options.type;
  plan.segments = numberSegments(metadata, options, strategy.contiguousNumbers(), metadataFile);
  strategy.validateSegments(images, plan.segments, metadataFile);

  // The one pass over the voxels.
  for (std::size_t f = 0; f < images.size(); ++f) strategy.scan(images[f], f, plan.segments);
  for (const auto& s : plan.segments)
    if (s.voxels == 0)
      log::warning(images[s.file].path + ": segment " + std::to_string(s.number) + " (label " +
                   std::to_string(s.label) + ", \"" + s.description.effectiveLabel() +
                   "\") has no voxels; it is kept in the Segment Sequence");
  plan.overlap = strategy.overlap(images, plan.segments);

  strategy.layoutFrames(plan, images, options, requiredSlices);
  if (std::none_of(plan.segments.begin(), plan.segments.end(), [](const PlannedSegment& s) { return s.voxels > 0; })) {
    plan.emptyInput = true;
    log::warning("the input holds no voxel of any segment; writing a SEG with one empty frame");
  }
  PositionIndex positions(images);
  for (const auto& f : plan.frames) positions.use(f.file, f.slice);
  plan.positions = positions.finish();
  for (auto& f : plan.frames) f.position = positions.ordinal(f.file, f.slice);
  return plan;
}

}  // namespace qidcm::seg
