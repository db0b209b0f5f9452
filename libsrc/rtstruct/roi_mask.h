#pragma once
// One ROI's closed contours onto an image grid: each contour to its plane,
// then each plane's contours to pixels by rasterizePlane's rule.
#include <cstdint>
#include <string>
#include <vector>

#include "qidcm/geometry.h"
#include "qidcm/rtstruct/structure_set.h"
#include "qidcm/volume.h"

namespace qidcm::rtstruct {

struct RoiMaskOptions {
  // A contour within this distance (mm, along the slice normal) of a plane
  // lies on it; farther, but nearer than half the slice spacing, it is put on
  // the nearest plane with a warning. Negative: a tenth of the slice spacing.
  double planeTolerance = -1;
};

struct RoiMask {
  Volume volume;                     // UInt8 on the grid, 0 or 1
  std::uint64_t count = 0;
  std::size_t closedContours = 0;    // contours rasterized
  std::size_t skippedContours = 0;   // POINT, OPEN_*, unknown types, or off the grid
};

// Rasterizes `roi` on `grid`. Contours of other types are skipped with one
// warning per ROI and type; a contour off the grid's slices is skipped with a
// warning; a contour whose points do not lie in one plane of the grid is
// refused (Error, Input, naming `path`, the ROI and the contour).
RoiMask rasterizeRoi(const Roi& roi, const Grid& grid, const std::string& path, const RoiMaskOptions& options = {});

}  // namespace qidcm::rtstruct
