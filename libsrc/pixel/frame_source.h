#pragma once
// Decoded access to the frames of a multi-frame image, whatever the transfer
// syntax: native (any byte order, single-bit frames not byte-aligned),
// deflated data sets, RLE, JPEG-LS (DCMTK), JPEG 2000 (OpenJPEG) and
// Deflated Image Frame Compression. Single-bit frames stay bit-packed.
//
// Native pixel data that DCMTK left on disk (the file was loaded with a
// maximum read length, see kDeferredValueLength) is read frame by frame, so a
// reader's memory does not grow with the file.
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcfcache.h>
#include <dcmtk/dcmdata/dcxfer.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace qidcm::pixel {

// Values longer than this are left on disk when a file is loaded for its
// frames; the pixel data is then read one frame at a time.
constexpr Uint32 kDeferredValueLength = 256 * 1024;

class FrameSource {
 public:
  // `dataset` must outlive the FrameSource. Throws Error (Input) naming `path`
  // and the attribute when the pixel data cannot hold the declared frames.
  // `transferSyntaxUid` is the file meta's (DCMTK 3.6.7 does not know every
  // transfer syntax, e.g. Deflated Image Frame Compression).
  FrameSource(DcmDataset& dataset, const std::string& transferSyntaxUid, const std::string& path, std::size_t frames);

  std::size_t frames() const { return frames_; }
  std::size_t rows() const { return rows_; }
  std::size_t columns() const { return columns_; }
  unsigned bitsAllocated() const { return bitsAllocated_; }
  std::size_t pixelsPerFrame() const { return rows_ * columns_; }
  std::size_t samplesPerPixel() const { return samples_; }
  bool encapsulated() const { return encapsulated_; }
  // Whether frame() may be called from several threads at once (frames read
  // from disk are read one at a time, under a lock).
  bool threadSafe() const { return !dcmtkCodec_; }
  // Whether native frames are read from disk on demand.
  bool deferred() const { return deferred_ != nullptr; }
  std::string transferSyntaxName() const;

  struct Frame {
    const std::uint8_t* data = nullptr;  // bits (1-bit), bytes (8-bit) or little-endian uint16 (16-bit)
    std::size_t bitOffset = 0;           // first pixel's bit, for 1-bit frames
  };
  // Frame `index` (0-based). `scratch` holds decoded data for compressed
  // frames and data read from disk; the result points into it or into the
  // dataset. Throws Error.
  Frame frame(std::size_t index, std::vector<std::uint8_t>& scratch) const;

 private:
  // Rows, Columns, Bits Allocated and Samples per Pixel, checked.
  void readPixelModule();
  // Float or Double Float Pixel Data, when the data set has them; false when not.
  bool mapFloatPixelData();
  // Native Pixel Data: in memory, or left on disk to be read frame by frame.
  void mapNativePixelData(DcmElement* element);
  void mapFragments();
  bool deferIfOnDisk(DcmElement* element);
  std::vector<std::uint8_t> frameBytes(std::size_t index) const;
  // frame() for native data left on disk, and for encapsulated data.
  // `pixels`: samples of the frame.
  Frame frameFromDisk(std::size_t index, std::size_t pixels, std::vector<std::uint8_t>& scratch) const;
  Frame decodedFrame(std::size_t index, std::size_t pixels, std::vector<std::uint8_t>& scratch) const;

  DcmDataset& dataset_;
  E_TransferSyntax xfer_;
  std::string uid_;
  std::string path_;
  std::size_t frames_, rows_ = 0, columns_ = 0, samples_ = 1;
  unsigned bitsAllocated_ = 0;
  bool encapsulated_ = false;
  bool dcmtkCodec_ = false;
  const std::uint8_t* native_ = nullptr;  // native pixel data (host byte order for 16-bit)
  std::uint64_t nativeLength_ = 0;
  DcmElement* deferred_ = nullptr;  // native pixel data still on disk
  std::unique_ptr<DcmFileCache> cache_;
  std::unique_ptr<std::mutex> deferredLock_;
  // A window of the on-disk pixel data: frames are mostly read in file order,
  // and one read of a few megabytes costs far less than one per frame.
  mutable std::vector<std::uint8_t> window_;
  mutable std::uint64_t windowStart_ = 0;
  // Encapsulated: fragments of each frame.
  struct Fragment {
    const std::uint8_t* data;
    std::size_t size;
  };
  std::vector<std::vector<Fragment>> frameFragments_;
};

}  // namespace qidcm::pixel
