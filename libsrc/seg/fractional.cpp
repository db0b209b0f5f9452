// FRACTIONAL segmentations: each segment a probability map (one component of
// a floating-point image), stored as 0..255 in one frame per segment and slice.
#include <algorithm>
#include <cmath>

#include "qidcm/error.h"
#include "qidcm/log.h"
#include "seg/input_scan.h"
#include "seg/overlap.h"
#include "seg/segmentation_type.h"
#include "seg/unpack.h"

namespace qidcm::seg {
namespace {

// The stored fraction of a probability: 0..255 (the Maximum Fractional Value qidcm writes).
std::uint8_t storedFraction(double p) {
  return static_cast<std::uint8_t>(std::lround(std::clamp(p, 0.0, 1.0) * 255.0));
}

// Component `c` of a probability map: its first value and the distance
// between voxels (planar or interleaved components).
template <typename T>
std::pair<const T*, std::size_t> component(const Volume& v, std::size_t c) {
  const T* data = v.samples<T>();
  if (v.planar) return {data + c * v.grid.voxels(), 1};
  return {data + c, v.components};
}

// One segment (component label - 1 of the image): values in [0, 1], extents
// where the stored fraction is not 0.
template <typename T>
void scanComponent(const LabelImage& image, PlannedSegment& seg) {
  const Volume& v = image.volume;
  const Grid& g = v.grid;
  const std::size_t cols = g.columns(), rows = g.rows(), c = seg.label - 1;
  const auto [data, stride] = component<T>(v, c);
  ExtentAccumulator acc(1);
  std::vector<PlannedSegment> one(1);
  for (std::size_t k = 0; k < g.slices(); ++k) {
    for (std::size_t j = 0; j < rows; ++j) {
      const T* row = data + (k * rows + j) * cols * stride;
      for (std::size_t i = 0; i < cols; ++i) {
        const double p = static_cast<double>(row[i * stride]);
        if (!(p >= -1e-6 && p <= 1.0 + 1e-6))
          throwInput(image.path, "",
                     "value " + std::to_string(p) + " at voxel " + voxelText(i, j, k) +
                         (v.components > 1 ? " of component " + std::to_string(c + 1) : std::string()) +
                         " is outside [0, 1]");
        if (storedFraction(p) != 0) acc.add(0, static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(j));
      }
    }
    acc.finishSlice(static_cast<std::uint32_t>(k), one);
  }
  seg.extents = std::move(one[0].extents);
  seg.voxels = one[0].voxels;
}

class FractionalPacker : public FramePacker {
 public:
  FractionalPacker(const Plan& plan, const std::vector<LabelImage>& images) : plan_(plan), images_(images) {
    pixels_ = images.front().volume.grid.slicePixels();
  }
  std::uint64_t pixelDataLength() const override {
    return static_cast<std::uint64_t>(pixels_) * plan_.frames.size();
  }
  void encode(dicom::ByteSink& sink) const override {
    std::vector<std::uint8_t> bytes(pixels_);
    for (const PlannedFrame& f : plan_.frames) {
      std::fill(bytes.begin(), bytes.end(), 0);
      pack(f, bytes.data());
      sink.write(bytes.data(), bytes.size());
    }
  }
  void frame(std::size_t index, std::vector<std::uint8_t>& out) const override {
    pack(plan_.frames.at(index), out.data());
  }

 private:
  void pack(const PlannedFrame& f, std::uint8_t* bytes) const {
    if (!f.extent) return;
    const PlannedSegment& seg = plan_.segments[f.segment];
    const Volume& v = images_[seg.file].volume;
    const std::size_t c = seg.label - 1, cols = v.grid.columns();
    dispatchPixelType(v.type, [&](auto zero) {
      const auto [data, stride] = component<decltype(zero)>(v, c);
      for (std::size_t j = f.extent->j0; j <= f.extent->j1; ++j)
        for (std::size_t i = f.extent->i0; i <= f.extent->i1; ++i)
          bytes[j * cols + i] = storedFraction(static_cast<double>(data[(f.slice * pixels_ + j * cols + i) * stride]));
    });
  }

  const Plan& plan_;
  const std::vector<LabelImage>& images_;
  std::size_t pixels_;
};

class FractionalStrategy : public TypeStrategy {
 public:
  SegmentationType type() const override { return SegmentationType::Fractional; }
  void checkCompression(Compression compression) const override {
    requireAllowed(compression, {8, false}, "a FRACTIONAL SEG");
  }
  void validateImages(const std::vector<LabelImage>& images) const override {
    for (const auto& image : images)
      if (isInteger(image.volume.type))
        throwInput(image.path, "",
                   std::string("is ") + pixelTypeName(image.volume.type) +
                       "; a fractional SEG needs a floating-point probability map with values in [0, 1]");
    requireOneGrid(images, type());
  }
  bool contiguousNumbers() const override { return true; }
  void validateSegments(const std::vector<LabelImage>& images, const std::vector<PlannedSegment>& segments,
                        const std::string& metadataFile) const override {
    for (const auto& s : segments)
      if (s.label > images[s.file].volume.components)
        throwInput(metadataFile, "segmentAttributes[" + std::to_string(s.file) + "]",
                   "labelID " + std::to_string(s.label) + " selects a component, but " + images[s.file].path +
                       " has " + std::to_string(images[s.file].volume.components));
  }
  void scan(const LabelImage& image, std::size_t file, std::vector<PlannedSegment>& segments) const override {
    for (auto& seg : segments)
      if (seg.file == file)
        dispatchPixelType(image.volume.type, [&](auto zero) { scanComponent<decltype(zero)>(image, seg); });
  }
  SegmentsOverlap overlap(const std::vector<LabelImage>& images,
                          const std::vector<PlannedSegment>& segments) const override {
    return fractionsOverlap(images, segments) ? SegmentsOverlap::Yes : SegmentsOverlap::No;
  }
  void layoutFrames(Plan& plan, const std::vector<LabelImage>& images, const WriterOptions& options,
                    const std::vector<bool>*) const override {
    layoutSegmentFrames(plan, images, options.skipEmptySlices);
    plan.bitsAllocated = 8;
  }
  std::unique_ptr<FramePacker> packer(const Plan& plan, const std::vector<LabelImage>& images) const override {
    return std::make_unique<FractionalPacker>(plan, images);
  }
  // One image per segment: the stored fractions as Int16, or value / Maximum
  // Fractional Value as Float32 (fractionalAsProbability).
  void unpack(const SegmentationFile& seg, const ReaderOptions& options, const EmitImage& emit) const override {
    if (options.mergeSegments)
      log::warning(seg.path() + ": segments of a FRACTIONAL SEG are not merged (--mergeSegments); one image per segment");
    const double scale = 1.0 / seg.maximumFractionalValue();
    const PixelType type = options.fractionalAsProbability ? PixelType::Float32 : PixelType::Int16;
    for (const auto& [number, s] : seg.segments()) {
      Volume v = emptyVolume(seg.grid(), type, seg.path());
      for (std::size_t f = 0; f < seg.frames().size(); ++f) {
        if (seg.frames()[f].segment != number) continue;
        if (options.fractionalAsProbability)
          paintSamples<float>(seg, f, v, [&](float& out, unsigned stored) {
            if (stored) out = static_cast<float>(std::min(1.0, stored * scale));
          });
        else
          paintSamples<std::int16_t>(seg, f, v, [&](std::int16_t& out, unsigned stored) {
            if (stored) out = static_cast<std::int16_t>(std::min(stored, 32767u));
          });
      }
      emit(v, {describeSegment(seg, number)});
    }
  }
};

}  // namespace

const TypeStrategy& fractionalStrategy() {
  static const FractionalStrategy strategy;
  return strategy;
}

}  // namespace qidcm::seg
