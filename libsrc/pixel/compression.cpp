#include "qidcm/compression.h"

#include <algorithm>

#include "qidcm/error.h"

namespace qidcm {
namespace {
const Compression kAll[] = {Compression::None,   Compression::Deflate,  Compression::Rle,
                            Compression::JpegLs, Compression::Jpeg2000, Compression::Difc};

std::string join(const std::vector<Compression>& list) {
  std::string out;
  for (Compression c : list) out += (out.empty() ? "" : ", ") + toString(c);
  return out;
}
}  // namespace

std::string toString(Compression c) {
  switch (c) {
    case Compression::None: return "none";
    case Compression::Deflate: return "deflate";
    case Compression::Rle: return "rle";
    case Compression::JpegLs: return "jpegls";
    case Compression::Jpeg2000: return "jpeg2000";
    case Compression::Difc: return "difc";
  }
  return "none";
}

std::vector<Compression> allCompressions() { return {std::begin(kAll), std::end(kAll)}; }

Compression parseCompression(const std::string& text) {
  for (Compression c : kAll)
    if (toString(c) == text) return c;
  throwUsage("unknown --compress value '" + text + "' (" + join({std::begin(kAll), std::end(kAll)}) + ")");
}

std::vector<Compression> allowedCompressions(const PixelFormat& format) {
  if (format.floating || format.bitsAllocated > 16) return {Compression::None, Compression::Deflate};
  if (format.bitsAllocated == 1)
    return {Compression::None, Compression::Deflate, Compression::Rle, Compression::Jpeg2000, Compression::Difc};
  return {std::begin(kAll), std::end(kAll)};
}

void requireAllowed(Compression c, const PixelFormat& format, const std::string& what) {
  const std::vector<Compression> allowed = allowedCompressions(format);
  if (std::find(allowed.begin(), allowed.end(), c) == allowed.end())
    throwUsage("--compress " + toString(c) + " does not apply to " + what + "; use one of: " + join(allowed));
}

}  // namespace qidcm
