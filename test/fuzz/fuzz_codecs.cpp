// Fuzz target: the frame decoders that parse untrusted bytes themselves: RLE
// (PS3.5 Annex G; single-bit frames in both layouts), the per-frame raw DEFLATE of Deflated Image Frame
// Compression, and single-bit unpacking. The first bytes choose the decoder
// and the frame shape.
#include <stdexcept>
#include <vector>

#include "pixel/bits.h"
#include "pixel/deflate.h"
#include "pixel/rle.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 4) return 0;
  const unsigned which = data[0] % 4;
  const std::size_t samples = 1 + ((static_cast<std::size_t>(data[1]) << 8 | data[2]) % 65536);
  const unsigned bytesPerSample = 1 + data[3] % 2;
  const std::uint8_t* body = data + 4;
  const std::size_t bodySize = size - 4;
  std::vector<std::uint8_t> out;
  try {
    switch (which) {
      case 0: qidcm::pixel::rleDecodeFrame(body, bodySize, samples, bytesPerSample, out); break;
      case 1: qidcm::pixel::inflateFrame(body, bodySize, samples, out); break;
      case 3: qidcm::pixel::rleDecodeBitFrame(body, bodySize, samples, out); break;
      default: {
        const std::size_t offset = data[3] % 8;
        const std::size_t count = bodySize * 8 > offset ? bodySize * 8 - offset : 0;
        std::vector<std::uint8_t> pixels(count);
        qidcm::pixel::unpackBits(body, offset, count, pixels.data());
        std::vector<std::uint8_t> packed((count + 7) / 8);
        qidcm::pixel::packBits(pixels.data(), count, packed.data());
        std::size_t set = 0;
        qidcm::pixel::forEachSetBit(body, offset, count, [&](std::size_t) { ++set; });
        std::size_t ones = 0;
        for (auto p : pixels) ones += p;
        if (ones != set) __builtin_trap();  // the two bit readers disagree
        break;
      }
    }
  } catch (const std::runtime_error&) {
  }
  return 0;
}
