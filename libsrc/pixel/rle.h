#pragma once
// DICOM RLE Lossless (PS3.5 Annex G): a 64-byte header with the number of
// segments and their offsets, then one PackBits-coded segment per byte plane
// (most significant byte first). Single-bit frames are coded as the frame's
// packed bytes in one segment (CP 2301).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace qidcm::pixel {

// Decodes one RLE frame into `out`, which receives exactly `expectedBytes`
// bytes laid out as native little-endian samples: byte planes are
// interleaved back (`bytesPerSample` = number of segments). Throws
// std::runtime_error describing the defect for malformed input.
void rleDecodeFrame(const std::uint8_t* data, std::size_t size, std::size_t samples, unsigned bytesPerSample,
                    std::vector<std::uint8_t>& out);

// Encodes one frame of `samples` samples of `bytesPerSample` bytes (little
// endian) as RLE. Used by the writers and by tests.
std::vector<std::uint8_t> rleEncodeFrame(const std::uint8_t* data, std::size_t samples, unsigned bytesPerSample);

// Single-bit frames, as CP 2301 settles them: the frame's bits packed from a
// byte boundary, least significant bit first as in native Pixel Data, then
// coded as one PackBits segment of (pixels + 7) / 8 bytes.
std::vector<std::uint8_t> rleEncodeBitFrame(const std::uint8_t* packed, std::size_t pixels);

// Decodes a single-bit RLE frame into `packed`, (pixels + 7) / 8 bytes. Files
// written before CP 2301 (qidcm's own among them) hold one byte per pixel
// instead; the decoded length of the segment tells the two layouts apart:
// at least `pixels` bytes is the byte-per-pixel one.
void rleDecodeBitFrame(const std::uint8_t* data, std::size_t size, std::size_t pixels,
                       std::vector<std::uint8_t>& packed);

}  // namespace qidcm::pixel
