#include "qidcm/seg/reader.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <fstream>
#include <set>
#include <nlohmann/json.hpp>

#include "pixel/bits.h"
#include "core/output_transaction.h"
#include "qidcm/error.h"
#include "qidcm/image_io.h"
#include "qidcm/log.h"
#include "qidcm/schema.h"
#include "seg/overlap.h"
#include "seg/segmentation_file.h"

namespace qidcm::seg {
namespace {

// ---------------------------------------------------------------------------
// Painting frames into volumes.

// Returns whether a voxel painted was already set (by another segment):
// only looked for when `detect` is set.
template <typename T>
bool paintBits(const SegmentationFile& seg, std::size_t f, T value, Volume& out, bool detect = false) {
  const FramePlacement& place = seg.frames()[f];
  const FrameView v = seg.frame(f);
  const Grid& g = out.grid;
  const std::size_t plane = g.slicePixels(), fcols = seg.frameColumns();
  T* slice = out.samples<T>() + place.slice * plane;
  bool collision = false;
  if (!seg.slide()) {
    if (detect)
      pixel::forEachSetBit(v.data, v.bitOffset, seg.frameRows() * fcols, [&](std::size_t p) {
        if (slice[p] && slice[p] != value) collision = true;
        slice[p] = value;
      });
    else
      pixel::forEachSetBit(v.data, v.bitOffset, seg.frameRows() * fcols, [&](std::size_t p) { slice[p] = value; });
    return collision;
  }
  pixel::forEachSetBit(v.data, v.bitOffset, seg.frameRows() * fcols, [&](std::size_t p) {
    const std::size_t i = place.column + p % fcols, j = place.row + p / fcols;
    if (i < g.columns() && j < g.rows()) {
      T& voxel = slice[j * g.columns() + i];
      if (detect && voxel && voxel != value) collision = true;
      voxel = value;
    }
  });
  return collision;
}

// Copies stored samples (8 or 16 bit) through `map` into the volume; `skip`
// values are not written (0 for fractions, so that overlapping tiles keep
// what is there).
template <typename T, typename Map>
void paintSamples(const SegmentationFile& seg, std::size_t f, Volume& out, Map&& map) {
  const FramePlacement& place = seg.frames()[f];
  const FrameView v = seg.frame(f);
  const Grid& g = out.grid;
  const std::size_t fcols = seg.frameColumns(), frows = seg.frameRows();
  T* slice = out.samples<T>() + place.slice * g.slicePixels();
  const bool wide = seg.bitsAllocated() == 16;
  for (std::size_t j = 0; j < frows; ++j) {
    const std::size_t gj = place.row + j;
    if (gj >= g.rows()) break;
    for (std::size_t i = 0; i < fcols; ++i) {
      const std::size_t gi = place.column + i;
      if (gi >= g.columns()) break;
      const std::size_t p = j * fcols + i;
      const unsigned stored = wide ? (v.data[2 * p] | (v.data[2 * p + 1] << 8)) : v.data[p];
      map(slice[gj * g.columns() + gi], stored);
    }
  }
}

Volume emptyVolume(const Grid& grid, PixelType type, const std::string& origin) {
  Volume v;
  v.grid = grid;
  v.type = type;
  v.allocate(origin);
  return v;
}

std::vector<std::size_t> framesOf(const SegmentationFile& seg, std::uint16_t segment) {
  std::vector<std::size_t> list;
  for (std::size_t f = 0; f < seg.frames().size(); ++f)
    if (seg.frames()[f].segment == segment) list.push_back(f);
  return list;
}

Metadata seriesMetadata(const SegmentationFile& seg) {
  Metadata m = seg.seriesMetadata();
  m.sourceFile = seg.path();
  // Values are kept as the file has them: the reader warned about those their
  // VR does not allow, and the writers make them fit.
  return m;
}

PixelType segmentNumberType(const SegmentationFile& seg) {
  const std::uint16_t highest = seg.segments().empty() ? 0 : seg.segments().rbegin()->first;
  // The narrowest type that holds every Segment Number (dcmqi writes signed
  // 16-bit whatever the numbers): half the memory and output for <= 255 segments.
  return highest > 255 ? PixelType::UInt16 : PixelType::UInt8;
}

}  // namespace


Metadata readSegmentation(const std::string& path, const ReaderOptions& options,
                          const std::function<void(const ReaderImage&)>& sink, ReadSummary* summary) {
  std::unique_ptr<SegmentationFile> segPtr;
  {
    log::PhaseTimer timer("parse the SEG and rebuild its grid");
    segPtr = std::make_unique<SegmentationFile>(path, options.referenceDirectory);
  }
  SegmentationFile& seg = *segPtr;
  {
    log::PhaseTimer timer("decode frames");
    seg.decodeAll();
  }
  Metadata metadata = seriesMetadata(seg);
  const Grid& grid = seg.grid();
  std::size_t images = 0;
  ReaderImage image;
  auto emit = [&](Volume& volume, std::vector<SegmentDescription> segments) {
    metadata.segmentAttributes.push_back(segments);
    ++images;
    std::swap(image.volume, volume);
    image.segments = std::move(segments);
    sink(image);
    std::swap(image.volume, volume);
  };
  auto describe = [&](std::uint16_t number) {
    SegmentDescription s = seg.segments().at(number);
    s.labelID = number;
    return s;
  };

  log::PhaseTimer timer("assemble and write images");
  switch (seg.type()) {
    case SegmentationType::Labelmap: {
      const PixelType type = seg.bitsAllocated() == 16 ? PixelType::UInt16 : PixelType::UInt8;
      Volume v = emptyVolume(grid, type, path);
      const std::optional<std::uint16_t> padding = seg.paddingValue();
      const std::uint16_t maxValue = type == PixelType::UInt8 ? 255 : 65535;
      // Slices without a frame take the background value.
      std::uint16_t fill = 0;
      if (padding && *padding <= maxValue) {
        fill = *padding;
      } else if (padding) {
        log::warning(path + ": Pixel Padding Value " + std::to_string(*padding) + " does not fit " +
                     std::to_string(seg.bitsAllocated()) + "-bit pixels; slices without a frame are 0");
      } else if (seg.segments().count(0)) {
        log::warning(path + ": no Pixel Padding Value designates the background, and segment 0 exists; slices "
                     "without a frame are 0");
      }
      if (fill != 0) {
        std::vector<bool> covered(grid.slices(), false);
        for (const auto& f : seg.frames()) covered[f.slice] = true;
        dispatchPixelType(type, [&](auto zero) {
          using T = decltype(zero);
          for (std::size_t k = 0; k < grid.slices(); ++k)
            if (!covered[k]) std::fill_n(v.samples<T>() + k * grid.slicePixels(), grid.slicePixels(), static_cast<T>(fill));
        });
      }
      // Values described by a segment (or the padding value): a table, not a
      // map lookup per voxel.
      std::vector<std::uint8_t> described(static_cast<std::size_t>(maxValue) + 1, 0);
      for (const auto& [number, s] : seg.segments())
        if (number <= maxValue) described[number] = 1;
      if (padding && *padding <= maxValue) described[*padding] = 1;
      std::vector<std::uint8_t> seen(65536, 0);
      for (std::size_t f = 0; f < seg.frames().size(); ++f)
        dispatchPixelType(type, [&](auto zero) {
          using T = decltype(zero);
          paintSamples<T>(seg, f, v, [&](T& out, unsigned stored) {
            out = static_cast<T>(stored);
            seen[stored & 0xffffu] = 1;
          });
        });
      std::set<unsigned> unknown;
      for (unsigned value = 0; value < seen.size(); ++value)
        if (seen[value] && (value > maxValue || !described[value])) unknown.insert(value);
      if (!unknown.empty())
        log::warning(path + ": pixel value " + std::to_string(*unknown.begin()) +
                     " is not described in the Segment Sequence");
      std::vector<SegmentDescription> list;
      for (const auto& [number, s] : seg.segments()) {
        if (padding && number == *padding) continue;  // the designated background
        if (s.type == codes::backgroundType())
          log::warning(path + ": segment " + std::to_string(number) +
                       " is typed Background but not designated by Pixel Padding Value; it is kept");
        list.push_back(describe(number));
      }
      emit(v, std::move(list));
      break;
    }
    case SegmentationType::Fractional: {
      if (options.mergeSegments)
        log::warning(path + ": --mergeSegments does not apply to a FRACTIONAL SEG; one image per segment");
      const double scale = 1.0 / seg.maximumFractionalValue();
      for (const auto& [number, s] : seg.segments()) {
        const PixelType type = options.fractionalAsProbability ? PixelType::Float32 : PixelType::Int16;
        Volume v = emptyVolume(grid, type, path);
        for (std::size_t f : framesOf(seg, number)) {
          if (options.fractionalAsProbability)
            paintSamples<float>(seg, f, v, [&](float& out, unsigned stored) {
              if (stored) out = static_cast<float>(std::min(1.0, stored * scale));
            });
          else
            paintSamples<std::int16_t>(seg, f, v, [&](std::int16_t& out, unsigned stored) {
              if (stored) out = static_cast<std::int16_t>(std::min(stored, 32767u));
            });
        }
        emit(v, {describe(number)});
      }
      break;
    }
    case SegmentationType::Binary: {
      std::vector<std::uint16_t> numbers;
      for (const auto& [number, s] : seg.segments()) numbers.push_back(number);
      const PixelType type = segmentNumberType(seg);
      // One buffer for every image: after each, only the slices painted are
      // cleared, so per-segment output costs little beyond compressing it.
      Volume v = emptyVolume(grid, type, path);
      std::vector<std::vector<std::size_t>> framesBySegment;
      for (std::size_t f = 0; f < seg.frames().size(); ++f) {
        const std::uint16_t number = seg.frames()[f].segment;
        if (number >= framesBySegment.size()) framesBySegment.resize(number + 1u);
        framesBySegment[number].push_back(f);
      }
      const std::size_t plane = grid.slicePixels() * bytesPerSample(type);
      // Paints a group; returns false when `detect` finds two segments on one voxel.
      std::set<std::size_t> painted;
      auto paint = [&](const std::vector<std::uint16_t>& group, bool detect) {
        bool collision = false;
        for (std::uint16_t number : group)
          if (number < framesBySegment.size())
            for (std::size_t f : framesBySegment[number]) {
              dispatchPixelType(type, [&](auto zero) {
                using T = decltype(zero);
                collision |= paintBits<T>(seg, f, static_cast<T>(number), v, detect);
              });
              painted.insert(seg.frames()[f].slice);
            }
        return !collision;
      };
      auto clear = [&] {
        for (std::size_t k : painted) std::memset(v.buffer.data() + k * plane, 0, plane);
        painted.clear();
      };
      auto describeAll = [&](const std::vector<std::uint16_t>& group) {
        std::vector<SegmentDescription> list;
        for (std::uint16_t number : group) list.push_back(describe(number));
        return list;
      };
      std::vector<std::vector<std::uint16_t>> groups;
      if (options.mergeSegments && seg.declaredOverlap() == SegmentsOverlap::No) {
        // The file says no two segments overlap: one image, one pass over the
        // frames, checked while painting.
        if (paint(numbers, true)) {
          emit(v, describeAll(numbers));
          break;
        }
        log::warning(path + ": Segments Overlap is NO, but segments overlap; grouping them by their voxels");
        clear();
      }
      if (options.mergeSegments) {
        groups = groupSegments(numbers, overlappingSegments(seg));
      } else {
        for (std::uint16_t n : numbers) groups.push_back({n});
      }
      for (const auto& group : groups) {
        paint(group, false);
        emit(v, describeAll(group));
        clear();
      }
      break;
    }
  }
  if (summary) {
    summary->type = seg.type();
    summary->transferSyntax = seg.transferSyntax();
    summary->segments = seg.segments().size();
    summary->frames = seg.frames().size();
    summary->images = images;
    summary->slide = seg.slide();
    summary->grid = grid;
  }
  return metadata;
}

ReadSummary readSegmentationToFiles(const std::string& input, const std::string& outputDirectory,
                                    const std::string& prefix, const std::string& outputType,
                                    const ReaderOptions& options) {
  const std::string extension = imageExtension(outputType);
  createDirectories(outputDirectory);
  OutputTransaction output;
  const std::string stem = outputDirectory + "/" + (prefix.empty() ? "" : prefix + "-");
  output.stage(stem + "meta.json");  // fails early when the directory is not writable
  ReadSummary summary;
  std::size_t n = 0;
  const Metadata metadata = readSegmentation(
      input, options,
      [&](const ReaderImage& image) {
        const std::string path = output.stage(stem + std::to_string(++n) + extension);
        writeImage(path, image.volume, true);
      },
      &summary);
  nlohmann::json json = toJson(metadata);
  if (repairUtf8(json))
    log::warning(input + ": text that is not valid UTF-8 was replaced by U+FFFD in the metadata");
  validateReaderOutput(SchemaId::Segmentation, json, input);
  writeTextFile(output.stage(stem + "meta.json"), json.dump(2) + "\n", stem + "meta.json");
  output.commit();
  return summary;
}

}  // namespace qidcm::seg
