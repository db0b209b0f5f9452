// BINARY segmentations: one bit per pixel, one frame per segment and slice.
#include <cstring>
#include <set>

#include "qidcm/log.h"
#include "seg/input_scan.h"
#include "seg/overlap.h"
#include "seg/segmentation_type.h"
#include "seg/unpack.h"

namespace qidcm::seg {
namespace {

// Sets, in `bits` (from bit `offset`), the pixels of slice `k` inside
// `extent` whose label equals `label`.
template <typename T>
void packSlice(const Volume& v, std::size_t k, const SliceExtent& e, std::uint64_t label, std::size_t offset,
               std::uint8_t* bits) {
  const std::size_t cols = v.grid.columns(), rows = v.grid.rows();
  const T* data = v.samples<T>() + k * rows * cols;
  const T wanted = static_cast<T>(label);
  for (std::size_t j = e.j0; j <= e.j1; ++j) {
    const T* row = data + j * cols;
    const std::size_t rowBit = offset + j * cols;
    for (std::size_t i = e.i0; i <= e.i1; ++i) {
      if (row[i] == wanted) {
        const std::size_t bit = rowBit + i;
        bits[bit >> 3] |= static_cast<std::uint8_t>(1u << (bit & 7));
      }
    }
  }
}

class BinaryPacker : public FramePacker {
 public:
  BinaryPacker(const Plan& plan, const std::vector<LabelImage>& images) : plan_(plan), images_(images) {
    frameBits_ = images.front().volume.grid.slicePixels();
  }
  std::uint64_t pixelDataLength() const override {
    return (static_cast<std::uint64_t>(frameBits_) * plan_.frames.size() + 7) / 8;
  }
  void encode(dicom::ByteSink& sink) const override {
    std::vector<std::uint8_t> buffer(frameBits_ / 8 + 2);
    std::uint8_t carry = 0;     // bits of the previous frame not yet written
    std::size_t carryBits = 0;  // how many (0..7)
    for (const PlannedFrame& frame : plan_.frames) {
      const std::size_t totalBits = carryBits + frameBits_;
      std::memset(buffer.data(), 0, (totalBits + 7) / 8);
      buffer[0] = carry;
      pack(frame, carryBits, buffer.data());
      const std::size_t full = totalBits / 8;
      sink.write(buffer.data(), full);
      carryBits = totalBits % 8;
      carry = carryBits ? buffer[full] : 0;
    }
    if (carryBits) sink.write(&carry, 1);
  }
  void frame(std::size_t index, std::vector<std::uint8_t>& out) const override {
    pack(plan_.frames.at(index), 0, out.data());
  }

 private:
  void pack(const PlannedFrame& frame, std::size_t offset, std::uint8_t* bits) const {
    if (!frame.extent) return;
    const PlannedSegment& seg = plan_.segments[frame.segment];
    const Volume& v = images_[seg.file].volume;
    dispatchPixelType(v.type, [&](auto zero) {
      packSlice<decltype(zero)>(v, frame.slice, *frame.extent, seg.label, offset, bits);
    });
  }

  const Plan& plan_;
  const std::vector<LabelImage>& images_;
  std::size_t frameBits_;
};

// Reading: output images share one buffer; after each, only the slices
// painted are cleared, so per-segment output costs little beyond writing it.
class BinaryUnpacker {
 public:
  BinaryUnpacker(const SegmentationFile& seg, const EmitImage& emit) : seg_(seg), emit_(emit) {
    const std::uint16_t highest = seg.segments().empty() ? 0 : seg.segments().rbegin()->first;
    // The narrowest type that holds every Segment Number (dcmqi writes signed
    // 16-bit whatever the numbers): half the memory and output for <= 255 segments.
    type_ = highest > 255 ? PixelType::UInt16 : PixelType::UInt8;
    volume_ = emptyVolume(seg.grid(), type_, seg.path());
    for (std::size_t f = 0; f < seg.frames().size(); ++f) {
      const std::uint16_t number = seg.frames()[f].segment;
      if (number >= framesBySegment_.size()) framesBySegment_.resize(number + 1u);
      framesBySegment_[number].push_back(f);
    }
  }

  void run(bool merge) {
    std::vector<std::uint16_t> numbers;
    for (const auto& [number, s] : seg_.segments()) numbers.push_back(number);
    if (merge && seg_.declaredOverlap() == SegmentsOverlap::No) {
      // The file says no two segments overlap: one image, one pass over the
      // frames, checked while painting.
      if (paint(numbers, true)) {
        emit(numbers);
        return;
      }
      log::warning(seg_.path() + ": Segments Overlap is NO, but segments overlap; grouping them by their voxels");
      clear();
    }
    std::vector<std::vector<std::uint16_t>> groups;
    if (merge)
      groups = groupSegments(numbers, overlappingSegments(seg_));
    else
      for (std::uint16_t n : numbers) groups.push_back({n});
    for (const auto& group : groups) {
      paint(group, false);
      emit(group);
      clear();
    }
  }

 private:
  // Paints a group; false when `detect` finds two segments on one voxel.
  bool paint(const std::vector<std::uint16_t>& group, bool detect) {
    bool collision = false;
    for (std::uint16_t number : group)
      if (number < framesBySegment_.size())
        for (std::size_t f : framesBySegment_[number]) {
          dispatchPixelType(type_, [&](auto zero) {
            using T = decltype(zero);
            collision |= paintBits<T>(seg_, f, static_cast<T>(number), volume_, detect);
          });
          painted_.insert(seg_.frames()[f].slice);
        }
    return !collision;
  }
  void clear() {
    const std::size_t plane = seg_.grid().slicePixels() * bytesPerSample(type_);
    for (std::size_t k : painted_) std::memset(volume_.buffer.data() + k * plane, 0, plane);
    painted_.clear();
  }
  void emit(const std::vector<std::uint16_t>& group) {
    std::vector<SegmentDescription> list;
    for (std::uint16_t number : group) list.push_back(describeSegment(seg_, number));
    emit_(volume_, std::move(list));
  }

  const SegmentationFile& seg_;
  const EmitImage& emit_;
  PixelType type_;
  Volume volume_;
  std::vector<std::vector<std::size_t>> framesBySegment_;
  std::set<std::size_t> painted_;
};

class BinaryStrategy : public TypeStrategy {
 public:
  SegmentationType type() const override { return SegmentationType::Binary; }
  void checkCompression(Compression compression) const override {
    requireAllowed(compression, {1, false}, "a BINARY SEG (single-bit frames)");
  }
  void validateImages(const std::vector<LabelImage>& images) const override {
    requireScalar(images);
    requireStackableGrids(images);
  }
  bool contiguousNumbers() const override { return true; }
  void scan(const LabelImage& image, std::size_t file, std::vector<PlannedSegment>& segments) const override {
    scanLabelImage(image, file, segments);
  }
  SegmentsOverlap overlap(const std::vector<LabelImage>& images,
                          const std::vector<PlannedSegment>& segments) const override {
    OverlapHit hit;
    switch (findFileOverlap(images, segments, hit)) {
      case OverlapResult::Found: return SegmentsOverlap::Yes;
      case OverlapResult::Unaligned: return SegmentsOverlap::Undefined;
      case OverlapResult::None: break;
    }
    return SegmentsOverlap::No;
  }
  void layoutFrames(Plan& plan, const std::vector<LabelImage>& images, const WriterOptions& options,
                    const std::vector<bool>*) const override {
    layoutSegmentFrames(plan, images, options.skipEmptySlices);
    plan.bitsAllocated = 1;
  }
  std::unique_ptr<FramePacker> packer(const Plan& plan, const std::vector<LabelImage>& images) const override {
    return std::make_unique<BinaryPacker>(plan, images);
  }
  void unpack(const SegmentationFile& seg, const ReaderOptions& options, const EmitImage& emit) const override {
    BinaryUnpacker(seg, emit).run(options.mergeSegments);
  }
};

}  // namespace

const TypeStrategy& binaryStrategy() {
  static const BinaryStrategy strategy;
  return strategy;
}

}  // namespace qidcm::seg
