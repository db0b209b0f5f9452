#include "qidcm/pm/writer.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <sys/stat.h>

#include "pixel/frame_codec.h"
#include "core/output_transaction.h"
#include "dcmtk/setup.h"
#include "dicom/file_writer.h"
#include "source/source_references.h"
#include "pm/document.h"
#include "qidcm/error.h"
#include "qidcm/image_io.h"
#include "qidcm/log.h"

namespace qidcm::pm {

std::string toString(PixelType type) {
  switch (type) {
    case PixelType::Auto: return "auto";
    case PixelType::Float32: return "float32";
    case PixelType::Float64: return "float64";
    case PixelType::Int16: return "int16";
    case PixelType::UInt16: return "uint16";
  }
  return "auto";
}

PixelType parsePixelType(const std::string& text) {
  for (PixelType t : {PixelType::Auto, PixelType::Float32, PixelType::Float64, PixelType::Int16, PixelType::UInt16})
    if (toString(t) == text) return t;
  throwUsage("unknown pixel type '" + text + "' (auto, float32, float64, int16 or uint16)");
}

namespace {

struct ValueRange {
  double minimum = std::numeric_limits<double>::infinity();
  double maximum = -std::numeric_limits<double>::infinity();
  bool integral = true;
  bool finite = true;
};

ValueRange rangeOf(const Volume& v) {
  ValueRange r;
  dispatchPixelType(v.type, [&](auto zero) {
    using T = decltype(zero);
    const T* data = v.samples<T>();
    const std::size_t n = v.sampleCount();
    T lo = data[0], hi = data[0];
    for (std::size_t i = 0; i < n; ++i) {
      const T x = data[i];
      if constexpr (std::is_floating_point_v<T>) {
        if (!std::isfinite(x)) {
          r.finite = false;
          continue;
        }
        if (r.integral && x != std::floor(x)) r.integral = false;
      }
      lo = std::min(lo, x);
      hi = std::max(hi, x);
    }
    r.minimum = static_cast<double>(lo);
    r.maximum = static_cast<double>(hi);
  });
  return r;
}

PixelType choosePixelType(const Volume& v, const ValueRange& range, PixelType requested, const std::string& path) {
  auto fitsInt16 = [&] { return range.integral && range.minimum >= -32768 && range.maximum <= 32767; };
  auto fitsUInt16 = [&] { return range.integral && range.minimum >= 0 && range.maximum <= 65535; };
  switch (requested) {
    case PixelType::Int16:
      if (!fitsInt16())
        throwInput(path, "", "values from " + formatDS(range.minimum) + " to " + formatDS(range.maximum) +
                                 (range.integral ? "" : ", not all integers,") + " do not fit --pixelType int16");
      return requested;
    case PixelType::UInt16:
      if (!fitsUInt16())
        throwInput(path, "", "values from " + formatDS(range.minimum) + " to " + formatDS(range.maximum) +
                                 (range.integral ? "" : ", not all integers,") + " do not fit --pixelType uint16");
      return requested;
    case PixelType::Float32:
    case PixelType::Float64: return requested;
    case PixelType::Auto: break;
  }
  if (v.type == qidcm::PixelType::Float32) return PixelType::Float32;
  if (v.type == qidcm::PixelType::Float64) return PixelType::Float64;
  if (v.type == qidcm::PixelType::Int16 || v.type == qidcm::PixelType::Int8 || v.type == qidcm::PixelType::UInt8)
    return v.type == qidcm::PixelType::UInt8 ? PixelType::UInt16 : PixelType::Int16;
  if (v.type == qidcm::PixelType::UInt16) return PixelType::UInt16;
  if (fitsInt16()) return PixelType::Int16;
  if (fitsUInt16()) return PixelType::UInt16;
  log::warning(path + ": " + pixelTypeName(v.type) +
               " values do not fit 16 bits; the map is stored as 64-bit floating point");
  return PixelType::Float64;
}

// Streams slice `k` converted to the stored type, little endian.
// Slice k of the map as stored pixel bytes (little endian) in `buf`.
void sliceBytes(const Volume& v, std::size_t k, PixelType type, std::vector<std::uint8_t>& buf) {
  const std::size_t plane = v.grid.slicePixels();
  const unsigned bytes = bitsAllocated(type) / 8;
  buf.resize(plane * bytes);
  dispatchPixelType(v.type, [&](auto zero) {
    using T = decltype(zero);
    const T* data = v.samples<T>() + k * plane;
    for (std::size_t p = 0; p < plane; ++p) {
      const double x = static_cast<double>(data[p]);
      switch (type) {
        case PixelType::Float32: {
          const float f = static_cast<float>(data[p]);
          std::memcpy(&buf[p * 4], &f, 4);
          break;
        }
        case PixelType::Float64: std::memcpy(&buf[p * 8], &x, 8); break;
        case PixelType::Int16: {
          const auto s = static_cast<std::int16_t>(x);
          std::memcpy(&buf[p * 2], &s, 2);
          break;
        }
        default: {
          const auto u = static_cast<std::uint16_t>(x);
          std::memcpy(&buf[p * 2], &u, 2);
          break;
        }
      }
    }
  });
}

}  // namespace

WriteSummary writeParametricMap(const Volume& image, const std::string& imagePath, const Metadata& metadata,
                                const SourceIndex& sources, const std::string& outputPath,
                                const WriterOptions& options) {
  dcmtk::configure();
  OutputTransaction output;
  const std::string staged = output.stage(outputPath);
  if (image.components != 1)
    throwInput(imagePath, "", "has " + std::to_string(image.components) +
                                  " components; a parametric map needs a scalar image");
  const Grid& grid = image.grid;
  if (grid.columns() > 65535 || grid.rows() > 65535)
    throwInput(imagePath, "", "slices exceed DICOM's 65535 rows or columns");
  sources.requireSinglePatient();
  sources.requireConsistentSeries();

  PixelDescription pixels;
  {
    log::PhaseTimer timer("scan the map's values");
    const ValueRange range = rangeOf(image);
    if (!range.finite) throwInput(imagePath, "", "holds NaN or infinite values, which a parametric map cannot store");
    pixels.type = choosePixelType(image, range, options.pixelType, imagePath);
    requireAllowed(options.compression, {bitsAllocated(pixels.type), isFloating(pixels.type)},
                   std::string("a ") + toString(pixels.type) + " parametric map");
    pixels.minimum = range.minimum;
    pixels.maximum = range.maximum;
  }

  // Frames in ascending position along the slice normal.
  std::vector<std::size_t> slices(grid.slices());
  for (std::size_t k = 0; k < slices.size(); ++k) slices[k] = k;
  if (dot(grid.normal(), grid.direction[2]) < 0) std::reverse(slices.begin(), slices.end());

  // Source matching: a grid that matches nothing still gives a map.
  std::vector<SliceMatch> matches{matchSlices(grid, sources, options.matchTolerance)};
  if (!matches[0].any())
    log::warning(imagePath + ": the map's grid matches no source image (" +
                 describeMismatch(grid, sources, options.matchTolerance) +
                 "); it is written without per-frame references");
  Code derivation = metadata.derivation ? *metadata.derivation : metadata.quantity;
  if (!metadata.derivation && matches[0].any())
    log::warning((metadata.sourceFile.empty() ? std::string("metadata") : metadata.sourceFile) +
                 ": no DerivationCode; the quantity code is used");
  std::vector<std::pair<std::size_t, std::size_t>> frames;
  for (std::size_t k : slices) frames.emplace_back(0, k);
  const source::SourceReferences references(sources, matches, frames, true,
                                           {derivation, metadata.derivationDescription, codes::sourceImagePurpose(), {}});
  std::string modality = references.primary().modality;
  if (modality.empty()) modality = "OT";

  Document document(grid, slices, metadata, pixels, references, modality, options);
  {
    log::PhaseTimer timer("write document and frames");
    std::unique_ptr<DcmDataset> head = document.head();
    dicom::FramePixels frames;
    frames.format.rows = grid.rows();
    frames.format.columns = grid.columns();
    frames.format.bitsAllocated = bitsAllocated(pixels.type);
    frames.format.isSigned = pixels.type == PixelType::Int16;
    frames.floating = isFloating(pixels.type);
    frames.frames = slices.size();
    frames.nativeLength = static_cast<std::uint64_t>(grid.voxels()) * (bitsAllocated(pixels.type) / 8);
    frames.frame = [&](std::size_t f, std::vector<std::uint8_t>& out) {
      sliceBytes(image, slices[f], pixels.type, out);
    };
    dicom::writeMultiFrame(
        staged, *head, options.compression,
        [&](std::size_t f, DcmItem& item) { document.fillPerFrame(f, item); }, frames);
  }
  WriteSummary summary;
  struct stat st;
  if (stat(staged.c_str(), &st) == 0) summary.bytes = static_cast<std::uint64_t>(st.st_size);
  output.commit();
  summary.sopInstanceUID = document.sopInstanceUID();
  summary.frames = slices.size();
  summary.referencedInstances = references.referencedInstances();
  summary.matchedSlices = matches[0].matchedSlices;
  summary.pixelType = pixels.type;
  summary.modality = modality;
  return summary;
}

WriteSummary writeParametricMapFiles(const WriterFiles& files, const WriterOptions& options) {
  Metadata metadata;
  {
    log::PhaseTimer timer("read and validate metadata");
    metadata = readMetadataFile(files.metadata);
  }
  if (files.dicomFiles.empty() && files.dicomDirectories.empty())
    throwUsage("no source DICOM given (--inputDICOMDirectory or --inputDICOMList)");
  {
    OutputTransaction probe;
    probe.stage(files.output);
  }
  Volume image;
  {
    log::PhaseTimer timer("read the map");
    image = readImage(files.image);
  }
  SourceIndex sources;
  {
    log::PhaseTimer timer("scan source DICOM headers");
    sources = SourceIndex::scan(files.dicomFiles, files.dicomDirectories);
  }
  return writeParametricMap(image, files.image, metadata, sources, files.output, options);
}

}  // namespace qidcm::pm
