#pragma once
// Encodes the frames of an image for an encapsulated transfer syntax (RLE,
// JPEG-LS, JPEG 2000, Deflated Image Frame Compression): one fragment per
// frame, even-length, on both cores.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "qidcm/compression.h"

namespace qidcm::pixel {

struct FrameFormat {
  std::size_t rows = 0, columns = 0;
  unsigned bitsAllocated = 8;  // 1, 8 or 16
  bool isSigned = false;
  // Bytes of one frame in its native form: single-bit frames packed from
  // bit 0 of their first byte (each frame on its own, padded to a byte).
  std::size_t frameBytes() const;
};

// One frame, encoded; padded with a zero byte to an even length.
std::vector<std::uint8_t> encodeFrame(Compression c, const FrameFormat& format, const std::uint8_t* native);

// Fills `native` (resized to format.frameBytes()) with frame `index`. Called
// from two threads at once, so it must not touch shared mutable state.
using NativeFrame = std::function<void(std::size_t index, std::vector<std::uint8_t>& native)>;

// Encodes frames 0..count-1 on up to two threads. Throws what encodeFrame or
// `produce` throws (std::runtime_error for codec failures).
std::vector<std::vector<std::uint8_t>> encodeFrames(Compression c, const FrameFormat& format, std::size_t count,
                                                    const NativeFrame& produce);

}  // namespace qidcm::pixel
