#include "seg/frame_encoder.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace qidcm::seg {

FrameEncoder::FrameEncoder(const Plan& plan, const std::vector<LabelImage>& images)
    : plan_(plan), images_(images) {
  const Grid& g = images.front().volume.grid;
  rows_ = g.rows();
  columns_ = g.columns();
  if (plan.type == SegmentationType::Labelmap) {
    bySlice_.resize(g.slices());
    for (const auto& s : plan.segments)
      for (const auto& e : s.extents) bySlice_[e.slice].push_back({&s, &e});
  }
}

std::uint64_t FrameEncoder::pixelDataLength() const {
  const std::uint64_t pixels = static_cast<std::uint64_t>(rows_) * columns_ * plan_.frames.size();
  switch (plan_.type) {
    case SegmentationType::Binary: return (pixels + 7) / 8;
    case SegmentationType::Fractional: return pixels;
    case SegmentationType::Labelmap: return pixels * (plan_.bitsAllocated / 8);
  }
  return 0;
}

void FrameEncoder::encode(dicom::ByteSink& sink) const {
  switch (plan_.type) {
    case SegmentationType::Binary: encodeBinary(sink); break;
    case SegmentationType::Labelmap: encodeLabelmap(sink); break;
    case SegmentationType::Fractional: encodeFractional(sink); break;
  }
}

namespace {

// Sets, in `bits` (starting at bit `offset`), the pixels of slice `k` inside
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

}  // namespace

void FrameEncoder::encodeBinary(dicom::ByteSink& sink) const {
  const std::size_t frameBits = rows_ * columns_;
  std::vector<std::uint8_t> buffer(frameBits / 8 + 2);
  std::uint8_t carry = 0;     // bits of the previous frame not yet written
  std::size_t carryBits = 0;  // how many (0..7)
  for (const PlannedFrame& frame : plan_.frames) {
    const std::size_t totalBits = carryBits + frameBits;
    const std::size_t bytes = (totalBits + 7) / 8;
    std::memset(buffer.data(), 0, bytes);
    buffer[0] = carry;
    if (frame.extent) {
      const PlannedSegment& seg = plan_.segments[frame.segment];
      const Volume& v = images_[seg.file].volume;
      dispatchPixelType(v.type, [&](auto zero) {
        packSlice<decltype(zero)>(v, frame.slice, *frame.extent, seg.label, carryBits, buffer.data());
      });
    }
    const std::size_t full = totalBits / 8;
    sink.write(buffer.data(), full);
    carryBits = totalBits % 8;
    carry = carryBits ? buffer[full] : 0;
  }
  if (carryBits) sink.write(&carry, 1);
}

void FrameEncoder::labelmapFrame(const PlannedFrame& f, std::vector<std::uint16_t>& frame) const {
  const std::size_t pixels = rows_ * columns_;
  std::fill(frame.begin(), frame.end(), 0);
  for (const auto& entry : bySlice_[f.slice]) {
    const PlannedSegment* seg = entry.first;
    const SliceExtent* e = entry.second;
    const Volume& v = images_[seg->file].volume;
    dispatchPixelType(v.type, [&](auto zero) {
      using T = decltype(zero);
      const T* data = v.samples<T>() + static_cast<std::size_t>(f.slice) * pixels;
      const T wanted = static_cast<T>(seg->label);
      for (std::size_t j = e->j0; j <= e->j1; ++j)
        for (std::size_t i = e->i0; i <= e->i1; ++i)
          if (data[j * columns_ + i] == wanted) frame[j * columns_ + i] = seg->number;
    });
  }
}

namespace {
void labelBytes(const std::vector<std::uint16_t>& frame, bool wide, std::uint8_t* bytes) {
  if (wide) {
    for (std::size_t p = 0; p < frame.size(); ++p) {
      bytes[2 * p] = static_cast<std::uint8_t>(frame[p] & 0xff);
      bytes[2 * p + 1] = static_cast<std::uint8_t>(frame[p] >> 8);
    }
  } else {
    for (std::size_t p = 0; p < frame.size(); ++p) bytes[p] = static_cast<std::uint8_t>(frame[p]);
  }
}
}  // namespace

void FrameEncoder::encodeLabelmap(dicom::ByteSink& sink) const {
  const std::size_t pixels = rows_ * columns_;
  const bool wide = plan_.bitsAllocated == 16;
  std::vector<std::uint16_t> frame(pixels);
  std::vector<std::uint8_t> bytes(pixels * (wide ? 2 : 1));
  for (const PlannedFrame& f : plan_.frames) {
    labelmapFrame(f, frame);
    labelBytes(frame, wide, bytes.data());
    sink.write(bytes.data(), bytes.size());
  }
}

void FrameEncoder::fractionalFrame(const PlannedFrame& f, std::uint8_t* bytes) const {
  const std::size_t pixels = rows_ * columns_;
  std::fill(bytes, bytes + pixels, 0);
  if (!f.extent) return;
  const PlannedSegment& seg = plan_.segments[f.segment];
  const Volume& v = images_[seg.file].volume;
  const std::size_t c = seg.label - 1;
  const std::size_t voxels = v.grid.voxels();
  dispatchPixelType(v.type, [&](auto zero) {
    using T = decltype(zero);
    const T* data = v.samples<T>();
    for (std::size_t j = f.extent->j0; j <= f.extent->j1; ++j)
      for (std::size_t i = f.extent->i0; i <= f.extent->i1; ++i) {
        const std::size_t voxel = static_cast<std::size_t>(f.slice) * pixels + j * columns_ + i;
        const double p = static_cast<double>(v.planar ? data[c * voxels + voxel] : data[voxel * v.components + c]);
        bytes[j * columns_ + i] = static_cast<std::uint8_t>(std::lround(std::clamp(p, 0.0, 1.0) * 255.0));
      }
  });
}

void FrameEncoder::encodeFractional(dicom::ByteSink& sink) const {
  std::vector<std::uint8_t> bytes(rows_ * columns_);
  for (const PlannedFrame& f : plan_.frames) {
    fractionalFrame(f, bytes.data());
    sink.write(bytes.data(), bytes.size());
  }
}

void FrameEncoder::frame(std::size_t index, std::vector<std::uint8_t>& out) const {
  const PlannedFrame& f = plan_.frames.at(index);
  switch (plan_.type) {
    case SegmentationType::Binary:
      if (f.extent) {
        const PlannedSegment& seg = plan_.segments[f.segment];
        const Volume& v = images_[seg.file].volume;
        dispatchPixelType(v.type, [&](auto zero) {
          packSlice<decltype(zero)>(v, f.slice, *f.extent, seg.label, 0, out.data());
        });
      }
      break;
    case SegmentationType::Labelmap: {
      std::vector<std::uint16_t> frame(rows_ * columns_);
      labelmapFrame(f, frame);
      labelBytes(frame, plan_.bitsAllocated == 16, out.data());
      break;
    }
    case SegmentationType::Fractional: fractionalFrame(f, out.data()); break;
  }
}

}  // namespace qidcm::seg
