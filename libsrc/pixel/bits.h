#pragma once
// Single-bit pixel packing as DICOM stores it (PS3.5 8.1.1): pixel n of a bit
// stream is bit (n % 8) of byte (n / 8), least significant bit first.
#include <cstddef>
#include <cstdint>

namespace qidcm::pixel {

inline bool bitAt(const std::uint8_t* bits, std::size_t n) { return (bits[n >> 3] >> (n & 7)) & 1u; }

// Unpacks `count` pixels starting at bit `offset` into one byte (0 or 1) each.
void unpackBits(const std::uint8_t* bits, std::size_t offset, std::size_t count, std::uint8_t* out);

// Packs `count` bytes (non-zero = 1) into bits starting at bit 0 of `out`,
// which must hold (count + 7) / 8 bytes; unused high bits of the last byte are 0.
void packBits(const std::uint8_t* in, std::size_t count, std::uint8_t* out);

// Calls f(pixel index) for each set bit among `count` pixels from bit `offset`,
// in increasing order (little-endian host: bit k of a 64-bit word loaded from
// bytes b0..b7 is bit k%8 of byte k/8).
template <typename F>
void forEachSetBit(const std::uint8_t* bits, std::size_t offset, std::size_t count, F&& f) {
  std::size_t n = 0;
  // Leading bits up to a byte boundary.
  while (n < count && ((offset + n) & 7) != 0) {
    if (bitAt(bits, offset + n)) f(n);
    ++n;
  }
  const std::uint8_t* p = bits + ((offset + n) >> 3);
  // Whole 64-bit words, skipping zero words quickly (most of a mask is empty).
  while (n + 64 <= count) {
    std::uint64_t w;
    __builtin_memcpy(&w, p, 8);
    p += 8;
    while (w) {
      const int bit = __builtin_ctzll(w);
      f(n + static_cast<std::size_t>(bit));
      w &= w - 1;
    }
    n += 64;
  }
  // Whole bytes.
  while (n + 8 <= count) {
    std::uint8_t b = *p++;
    while (b) {
      const int bit = __builtin_ctz(b);
      f(n + static_cast<std::size_t>(bit));
      b = static_cast<std::uint8_t>(b & (b - 1));
    }
    n += 8;
  }
  for (; n < count; ++n)
    if (bitAt(bits, offset + n)) f(n);
}

}  // namespace qidcm::pixel
