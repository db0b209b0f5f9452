#pragma once
// JPEG-LS lossless frame encoding through DCMTK's dcmjpls (which also
// decodes). Linking Debian's libcharls as well is not an option: its legacy
// C symbols interpose on the CharLS bundled in dcmjpls.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace qidcm::pixel {

// Encodes one single-component frame: one byte per sample when
// `bytesPerSample` is 1, little-endian 16-bit samples when 2 (signed values
// as their two's complement bit pattern). Throws std::runtime_error.
std::vector<std::uint8_t> jpeglsEncodeFrame(const std::uint8_t* samples, std::size_t columns, std::size_t rows,
                                            unsigned bytesPerSample);

}  // namespace qidcm::pixel
