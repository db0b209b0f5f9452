#include "pet/suv_volume.h"

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

namespace qidcm::pet {
namespace {

// Stored value `p` of a frame as the signed or unsigned integer it is, with
// Bits Stored honoured (sign extended, high bits masked).
template <typename Raw>
double storedValue(Raw raw, unsigned bitsStored, bool isSigned) {
  using Wide = std::int64_t;
  const unsigned bits = sizeof(Raw) * 8;
  Wide v = static_cast<Wide>(raw);
  if (bitsStored < bits) v &= (Wide(1) << bitsStored) - 1;
  const unsigned width = bitsStored < bits ? bitsStored : bits;
  if (isSigned && (v & (Wide(1) << (width - 1)))) v -= Wide(1) << width;
  return static_cast<double>(v);
}

void readSlice(const PetSlice& slice, double factor, std::size_t k, Volume& out) {
  DcmFileFormat file;
  const OFCondition status =
      file.loadFile(slice.path.c_str(), EXS_Unknown, EGL_noChange, DCM_MaxReadLength, ERM_autoDetect);
  if (status.bad()) throwInput(slice.path, "", std::string("not a readable DICOM file (") + status.text() + ")");
  DcmDataset& ds = *file.getDataset();
  const std::string transferSyntax = dicom::getString(*file.getMetaInfo(), DCM_TransferSyntaxUID);
  const pixel::FrameSource source(ds, transferSyntax, slice.path, 1);
  const Grid& grid = out.grid;
  if (source.rows() != grid.rows() || source.columns() != grid.columns())
    throwInput(slice.path, "Rows (0028,0010)",
               std::to_string(source.rows()) + " x " + std::to_string(source.columns()) + " differs from the series' " +
                   std::to_string(grid.rows()) + " x " + std::to_string(grid.columns()));
  if (source.samplesPerPixel() != 1)
    throwInput(slice.path, "SamplesPerPixel (0028,0002)", "is not 1: not a PET image");
  Uint16 bitsStored = static_cast<Uint16>(source.bitsAllocated()), representation = 0;
  ds.findAndGetUint16(DCM_BitsStored, bitsStored);
  ds.findAndGetUint16(DCM_PixelRepresentation, representation);
  if (bitsStored == 0 || bitsStored > source.bitsAllocated()) bitsStored = static_cast<Uint16>(source.bitsAllocated());
  const bool isSigned = representation == 1;
  std::vector<std::uint8_t> scratch;
  const pixel::FrameSource::Frame frame = source.frame(0, scratch);
  float* target = out.samples<float>() + k * grid.slicePixels();
  const std::size_t n = grid.slicePixels();
  switch (source.bitsAllocated()) {
    case 8:
      for (std::size_t p = 0; p < n; ++p)
        target[p] = static_cast<float>(storedValue(frame.data[p], bitsStored, isSigned) * factor);
      break;
    case 16:
      for (std::size_t p = 0; p < n; ++p) {
        std::uint16_t raw;
        std::memcpy(&raw, frame.data + 2 * p, 2);
        target[p] = static_cast<float>(storedValue(raw, bitsStored, isSigned) * factor);
      }
      break;
    case 32:
      for (std::size_t p = 0; p < n; ++p) {
        std::uint32_t raw;
        std::memcpy(&raw, frame.data + 4 * p, 4);
        target[p] = static_cast<float>(storedValue(raw, bitsStored, isSigned) * factor);
      }
      break;
    default:
      throwInput(slice.path, "BitsAllocated (0028,0100)",
                 "is " + std::to_string(source.bitsAllocated()) + "; PET images have 8, 16 or 32");
  }
}

}  // namespace

Volume readSuvVolume(const PetSeries& series, const std::vector<double>& factors, const Grid& grid) {
  dcmtk::configure();
  dcmtk::registerDecoders();
  Volume out = emptyVolume(grid, PixelType::Float32, series.slices.empty() ? "" : series.slices[0].path);
  std::vector<std::size_t> index(series.slices.size());
  std::vector<bool> used(grid.slices(), false);
  for (std::size_t n = 0; n < series.slices.size(); ++n) {
    const double k = grid.continuousIndex(series.slices[n].position)[2];
    const long rounded = std::lround(k);
    if (std::fabs(k - static_cast<double>(rounded)) > 0.1 || rounded < 0 ||
        rounded >= static_cast<long>(grid.slices()) || used[static_cast<std::size_t>(rounded)])
      throwInput(series.slices[n].path, "ImagePositionPatient (0020,0032)",
                 "does not fall on a slice of the series' regular grid of its own");
    index[n] = static_cast<std::size_t>(rounded);
    used[index[n]] = true;
  }
  parallelFor(series.slices.size(),
              [&](int, std::size_t n) { readSlice(series.slices[n], factors[n], index[n], out); });
  return out;
}

}  // namespace qidcm::pet
