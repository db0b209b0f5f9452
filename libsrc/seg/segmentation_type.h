#pragma once
// What differs between BINARY, FRACTIONAL and LABELMAP: one strategy per
// Segmentation Type (binary.cpp, fractional.cpp, labelmap.cpp). The writer's
// plan (plan.cpp) and the reader (reader.cpp) do the steps every type shares
// and ask the strategy for the rest:
//   validate  the input images (pixel type, components, grids) and segments;
//   scan      one pass over an image: each segment's per-slice extents;
//   overlap   whether segments share a voxel, and whether the type allows it;
//   layout    which frames the SEG holds, and their bits;
//   pack      frames into Pixel Data bytes;
//   unpack    the frames of a SEG being read into output volumes.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "dicom/file_writer.h"
#include "qidcm/compression.h"
#include "qidcm/seg/reader.h"
#include "seg/plan.h"

namespace qidcm::seg {

class SegmentationFile;

// A plan's frames as Pixel Data bytes.
class FramePacker {
 public:
  virtual ~FramePacker() = default;
  // Bytes of the native Pixel Data value, before the even-length padding.
  virtual std::uint64_t pixelDataLength() const = 0;
  // Every frame in order, native (BINARY frames bit-packed back to back, a
  // frame may start inside a byte: PS3.5 8.1.1).
  virtual void encode(dicom::ByteSink& sink) const = 0;
  // Frame `index` on its own, for the encapsulated transfer syntaxes: BINARY
  // bits from bit 0 of `out`, else 8- or 16-bit samples. `out` holds the
  // frame's bytes, zeroed. Safe to call from several threads.
  virtual void frame(std::size_t index, std::vector<std::uint8_t>& out) const = 0;
};

// Hands one output image of the reader, and the segments it holds, on.
using EmitImage = std::function<void(Volume& volume, std::vector<SegmentDescription> segments)>;

class TypeStrategy {
 public:
  virtual ~TypeStrategy() = default;
  virtual SegmentationType type() const = 0;

  // Writing.
  // Refuses a --compress value the stored pixels cannot take.
  virtual void checkCompression(Compression compression) const = 0;
  // Pixel type, components and grids of the input images.
  virtual void validateImages(const std::vector<LabelImage>& images) const = 0;
  // Whether Segment Numbers must run 1..n without gaps.
  virtual bool contiguousNumbers() const = 0;
  // The numbered segments against the images (after validateImages).
  virtual void validateSegments(const std::vector<LabelImage>&, const std::vector<PlannedSegment>&,
                                const std::string& /*metadataFile*/) const {}
  // One pass over image `file`: fills extents and voxels of its segments.
  virtual void scan(const LabelImage& image, std::size_t file, std::vector<PlannedSegment>& segments) const = 0;
  // Segments Overlap; throws where the type cannot hold overlapping segments.
  virtual SegmentsOverlap overlap(const std::vector<LabelImage>& images,
                                  const std::vector<PlannedSegment>& segments) const = 0;
  // Fills plan.frames (position left 0), plan.bitsAllocated and, for
  // LABELMAP, plan.labelmapBackground.
  virtual void layoutFrames(Plan& plan, const std::vector<LabelImage>& images, const WriterOptions& options,
                            const std::vector<bool>* requiredSlices) const = 0;
  virtual std::unique_ptr<FramePacker> packer(const Plan& plan, const std::vector<LabelImage>& images) const = 0;

  // Reading: paints the decoded frames of `seg` into volumes and hands them
  // to `emit`, one image at a time.
  virtual void unpack(const SegmentationFile& seg, const ReaderOptions& options, const EmitImage& emit) const = 0;
};

const TypeStrategy& strategyFor(SegmentationType type);

// The strategies, defined in binary.cpp, fractional.cpp and labelmap.cpp.
const TypeStrategy& binaryStrategy();
const TypeStrategy& fractionalStrategy();
const TypeStrategy& labelmapStrategy();

}  // namespace qidcm::seg
