#include "rtstruct/roi_mask.h"

#include <cmath>
#include <map>
#include <set>

#include "qidcm/error.h"
#include "qidcm/log.h"
#include "rtstruct/rasterize.h"

namespace qidcm::rtstruct {
namespace {

std::string roiText(const Roi& roi) { return "ROI " + std::to_string(roi.number) + " (\"" + roi.name + "\")"; }

std::string mm(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g", v);
  return text;
}

struct PlacedContour {
  std::size_t slice;
  Polygon polygon;
};

// The contour in the grid's index space, on its plane; false when off the grid's slices.
bool place(const Contour& c, std::size_t index, const Roi& roi, const Grid& grid, double tolerance,
           const std::string& path, PlacedContour& out) {
  const double spacing = grid.spacing[2];
  double kMin = INFINITY, kMax = -INFINITY, kSum = 0;
  out.polygon.clear();
  out.polygon.reserve(c.points.size());
  for (const Vec3& p : c.points) {
    const Vec3 x = grid.continuousIndex(p);
    kMin = std::min(kMin, x[2]);
    kMax = std::max(kMax, x[2]);
    kSum += x[2];
    out.polygon.push_back({x[0], x[1]});
  }
  const std::string where = roiText(roi) + " contour " + std::to_string(index + 1);
  if ((kMax - kMin) * spacing > std::max(tolerance, 1e-3))
    throwInput(path, "ContourData (3006,0050)",
               where + " is not planar on the image grid: its points span " + mm((kMax - kMin) * spacing) +
                   " mm along the slice normal");
  const double k = kSum / static_cast<double>(c.points.size());
  const double nearest = std::floor(k + 0.5);  // exactly half way: the higher index, as plastimatch
  if (nearest < 0 || nearest >= static_cast<double>(grid.slices())) {
    log::warning(path + ": " + where + " lies off the image slices (slice index " + mm(k) + "); it is skipped");
    return false;
  }
  const double distance = std::fabs(k - nearest) * spacing;
  if (distance > tolerance)
    log::warning(path + ": " + where + " lies between slices, " + mm(distance) + " mm from slice " +
                 std::to_string(static_cast<long>(nearest)) + " (z " + mm(c.points.front()[2]) + "); put on it");
  out.slice = static_cast<std::size_t>(nearest);
  return true;
}

}  // namespace

RoiMask rasterizeRoi(const Roi& roi, const Grid& grid, const std::string& path, const RoiMaskOptions& options) {
  const double tolerance = options.planeTolerance >= 0 ? options.planeTolerance : 0.1 * grid.spacing[2];
  RoiMask mask;
  std::map<std::size_t, std::vector<Polygon>> planes;
  std::set<std::string> skippedTypes;
  PlacedContour placed;
  for (std::size_t n = 0; n < roi.contours.size(); ++n) {
    const Contour& c = roi.contours[n];
    if (c.type != ContourType::ClosedPlanar && c.type != ContourType::ClosedPlanarXor) {
      skippedTypes.insert(c.typeText.empty() ? "(empty)" : c.typeText);
      ++mask.skippedContours;
      continue;
    }
    if (!place(c, n, roi, grid, tolerance, path, placed)) {
      ++mask.skippedContours;
      continue;
    }
    planes[placed.slice].push_back(std::move(placed.polygon));
    ++mask.closedContours;
  }
  for (const std::string& type : skippedTypes)
    log::warning(path + ": " + roiText(roi) + ": " + type + " contours are skipped; only closed contours are rasterized");
  mask.volume.grid = grid;
  mask.volume.type = PixelType::UInt8;
  mask.volume.allocate(path);
  mask.volume.buffer.zero();
  std::uint8_t* voxels = mask.volume.samples<std::uint8_t>();
  const std::size_t plane = grid.slicePixels();
  for (const auto& [slice, polygons] : planes)
    mask.count += rasterizePlane(polygons, grid.columns(), grid.rows(), voxels + slice * plane).pixels;
  return mask;
}

}  // namespace qidcm::rtstruct
