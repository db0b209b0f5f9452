// The pixels of a source series, decoded (any transfer syntax, through
// FrameSource) into modality values on the series' grid: what a viewer or a
// QC page draws under a derived object.
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcmetinf.h>

#include <cmath>
#include <cstdint>
#include <cstring>

#include "core/parallel.h"
#include "dcmtk/setup.h"
#include "dicom/dataset_util.h"
#include "pixel/frame_source.h"
#include "qidcm/error.h"
#include "qidcm/log.h"
#include "qidcm/source.h"

namespace qidcm {
namespace {

struct PixelFormat {
  unsigned bitsStored = 16;
  bool isSigned = false;
  double slope = 1, intercept = 0;
};

double stored(std::int64_t v, const PixelFormat& f, unsigned bits) {
  const unsigned width = f.bitsStored < bits ? f.bitsStored : bits;
  if (width < 64) v &= (std::int64_t(1) << width) - 1;
  if (f.isSigned && (v & (std::int64_t(1) << (width - 1)))) v -= std::int64_t(1) << width;
  return static_cast<double>(v);
}

// Rescale Slope and Intercept: top level, else the shared Pixel Value
// Transformation functional group of an enhanced image.
void readRescale(DcmDataset& ds, PixelFormat& f) {
  Float64 v;
  DcmItem* item = &ds;
  DcmItem* shared = nullptr;
  DcmItem* transform = nullptr;
  if (ds.findAndGetSequenceItem(DCM_SharedFunctionalGroupsSequence, shared, 0).good() && shared &&
      shared->findAndGetSequenceItem(DCM_PixelValueTransformationSequence, transform, 0).good() && transform)
    item = transform;
  if (item->findAndGetFloat64(DCM_RescaleSlope, v).good() && std::isfinite(v) && v != 0) f.slope = v;
  if (item->findAndGetFloat64(DCM_RescaleIntercept, v).good() && std::isfinite(v)) f.intercept = v;
}

void placeFrame(const pixel::FrameSource& source, const pixel::FrameSource::Frame& frame, const PixelFormat& f,
                float* target, std::size_t n) {
  const std::size_t samples = source.samplesPerPixel();
  const unsigned bits = source.bitsAllocated();
  for (std::size_t p = 0; p < n; ++p) {
    double sum = 0;
    for (std::size_t s = 0; s < samples; ++s) {
      const std::size_t at = p * samples + s;
      std::int64_t raw = 0;
      if (bits == 8) {
        raw = frame.data[at];
      } else if (bits == 16) {
        std::uint16_t r;
        std::memcpy(&r, frame.data + 2 * at, 2);
        raw = r;
      } else if (bits == 32) {
        std::uint32_t r;
        std::memcpy(&r, frame.data + 4 * at, 4);
        raw = r;
      } else if (bits == 1) {
        const std::size_t bit = frame.bitOffset + at;
        raw = (frame.data[bit / 8] >> (bit % 8)) & 1;
      }
      sum += stored(raw, f, bits);
    }
    target[p] = static_cast<float>(sum / static_cast<double>(samples) * f.slope + f.intercept);
  }
}

}  // namespace

SeriesPixels readSeriesPixels(const SourceIndex& index, const std::string& seriesInstanceUID, const Grid& grid,
                              bool modalityValues) {
  dcmtk::configure();
  dcmtk::registerDecoders();
  const SourceIndex series = index.series(seriesInstanceUID);
  SeriesPixels out;
  out.volume = emptyVolume(grid, PixelType::Float32, series.empty() ? "" : series.instances()[0].path);
  out.volume.buffer.zero();
  out.sliceInstances.assign(grid.slices(), "");
  const auto& instances = series.instances();
  // Which frame fills which slice, before any file is read: the first frame
  // on a slice (in the index's order) wins, so that each slice is decoded
  // once and by one thread; frames on a slice already taken are counted.
  std::vector<std::vector<std::pair<std::size_t, std::size_t>>> work(instances.size());  // (frame, slice)
  std::size_t duplicates = 0, off = 0;
  for (std::size_t n = 0; n < instances.size(); ++n) {
    const SourceInstance& s = instances[n];
    if (s.rows != grid.rows() || s.columns != grid.columns()) {
      off += s.frames.size();
      continue;
    }
    for (std::size_t fr = 0; fr < s.frames.size() && (s.multiFrame || fr == 0); ++fr) {
      const Vec3 k = grid.continuousIndex(s.frames[fr].position);
      const double slice = std::round(k[2]);
      if (!(std::fabs(k[2] - slice) <= 0.1 && slice >= 0 && slice < static_cast<double>(grid.slices()) &&
            std::fabs(k[0]) <= 0.1 && std::fabs(k[1]) <= 0.1)) {
        ++off;
        continue;
      }
      const std::size_t at = static_cast<std::size_t>(slice);
      if (!out.sliceInstances[at].empty()) {
        ++duplicates;
        continue;
      }
      out.sliceInstances[at] = s.sopInstanceUID;
      work[n].push_back({fr, at});
      ++out.placedSlices;
    }
  }
  parallelFor(instances.size(), [&](int, std::size_t n) {
    if (work[n].empty()) return;
    const SourceInstance& s = instances[n];
    DcmFileFormat file;
    const OFCondition status =
        file.loadFile(s.path.c_str(), EXS_Unknown, EGL_noChange, pixel::kDeferredValueLength, ERM_autoDetect);
    if (status.bad()) throwInput(s.path, "", std::string("not a readable DICOM file (") + status.text() + ")");
    DcmDataset& ds = *file.getDataset();
    const std::string syntax = dicom::getString(*file.getMetaInfo(), DCM_TransferSyntaxUID);
    const std::size_t frames = s.multiFrame ? s.frames.size() : 1;
    PixelFormat f;
    Uint16 value = 0;
    if (ds.findAndGetUint16(DCM_BitsStored, value).good() && value > 0) f.bitsStored = value;
    if (ds.findAndGetUint16(DCM_PixelRepresentation, value).good()) f.isSigned = value == 1;
    if (modalityValues) readRescale(ds, f);
    const pixel::FrameSource source(ds, syntax, s.path, frames);
    if (source.rows() != grid.rows() || source.columns() != grid.columns())
      throwInput(s.path, "Rows (0028,0010)", "differs from the header scanned before");
    if (f.bitsStored > source.bitsAllocated()) f.bitsStored = source.bitsAllocated();
    std::vector<std::uint8_t> scratch;
    for (const auto& [fr, slice] : work[n]) {
      const pixel::FrameSource::Frame frame = source.frame(fr, scratch);
      placeFrame(source, frame, f, out.volume.samples<float>() + slice * grid.slicePixels(), grid.slicePixels());
    }
  });
  // The window and modality of the first image read.
  for (std::size_t n = 0; n < instances.size(); ++n) {
    if (work[n].empty()) continue;
    DcmFileFormat file;
    if (file.loadFile(instances[n].path.c_str(), EXS_Unknown, EGL_noChange, 4096, ERM_autoDetect).bad()) break;
    DcmDataset& ds = *file.getDataset();
    out.modality = dicom::getString(ds, DCM_Modality);
    out.units = dicom::getString(ds, DCM_RescaleType);
    if (out.units.empty() && out.modality == "CT") out.units = "HU";
    if (out.units.empty()) out.units = dicom::getString(ds, DCM_Units);
    Float64 c = 0, w = 0;
    if (ds.findAndGetFloat64(DCM_WindowCenter, c).good() && ds.findAndGetFloat64(DCM_WindowWidth, w).good() &&
        std::isfinite(c) && std::isfinite(w) && w > 0)
      out.windowCenter = c, out.windowWidth = w;
    break;
  }
  const std::string series_ = "series " + seriesInstanceUID + ": ";
  if (out.placedSlices < grid.slices())
    out.warnings.push_back(series_ + std::to_string(grid.slices() - out.placedSlices) + " of " +
                           std::to_string(grid.slices()) + " slices have no image; drawn black");
  if (duplicates)
    out.warnings.push_back(series_ + std::to_string(duplicates) +
                           " images lie on a slice another image already fills (a dynamic or repeated series?); "
                           "the first one is drawn");
  if (off)
    out.warnings.push_back(series_ + std::to_string(off) + " frames do not lie on the series' regular grid; not drawn");
  for (const std::string& w : out.warnings) log::warning(w);
  return out;
}

}  // namespace qidcm
