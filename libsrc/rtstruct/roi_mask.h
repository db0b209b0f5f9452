#pragma once
// One ROI's closed contours onto an image grid: each contour to its plane,
// then each plane's contours to spans of pixels by rasterizeSpans' rule.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "qidcm/geometry.h"
#include "qidcm/rtstruct/structure_set.h"
#include "qidcm/volume.h"
#include "rtstruct/rasterize.h"

namespace qidcm::rtstruct {

constexpr std::size_t kAnySlice = static_cast<std::size_t>(-1);

struct RoiMaskOptions {
  // A contour within this distance (mm, along the slice normal) of a plane
  // lies on it; farther, but nearer than half the slice spacing, it is put on
  // the nearest plane with a warning. Negative: a tenth of the slice spacing.
  double planeTolerance = -1;
  // SOP Instance UID (multi-frame: "UID#frame") -> slice index of the
  // grid's images, to check each contour's Contour Image Sequence against the
  // plane geometry puts it on; kAnySlice for a multi-frame instance named
  // without a frame number. Null: not checked.
  const std::map<std::string, std::size_t>* instanceSlices = nullptr;
};

// One slice's inside pixels.
struct PlaneMask {
  std::size_t slice = 0;
  std::vector<Span> spans;
};

struct RoiMask {
  std::vector<PlaneMask> planes;     // by increasing slice; planes without pixels left out
  std::uint64_t count = 0;
  std::size_t closedContours = 0;    // contours rasterized
  std::size_t skippedContours = 0;   // POINT, OPEN_*, unknown types, or off the grid
  // Contour Image Sequence checks (with instanceSlices): contours without
  // one, and contours whose image is another slice or not in the series.
  std::size_t contoursWithoutImage = 0;
  std::size_t contoursImageDisagrees = 0;
  // Planes holding contours that lie on it only by rounding to the nearest
  // slice, beside other contours (combined by XOR all the same).
  std::size_t roundedTogetherPlanes = 0;
};

// Rasterizes `roi` on `grid`. Contours of other types are skipped with one
// warning per ROI and type; a contour off the grid's slices is skipped with a
// warning; a contour whose points do not lie in one plane of the grid is
// refused (Error, Input, naming `path`, the ROI and the contour). Where the
// Contour Image Sequence is missing or names another image, geometry decides,
// with one warning per ROI; contours that share a plane only by rounding get
// one warning per plane.
RoiMask rasterizeRoi(const Roi& roi, const Grid& grid, const std::string& path, const RoiMaskOptions& options = {});

// Sets the mask's voxels to `value` in `volume` (UInt8 or UInt16, on the grid
// the mask was made on).
void paint(const RoiMask& mask, std::uint16_t value, Volume& volume);

// The first voxel of the mask that is not 0 in `volume`, as (slice, its
// value); nullopt when the mask meets only zeros.
struct Conflict {
  std::size_t slice = 0;
  std::uint16_t value = 0;
};
std::optional<Conflict> firstConflict(const RoiMask& mask, const Volume& volume);

}  // namespace qidcm::rtstruct
