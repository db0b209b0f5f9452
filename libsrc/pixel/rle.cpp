#include "pixel/rle.h"

#include "pixel/bits.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <utility>

namespace qidcm::pixel {
namespace {

std::uint32_t readUint32(const std::uint8_t* p) {
  return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
         (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}

void writeUint32(std::uint8_t* p, std::uint32_t v) {
  for (int n = 0; n < 4; ++n) p[n] = static_cast<std::uint8_t>((v >> (8 * n)) & 0xff);
}

// PackBits: n in [0,127] copies n+1 literal bytes; n in [-127,-1] repeats the
// next byte 1-n times; -128 is a no-op. Decodes at most `want` bytes and
// returns how many it decoded. A code in the segment's last byte, with
// nothing after it, is the pad byte that makes the segment even when
// `padTolerated`; otherwise a run that does not fit is an error.
std::size_t decodeSegment(const std::uint8_t* in, std::size_t size, std::uint8_t* out, std::size_t want,
                          bool padTolerated = false) {
  std::size_t i = 0, o = 0;
  while (o < want && i < size) {
    const auto n = static_cast<std::int8_t>(in[i++]);
    if (padTolerated && i == size) break;
    if (n >= 0) {
      const std::size_t count = static_cast<std::size_t>(n) + 1;
      if (i + count > size) throw std::runtime_error("RLE literal run past the end of its segment");
      const std::size_t take = std::min(count, want - o);
      std::memcpy(out + o, in + i, take);
      o += take;
      i += count;
    } else if (n != -128) {
      if (i >= size) throw std::runtime_error("RLE replicate run past the end of its segment");
      const std::size_t count = static_cast<std::size_t>(1 - n);
      const std::size_t take = std::min(count, want - o);
      std::memset(out + o, in[i++], take);
      o += take;
    }
  }
  return o;
}

void unpackBitsSegment(const std::uint8_t* in, std::size_t size, std::uint8_t* out, std::size_t want) {
  const std::size_t o = decodeSegment(in, size, out, want);
  if (o < want)
    throw std::runtime_error("RLE segment decodes to " + std::to_string(o) + " bytes, " + std::to_string(want) +
                             " expected");
}

// The length of the run of bytes equal to in[0], at most `limit`, compared
// eight bytes at a time (masks are mostly long runs of zeros).
std::size_t runLength(const std::uint8_t* in, std::size_t limit) {
  const std::uint64_t pattern = 0x0101010101010101ull * in[0];
  std::size_t run = 1;
  while (run + 8 <= limit) {
    std::uint64_t word;
    std::memcpy(&word, in + run, 8);
    if (word != pattern) break;
    run += 8;
  }
  while (run < limit && in[run] == in[0]) ++run;
  return run;
}

void packBitsSegment(const std::uint8_t* in, std::size_t size, std::vector<std::uint8_t>& out) {
  out.reserve(out.size() + size / 64 + 16);
  std::size_t i = 0;
  while (i < size) {
    // Runs of at least 2 equal bytes are replicated, 128 at most per code;
    // otherwise literals are collected.
    if (i + 1 < size && in[i + 1] == in[i]) {
      std::size_t run = runLength(in + i, size - i);
      const std::uint8_t value = in[i];
      while (run >= 2) {
        const std::size_t n = std::min<std::size_t>(run, 128);
        out.push_back(static_cast<std::uint8_t>(static_cast<std::int8_t>(1 - static_cast<int>(n))));
        out.push_back(value);
        i += n;
        run -= n;
      }
      continue;  // a single byte left over starts the next code
    }
    std::size_t start = i, count = 0;
    while (i < size && count < 128) {
      if (i + 1 < size && in[i + 1] == in[i]) break;
      ++i;
      ++count;
    }
    if (count == 0) continue;  // next two bytes are equal: handled as a run above
    out.push_back(static_cast<std::uint8_t>(count - 1));
    out.insert(out.end(), in + start, in + start + count);
  }
}

// The one segment of a single-bit frame: [begin, end) within the frame.
std::pair<std::size_t, std::size_t> bitFrameSegment(const std::uint8_t* data, std::size_t size) {
  if (size < 64) throw std::runtime_error("RLE frame shorter than its 64-byte header");
  const std::uint32_t segments = readUint32(data);
  if (segments != 1)
    throw std::runtime_error("RLE header of a single-bit frame declares " + std::to_string(segments) +
                             " segments, 1 expected");
  const std::size_t begin = readUint32(data + 4);
  if (begin < 64 || begin > size)
    throw std::runtime_error("RLE segment offset " + std::to_string(begin) + " lies outside the frame");
  return {begin, size};
}

}  // namespace

void rleDecodeFrame(const std::uint8_t* data, std::size_t size, std::size_t samples, unsigned bytesPerSample,
                    std::vector<std::uint8_t>& out) {
  if (size < 64) throw std::runtime_error("RLE frame shorter than its 64-byte header");
  const std::uint32_t segments = readUint32(data);
  if (segments != bytesPerSample)
    throw std::runtime_error("RLE header declares " + std::to_string(segments) + " segment(s), " +
                             std::to_string(bytesPerSample) + " expected");
  std::uint32_t offsets[16];
  for (int n = 0; n < 15; ++n) offsets[n] = readUint32(data + 4 + 4 * n);
  out.resize(samples * bytesPerSample);
  std::vector<std::uint8_t> plane(samples);
  for (std::uint32_t s = 0; s < segments; ++s) {
    const std::size_t begin = offsets[s];
    const std::size_t end = (s + 1 < segments) ? offsets[s + 1] : size;
    if (begin < 64 || begin > end || end > size)
      throw std::runtime_error("RLE segment " + std::to_string(s + 1) + " offset " + std::to_string(begin) +
                               " lies outside the frame");
    unpackBitsSegment(data + begin, end - begin, plane.data(), samples);
    // Segment 0 holds the most significant byte.
    const unsigned byteIndex = bytesPerSample - 1 - s;
    for (std::size_t n = 0; n < samples; ++n) out[n * bytesPerSample + byteIndex] = plane[n];
  }
}


std::vector<std::uint8_t> rleEncodeBitFrame(const std::uint8_t* packed, std::size_t pixels) {
  return rleEncodeFrame(packed, (pixels + 7) / 8, 1);
}

void rleDecodeBitFrame(const std::uint8_t* data, std::size_t size, std::size_t pixels,
                       std::vector<std::uint8_t>& packed) {
  const auto [begin, end] = bitFrameSegment(data, size);
  const std::size_t packedBytes = (pixels + 7) / 8;
  std::vector<std::uint8_t> decoded(pixels);
  const std::size_t got = decodeSegment(data + begin, end - begin, decoded.data(), pixels, /*padTolerated=*/true);
  packed.assign(packedBytes, 0);
  if (got >= pixels) {  // one byte per pixel
    packBits(decoded.data(), pixels, packed.data());
  } else if (got >= packedBytes) {  // packed bits (CP 2301)
    std::memcpy(packed.data(), decoded.data(), packedBytes);
    const unsigned tail = pixels % 8;
    if (tail) packed.back() &= static_cast<std::uint8_t>((1u << tail) - 1u);
  } else {
    throw std::runtime_error("single-bit RLE segment decodes to " + std::to_string(got) + " bytes: " +
                             std::to_string(packedBytes) + " (packed bits) or " + std::to_string(pixels) +
                             " (a byte per pixel) expected");
  }
}

std::vector<std::uint8_t> rleEncodeFrame(const std::uint8_t* data, std::size_t samples, unsigned bytesPerSample) {
  std::vector<std::uint8_t> out(64, 0);
  writeUint32(out.data(), bytesPerSample);
  std::vector<std::uint8_t> plane(bytesPerSample > 1 ? samples : 0);
  for (unsigned s = 0; s < bytesPerSample; ++s) {
    writeUint32(out.data() + 4 + 4 * s, static_cast<std::uint32_t>(out.size()));
    const unsigned byteIndex = bytesPerSample - 1 - s;
    const std::uint8_t* segment = data;
    if (bytesPerSample > 1) {
      for (std::size_t n = 0; n < samples; ++n) plane[n] = data[n * bytesPerSample + byteIndex];
      segment = plane.data();
    }
    packBitsSegment(segment, samples, out);
    if (out.size() & 1u) out.push_back(0);  // each segment starts at an even offset
  }
  return out;
}

}  // namespace qidcm::pixel
