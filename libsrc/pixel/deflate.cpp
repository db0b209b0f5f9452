#include "pixel/deflate.h"

#include <zlib.h>

#include <stdexcept>
#include <string>

namespace qidcm::pixel {

void inflateFrame(const std::uint8_t* data, std::size_t size, std::size_t expectedBytes,
                  std::vector<std::uint8_t>& out) {
  out.resize(expectedBytes);
  z_stream z{};
  if (inflateInit2(&z, -15) != Z_OK) throw std::runtime_error("cannot initialise inflate");
  z.next_in = const_cast<Bytef*>(data);
  z.avail_in = static_cast<uInt>(size);
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(expectedBytes);
  const int status = inflate(&z, Z_FINISH);
  const std::size_t produced = expectedBytes - z.avail_out;
  inflateEnd(&z);
  if (status != Z_STREAM_END && !(status == Z_BUF_ERROR && produced == expectedBytes))
    throw std::runtime_error("deflated frame is corrupt or short (" + std::to_string(produced) + " of " +
                             std::to_string(expectedBytes) + " bytes)");
  if (produced != expectedBytes)
    throw std::runtime_error("deflated frame inflates to " + std::to_string(produced) + " bytes, " +
                             std::to_string(expectedBytes) + " expected");
}

std::vector<std::uint8_t> deflateFrame(const std::uint8_t* data, std::size_t size, int level) {
  z_stream z{};
  if (deflateInit2(&z, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("cannot initialise deflate");
  std::vector<std::uint8_t> out(deflateBound(&z, static_cast<uLong>(size)));
  z.next_in = const_cast<Bytef*>(data);
  z.avail_in = static_cast<uInt>(size);
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  const int status = deflate(&z, Z_FINISH);
  out.resize(out.size() - z.avail_out);
  deflateEnd(&z);
  if (status != Z_STREAM_END) throw std::runtime_error("deflate failed");
  return out;
}

}  // namespace qidcm::pixel
