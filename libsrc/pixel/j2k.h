#pragma once
// JPEG 2000 frame coding through OpenJPEG (DCMTK has no JPEG 2000 codec).
#include <cstddef>
#include <cstdint>
#include <vector>

namespace qidcm::pixel {

// Decodes a JPEG 2000 codestream (or JP2 file) holding one single-component
// frame of `columns` x `rows` samples into `out`: one byte per sample when
// `bytesPerSample` is 1, little-endian 16-bit samples when 2. Throws
// std::runtime_error describing the problem.
void j2kDecodeFrame(const std::uint8_t* data, std::size_t size, std::size_t columns, std::size_t rows,
                    unsigned bytesPerSample, std::vector<std::uint8_t>& out);

// Encodes one single-component frame losslessly (reversible 5-3 wavelet, one
// quality layer) as a JPEG 2000 codestream. `samples` holds one byte per
// sample when `bytesPerSample` is 1, little-endian 16-bit samples when 2;
// `precision` is the significant bits (1 for a binary mask unpacked to 0/1).
std::vector<std::uint8_t> j2kEncodeFrame(const std::uint8_t* samples, std::size_t columns, std::size_t rows,
                                         unsigned bytesPerSample, unsigned precision, bool isSigned);

}  // namespace qidcm::pixel
