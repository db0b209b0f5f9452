#include "pixel/frame_codec.h"

#include <stdexcept>

#include "pixel/bits.h"
#include "pixel/deflate.h"
#include "pixel/j2k.h"
#include "pixel/jpegls.h"
#include "pixel/rle.h"
#include "core/parallel.h"

namespace qidcm::pixel {

std::size_t FrameFormat::frameBytes() const {
  const std::size_t pixels = rows * columns;
  return bitsAllocated == 1 ? (pixels + 7) / 8 : pixels * (bitsAllocated / 8);
}

std::vector<std::uint8_t> encodeFrame(Compression c, const FrameFormat& f, const std::uint8_t* native) {
  const std::size_t pixels = f.rows * f.columns;
  const unsigned bytesPerSample = f.bitsAllocated == 16 ? 2 : 1;
  std::vector<std::uint8_t> out;
  switch (c) {
    case Compression::Rle:
      if (f.bitsAllocated == 1) {
        out = rleEncodeBitFrame(native, pixels);  // packed bits, one segment (CP 2301)
      } else {
        out = rleEncodeFrame(native, pixels, bytesPerSample);
      }
      break;
    // Level 1: masks and label maps are mostly runs, where it compresses
    // nearly as well as the default level at a fraction of the time.
    case Compression::Difc: out = deflateFrame(native, f.frameBytes(), 1); break;
    case Compression::JpegLs:
      if (f.bitsAllocated == 1) throw std::runtime_error("JPEG-LS does not code single-bit frames");
      out = jpeglsEncodeFrame(native, f.columns, f.rows, bytesPerSample);
      break;
    case Compression::Jpeg2000:
      if (f.bitsAllocated == 1) {
        // A binary mask as 0/1 samples of precision 1.
        std::vector<std::uint8_t> samples(pixels);
        unpackBits(native, 0, pixels, samples.data());
        out = j2kEncodeFrame(samples.data(), f.columns, f.rows, 1, 1, false);
      } else {
        out = j2kEncodeFrame(native, f.columns, f.rows, bytesPerSample, f.bitsAllocated, f.isSigned);
      }
      break;
    case Compression::None:
    case Compression::Deflate: throw std::logic_error("encodeFrame: not an encapsulated transfer syntax");
  }
  if (out.size() & 1u) out.push_back(0);
  return out;
}

std::vector<std::vector<std::uint8_t>> encodeFrames(Compression c, const FrameFormat& format, std::size_t count,
                                                    const NativeFrame& produce) {
  std::vector<std::vector<std::uint8_t>> fragments(count);
  std::vector<std::uint8_t> native[2];
  parallelFor(count, [&](int worker, std::size_t f) {
    native[worker].assign(format.frameBytes(), 0);
    produce(f, native[worker]);
    fragments[f] = encodeFrame(c, format, native[worker].data());
  });
  return fragments;
}

}  // namespace qidcm::pixel
