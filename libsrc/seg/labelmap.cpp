// LABELMAP segmentations (Label Map Segmentation Storage): one frame per
// slice holding Segment Numbers in 8 or 16 bits; segments cannot overlap.
#include <algorithm>
#include <set>

#include "qidcm/codes.h"
#include "qidcm/error.h"
#include "qidcm/log.h"
#include "seg/input_scan.h"
#include "seg/overlap.h"
#include "seg/segmentation_type.h"
#include "seg/unpack.h"

namespace qidcm::seg {
namespace {

std::uint64_t voxelLabel(const Volume& v, std::size_t index) {
  return dispatchPixelType(v.type, [&](auto zero) -> std::uint64_t {
    using T = decltype(zero);
    return static_cast<std::uint64_t>(v.samples<T>()[index]);
  });
}

const PlannedSegment* segmentFor(const std::vector<PlannedSegment>& segments, std::size_t file, std::uint64_t label) {
  for (const auto& s : segments)
    if (s.file == file && s.label == label) return &s;
  return nullptr;
}

[[noreturn]] void throwOverlap(const std::vector<LabelImage>& images, const std::vector<PlannedSegment>& segments,
                               const OverlapHit& hit) {
  const PlannedSegment* a = segmentFor(segments, hit.fileA, voxelLabel(images[hit.fileA].volume, hit.voxelA));
  const PlannedSegment* b = segmentFor(segments, hit.fileB, voxelLabel(images[hit.fileB].volume, hit.voxelB));
  const Grid& g = images[hit.fileA].volume.grid;
  const std::size_t p = hit.voxelA % g.slicePixels();
  throwInput(images[hit.fileB].path, "",
             "segment " + std::to_string(b ? b->number : 0) + " (\"" + (b ? b->description.effectiveLabel() : "") +
                 "\") overlaps segment " + std::to_string(a ? a->number : 0) + " (\"" +
                 (a ? a->description.effectiveLabel() : "") + "\") of " + images[hit.fileA].path + " at slice " +
                 std::to_string(hit.sliceA) + ", voxel " + voxelText(p % g.columns(), p / g.columns(), hit.sliceA) +
                 "; a label map cannot hold overlapping segments (use --segmentationType binary)");
}

class LabelmapPacker : public FramePacker {
 public:
  LabelmapPacker(const Plan& plan, const std::vector<LabelImage>& images) : plan_(plan), images_(images) {
    const Grid& g = images.front().volume.grid;
    pixels_ = g.slicePixels();
    columns_ = g.columns();
    bySlice_.resize(g.slices());
    for (const auto& s : plan.segments)
      for (const auto& e : s.extents) bySlice_[e.slice].push_back({&s, &e});
  }
  std::uint64_t pixelDataLength() const override {
    return static_cast<std::uint64_t>(pixels_) * plan_.frames.size() * (plan_.bitsAllocated / 8);
  }
  void encode(dicom::ByteSink& sink) const override {
    std::vector<std::uint16_t> frame(pixels_);
    std::vector<std::uint8_t> bytes(pixels_ * (plan_.bitsAllocated / 8));
    for (const PlannedFrame& f : plan_.frames) {
      labels(f, frame);
      toBytes(frame, bytes.data());
      sink.write(bytes.data(), bytes.size());
    }
  }
  void frame(std::size_t index, std::vector<std::uint8_t>& out) const override {
    std::vector<std::uint16_t> frame(pixels_);
    labels(plan_.frames.at(index), frame);
    toBytes(frame, out.data());
  }

 private:
  // The Segment Numbers of frame `f`'s slice (0 where no segment is).
  void labels(const PlannedFrame& f, std::vector<std::uint16_t>& frame) const {
    std::fill(frame.begin(), frame.end(), 0);
    for (const auto& [seg, e] : bySlice_[f.slice]) {
      const Volume& v = images_[seg->file].volume;
      dispatchPixelType(v.type, [&, seg = seg, e = e](auto zero) {
        using T = decltype(zero);
        const T* data = v.samples<T>() + static_cast<std::size_t>(f.slice) * pixels_;
        const T wanted = static_cast<T>(seg->label);
        for (std::size_t j = e->j0; j <= e->j1; ++j)
          for (std::size_t i = e->i0; i <= e->i1; ++i)
            if (data[j * columns_ + i] == wanted) frame[j * columns_ + i] = seg->number;
      });
    }
  }
  void toBytes(const std::vector<std::uint16_t>& frame, std::uint8_t* bytes) const {
    if (plan_.bitsAllocated == 16) {
      for (std::size_t p = 0; p < frame.size(); ++p) {
        bytes[2 * p] = static_cast<std::uint8_t>(frame[p] & 0xff);
        bytes[2 * p + 1] = static_cast<std::uint8_t>(frame[p] >> 8);
      }
    } else {
      for (std::size_t p = 0; p < frame.size(); ++p) bytes[p] = static_cast<std::uint8_t>(frame[p]);
    }
  }

  const Plan& plan_;
  const std::vector<LabelImage>& images_;
  std::size_t pixels_, columns_;
  // For each slice, the segments present and where.
  std::vector<std::vector<std::pair<const PlannedSegment*, const SliceExtent*>>> bySlice_;
};

// The value slices without a frame take: the Pixel Padding Value when it fits.
std::uint16_t backgroundFill(const SegmentationFile& seg, std::uint16_t maxValue) {
  const std::optional<std::uint16_t> padding = seg.paddingValue();
  if (padding && *padding <= maxValue) return *padding;
  if (padding)
    log::warning(seg.path() + ": Pixel Padding Value " + std::to_string(*padding) + " does not fit " +
                 std::to_string(seg.bitsAllocated()) + "-bit pixels; slices without a frame are 0");
  else if (seg.segments().count(0))
    log::warning(seg.path() + ": no Pixel Padding Value designates the background, and segment 0 exists; slices "
                 "without a frame are 0");
  return 0;
}

// Reading: one image holding the stored values; values no segment describes are warned about.
void unpackLabelmap(const SegmentationFile& seg, const EmitImage& emit) {
  const Grid& grid = seg.grid();
  const PixelType type = seg.bitsAllocated() == 16 ? PixelType::UInt16 : PixelType::UInt8;
  const std::uint16_t maxValue = type == PixelType::UInt8 ? 255 : 65535;
  const std::optional<std::uint16_t> padding = seg.paddingValue();
  Volume v = emptyVolume(grid, type, seg.path());
  const std::uint16_t fill = backgroundFill(seg, maxValue);
  std::vector<bool> covered(grid.slices(), false);
  for (const auto& f : seg.frames()) covered[f.slice] = true;
  // Values described by a segment (or the padding value): a table, not a map lookup per voxel.
  std::vector<std::uint8_t> described(static_cast<std::size_t>(maxValue) + 1, 0), seen(65536, 0);
  for (const auto& [number, s] : seg.segments())
    if (number <= maxValue) described[number] = 1;
  if (padding && *padding <= maxValue) described[*padding] = 1;
  dispatchPixelType(type, [&](auto zero) {
    using T = decltype(zero);
    if (fill != 0)
      for (std::size_t k = 0; k < grid.slices(); ++k)
        if (!covered[k]) std::fill_n(v.samples<T>() + k * grid.slicePixels(), grid.slicePixels(), static_cast<T>(fill));
    for (std::size_t f = 0; f < seg.frames().size(); ++f)
      paintSamples<T>(seg, f, v, [&](T& out, unsigned stored) {
        out = static_cast<T>(stored);
        seen[stored & 0xffffu] = 1;
      });
  });
  for (unsigned value = 0; value < seen.size(); ++value)
    if (seen[value] && (value > maxValue || !described[value])) {
      log::warning(seg.path() + ": pixel value " + std::to_string(value) + " is not described in the Segment Sequence");
      break;
    }
  std::vector<SegmentDescription> list;
  for (const auto& [number, s] : seg.segments()) {
    if (padding && number == *padding) continue;  // the designated background
    if (s.type == codes::backgroundType())
      log::warning(seg.path() + ": segment " + std::to_string(number) +
                   " is typed Background but not designated by Pixel Padding Value; it is kept");
    list.push_back(describeSegment(seg, number));
  }
  emit(v, std::move(list));
}

class LabelmapStrategy : public TypeStrategy {
 public:
  SegmentationType type() const override { return SegmentationType::Labelmap; }
  void checkCompression(Compression compression) const override {
    requireAllowed(compression, {8, false}, "a LABELMAP SEG");
  }
  void validateImages(const std::vector<LabelImage>& images) const override {
    requireScalar(images);
    requireOneGrid(images, type());
  }
  // Label map Segment Numbers may have gaps.
  bool contiguousNumbers() const override { return false; }
  void scan(const LabelImage& image, std::size_t file, std::vector<PlannedSegment>& segments) const override {
    scanLabelImage(image, file, segments);
  }
  SegmentsOverlap overlap(const std::vector<LabelImage>& images,
                          const std::vector<PlannedSegment>& segments) const override {
    OverlapHit hit;
    const OverlapResult result = findFileOverlap(images, segments, hit);
    if (result == OverlapResult::Found) throwOverlap(images, segments, hit);
    return result == OverlapResult::Unaligned ? SegmentsOverlap::Undefined : SegmentsOverlap::No;
  }
  // One frame per slice (per slice with a voxel with skipEmptySlices, plus
  // the `requiredSlices`); 16 bits when a Segment Number exceeds 255.
  void layoutFrames(Plan& plan, const std::vector<LabelImage>& images, const WriterOptions& options,
                    const std::vector<bool>* requiredSlices) const override {
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
  }
  std::unique_ptr<FramePacker> packer(const Plan& plan, const std::vector<LabelImage>& images) const override {
    return std::make_unique<LabelmapPacker>(plan, images);
  }
  void unpack(const SegmentationFile& seg, const ReaderOptions&, const EmitImage& emit) const override {
    unpackLabelmap(seg, emit);
  }
};

}  // namespace

const TypeStrategy& labelmapStrategy() {
  static const LabelmapStrategy strategy;
  return strategy;
}

}  // namespace qidcm::seg
