#pragma once
// Output compression: the --compress values of the writers and the transfer
// syntaxes they select.
#include <string>
#include <vector>

namespace qidcm {

enum class Compression {
  None,      // Explicit VR Little Endian
  Deflate,   // Deflated Explicit VR Little Endian: the whole data set deflated
  Rle,       // RLE Lossless
  JpegLs,    // JPEG-LS Lossless
  Jpeg2000,  // JPEG 2000 Lossless Only
  Difc,      // Deflated Image Frame Compression (Supplement 244): each frame deflated, encapsulated
};

std::string toString(Compression c);  // the --compress value: none, deflate, rle, jpegls, jpeg2000, difc
// Every value, in the order the help lists them.
std::vector<Compression> allCompressions();
// Throws Error (Usage) naming the values.
Compression parseCompression(const std::string& text);
const char* transferSyntaxUid(Compression c);
// Whether the pixel data is encapsulated (one compressed fragment per frame).
bool encapsulated(Compression c);

// What decides which compressions apply to a pixel format.
struct PixelFormat {
  unsigned bitsAllocated = 8;  // 1, 8, 16, 32 or 64
  bool floating = false;       // Float / Double Float Pixel Data
};
// The compressions the standard and the codecs allow: every one for 8- and
// 16-bit integers; no JPEG-LS for single-bit frames; only none and deflate
// for floating point pixels (Float Pixel Data cannot be encapsulated).
std::vector<Compression> allowedCompressions(const PixelFormat& format);
// Throws Error (Usage) naming `what` and the allowed values.
void requireAllowed(Compression c, const PixelFormat& format, const std::string& what);

}  // namespace qidcm
