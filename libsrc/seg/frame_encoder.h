#pragma once
// Frame encoders: turn the plan's frames into Pixel Data bytes, streamed in
// frame order. BINARY frames are bit-packed back to back (a frame may start
// in the middle of a byte, PS3.5 8.1.1); LABELMAP frames hold Segment Numbers
// in 8 or 16 bits; FRACTIONAL frames hold 0..255.
#include <cstdint>
#include <vector>

#include "dicom/file_writer.h"
#include "seg/plan.h"

namespace qidcm::seg {

class FrameEncoder {
 public:
  FrameEncoder(const Plan& plan, const std::vector<LabelImage>& images);

  // Bytes of the Pixel Data value, before the even-length padding.
  std::uint64_t pixelDataLength() const;
  void encode(dicom::ByteSink& sink) const;

  // Frame `index` on its own, for the encapsulated transfer syntaxes: BINARY
  // bits packed from bit 0 of `out`, else 8- or 16-bit samples. `out` must
  // hold the frame's bytes, zeroed. Safe to call from several threads.
  void frame(std::size_t index, std::vector<std::uint8_t>& out) const;

 private:
  void encodeBinary(dicom::ByteSink& sink) const;
  void encodeLabelmap(dicom::ByteSink& sink) const;
  void encodeFractional(dicom::ByteSink& sink) const;

  void labelmapFrame(const PlannedFrame& f, std::vector<std::uint16_t>& frame) const;
  void fractionalFrame(const PlannedFrame& f, std::uint8_t* bytes) const;

  const Plan& plan_;
  const std::vector<LabelImage>& images_;
  std::size_t rows_, columns_;
  // LABELMAP: for each slice, the segments present and where.
  std::vector<std::vector<std::pair<const PlannedSegment*, const SliceExtent*>>> bySlice_;
};

}  // namespace qidcm::seg
