#include "codec/bits.h"

#include <cstring>

namespace qidcm::codec {

void unpackBits(const std::uint8_t* bits, std::size_t offset, std::size_t count, std::uint8_t* out) {
  std::memset(out, 0, count);
  forEachSetBit(bits, offset, count, [&](std::size_t n) { out[n] = 1; });
}

void packBits(const std::uint8_t* in, std::size_t count, std::uint8_t* out) {
  std::memset(out, 0, (count + 7) / 8);
  for (std::size_t n = 0; n < count; ++n)
    if (in[n]) out[n >> 3] |= static_cast<std::uint8_t>(1u << (n & 7));
}

}  // namespace qidcm::codec
