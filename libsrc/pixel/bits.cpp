#include "pixel/bits.h"

#include <cstring>

namespace qidcm::pixel {

void unpackBits(const std::uint8_t* bits, std::size_t offset, std::size_t count, std::uint8_t* out) {
  if (count == 0) return;  // `out` may then be null, which memset must not get
  std::memset(out, 0, count);
  forEachSetBit(bits, offset, count, [&](std::size_t n) { out[n] = 1; });
}

void packBits(const std::uint8_t* in, std::size_t count, std::uint8_t* out) {
  if (count == 0) return;
  std::memset(out, 0, (count + 7) / 8);
  std::size_t n = 0;
  // Eight bytes at a time: each byte reduced to 0/1 (non-zero -> 1), then the
  // eight low bits gathered into one byte by a multiplication.
  constexpr std::uint64_t low7 = 0x7f7f7f7f7f7f7f7full, high = 0x8080808080808080ull;
  for (; n + 8 <= count; n += 8) {
    std::uint64_t w;
    std::memcpy(&w, in + n, 8);
    if (!w) continue;
    const std::uint64_t ones = ((((w & low7) + low7) | w) & high) >> 7;
    out[n >> 3] = static_cast<std::uint8_t>((ones * 0x0102040810204080ull) >> 56);
  }
  for (; n < count; ++n)
    if (in[n]) out[n >> 3] |= static_cast<std::uint8_t>(1u << (n & 7));
}

}  // namespace qidcm::pixel
