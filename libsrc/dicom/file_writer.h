#pragma once
// Writes a DICOM file whose two bulky parts are streamed rather than held in
// memory: the Per-frame Functional Groups Sequence, one item at a time, and
// the Pixel Data value, produced by a callback. dcmdata writes the meta
// header and the rest of the dataset; the streamed parts follow through the
// same output stream (inside the deflate filter for the deflated transfer
// syntax). Both tags are the highest a qidcm object carries, so appending
// them keeps the dataset in tag order.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "pixel/frame_codec.h"
#include "qidcm/compression.h"

class DcmDataset;
class DcmItem;
class DcmOutputStream;

namespace qidcm::dicom {

// Receives bytes of the Pixel Data value.
class ByteSink {
 public:
  // `error`, when given, holds the system's reason for a failed write.
  ByteSink(DcmOutputStream& out, const std::string& path, const std::string* error = nullptr)
      : out_(out), path_(path), error_(error) {}
  void write(const void* data, std::size_t size);
  std::uint64_t written() const { return written_; }

 private:
  DcmOutputStream& out_;
  const std::string& path_;
  const std::string* error_;
  std::uint64_t written_ = 0;
};

struct StreamedContent {
  // Per-frame Functional Groups: fill item `frame` (0-based) of `frames`.
  std::size_t frames = 0;
  std::function<void(std::size_t frame, DcmItem& item)> fillPerFrameGroups;

  // Native Pixel Data: the producer must write exactly `pixelLength` bytes.
  std::uint64_t pixelLength = 0;
  std::function<void(ByteSink&)> producePixels;
  // The pixel element: Pixel Data (OB or OW), Float Pixel Data (OF) or
  // Double Float Pixel Data (OD).
  std::uint16_t pixelElement = 0x0010;
  const char* pixelVR = "OB";

  // Encapsulated transfer syntaxes: the frames, already compressed (one
  // even-length fragment each), written after a Basic Offset Table instead
  // of the native Pixel Data.
  const std::vector<std::vector<std::uint8_t>>* fragments = nullptr;
};

// The pixel element and VR for samples of `bitsAllocated` bits; `floating`
// selects Float / Double Float Pixel Data.
void setPixelElement(StreamedContent& content, unsigned bitsAllocated, bool floating);

// Writes `head` (which must hold no attribute at or above the Per-frame
// Functional Groups Sequence) followed by the streamed content, to `path`,
// in the transfer syntax `compression` selects (the encapsulated ones need
// content.fragments). Throws Error (Output) on I/O failure, Error (Internal)
// on a producer bug.
void writeStreamed(const std::string& path, DcmDataset& head, Compression compression,
                   const StreamedContent& content);

// The frames of a multi-frame image (SEG, parametric map), for writeMultiFrame.
struct FramePixels {
  pixel::FrameFormat format;       // rows, columns, bits allocated, signed
  bool floating = false;           // Float / Double Float Pixel Data
  std::size_t frames = 0;
  std::uint64_t nativeLength = 0;  // bytes of the native Pixel Data value
  // One frame's native bytes (single-bit frames packed on their own); called
  // from two threads at once when frames are encoded.
  pixel::NativeFrame frame;
  // The whole native value in one pass (single-bit frames run on across frame
  // boundaries); when empty, frame() is called for each frame in turn.
  std::function<void(ByteSink&)> stream;
};

// Writes `head`, the per-frame functional groups and the pixel data in the
// transfer syntax `compression` selects: streamed native, or each frame
// encoded (on both cores) into its fragment. A codec failure is Error
// (Internal) naming the --compress value.
void writeMultiFrame(const std::string& path, DcmDataset& head, Compression compression,
                     const std::function<void(std::size_t frame, DcmItem& item)>& fillPerFrameGroups,
                     const FramePixels& pixels);

}  // namespace qidcm::dicom
