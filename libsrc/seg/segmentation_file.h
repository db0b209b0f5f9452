#pragma once
// A DICOM Segmentation opened for reading: its segments, its frames (which
// segment, where), the rebuilt grid, and decoded frame access. Reading is
// tolerant (warnings for content other writers leave out) and strict about
// what makes the pixels unplaceable (named errors).
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcfilefo.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pixel/frame_source.h"
#include "qidcm/seg/enums.h"
#include "qidcm/seg/metadata.h"
#include "qidcm/seg/reader.h"

namespace qidcm::seg {

struct FramePlacement {
  std::uint16_t segment = 0;  // Referenced Segment Number (0 for LABELMAP frames)
  std::size_t slice = 0;      // slice of the rebuilt grid
  std::size_t column = 0;     // first column / row the frame covers (tiles of a slide)
  std::size_t row = 0;
  Vec3 position{0, 0, 0};     // Image Position (Patient), for frames in patient space
};

// A frame's decoded samples: bits (BINARY), bytes (FRACTIONAL, 8-bit
// LABELMAP) or little-endian 16-bit values.
struct FrameView {
  const std::uint8_t* data = nullptr;
  std::size_t bitOffset = 0;
  std::vector<std::uint8_t> storage;  // the frame's bytes when read from disk
};

class SegmentationFile {
 public:
  SegmentationFile(const std::string& path, const std::string& referenceDirectory = "");
  ~SegmentationFile();
  SegmentationFile(const SegmentationFile&) = delete;
  SegmentationFile& operator=(const SegmentationFile&) = delete;

  const std::string& path() const { return path_; }
  SegmentationType type() const { return type_; }
  DcmDataset& dataset() { return *file_->getDataset(); }
  const Metadata& seriesMetadata() const { return series_; }  // top-level keys only
  const std::map<std::uint16_t, SegmentDescription>& segments() const { return segments_; }
  // Segments Overlap as the file declares it (absent: nullopt).
  std::optional<SegmentsOverlap> declaredOverlap() const { return declaredOverlap_; }
  // LABELMAP: the value designated as background by Pixel Padding Value.
  std::optional<std::uint16_t> paddingValue() const { return padding_; }
  const std::vector<FramePlacement>& frames() const { return frames_; }
  const Grid& grid() const { return grid_; }
  bool slide() const { return slide_; }
  unsigned bitsAllocated() const { return source_->bitsAllocated(); }
  std::size_t frameRows() const { return source_->rows(); }
  std::size_t frameColumns() const { return source_->columns(); }
  Uint16 maximumFractionalValue() const { return maxFraction_; }
  std::string transferSyntax() const { return source_->transferSyntaxName(); }

  // Decodes every frame once (in parallel when the codec allows); afterwards
  // frame() is cheap and thread-safe.
  void decodeAll();
  FrameView frame(std::size_t index) const;

 private:
  void readHeader();
  void readSegments();
  void readFrames(const std::string& referenceDirectory);

  std::string path_;
  std::unique_ptr<DcmFileFormat> file_;
  SegmentationType type_ = SegmentationType::Binary;
  Metadata series_;
  std::map<std::uint16_t, SegmentDescription> segments_;
  std::optional<std::uint16_t> padding_;
  std::optional<SegmentsOverlap> declaredOverlap_;
  std::vector<FramePlacement> frames_;
  Grid grid_;
  bool slide_ = false;
  Uint16 maxFraction_ = 255;
  std::unique_ptr<pixel::FrameSource> source_;
  std::vector<std::vector<std::uint8_t>> decoded_;  // compressed frames, decoded
};

}  // namespace qidcm::seg
