#pragma once
// Raw DEFLATE (RFC 1951) of one frame, as Deflated Image Frame Compression
// (Supplement 244, transfer syntax 1.2.840.10008.1.2.8.1) stores it.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace qidcm::pixel {

// Inflates into `out`, which must end up exactly `expectedBytes` long.
// Throws std::runtime_error on corrupt or short data.
void inflateFrame(const std::uint8_t* data, std::size_t size, std::size_t expectedBytes,
                  std::vector<std::uint8_t>& out);

std::vector<std::uint8_t> deflateFrame(const std::uint8_t* data, std::size_t size, int level = 6);

}  // namespace qidcm::pixel
