#include "rtstruct/roi_mask.h"

#include <algorithm>
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
  double k;  // continuous slice index of the contour's plane
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
  if (!std::isfinite(nearest) || nearest < 0 || nearest >= static_cast<double>(grid.slices())) {
    log::warning(path + ": " + where + " lies off the image slices (slice index " + mm(k) + "); it is skipped");
    return false;
  }
  const double distance = std::fabs(k - nearest) * spacing;
  if (distance > tolerance)
    log::warning(path + ": " + where + " lies between slices, " + mm(distance) + " mm from slice " +
                 std::to_string(static_cast<long>(nearest)) + " (z " + mm(c.points.front()[2]) + "); put on it");
  out.slice = static_cast<std::size_t>(nearest);
  out.k = k;
  return true;
}

}  // namespace

RoiMask rasterizeRoi(const Roi& roi, const Grid& grid, const std::string& path, const RoiMaskOptions& options) {
  const double tolerance = options.planeTolerance >= 0 ? options.planeTolerance : 0.1 * grid.spacing[2];
  RoiMask mask;
  std::map<std::size_t, std::vector<Polygon>> planes;
  std::map<std::size_t, std::vector<std::pair<std::size_t, double>>> planeContours;  // slice -> (contour, k)
  std::set<std::string> skippedTypes;
  std::string firstWithoutImage, firstDisagreement;
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
    if (options.instanceSlices) {
      if (c.images.empty()) {
        if (!mask.contoursWithoutImage++) firstWithoutImage = std::to_string(n + 1);
      } else {
        const unsigned frame = c.imageFrames.empty() ? 0 : c.imageFrames.front();
        auto it = options.instanceSlices->find(frame ? c.images.front() + "#" + std::to_string(frame)
                                                      : c.images.front());
        // Some planning systems name frame 1 of a single-frame image.
        if (it == options.instanceSlices->end() && frame == 1) it = options.instanceSlices->find(c.images.front());
        if (it == options.instanceSlices->end() || (it->second != placed.slice && it->second != kAnySlice)) {
          if (!mask.contoursImageDisagrees++)
            firstDisagreement =
                "contour " + std::to_string(n + 1) + " names image " + c.images.front() +
                (it == options.instanceSlices->end() ? ", which is not in the series,"
                                                     : " (slice " + std::to_string(it->second) + ")") +
                " but lies on slice " + std::to_string(placed.slice);
        }
      }
    }
    planeContours[placed.slice].emplace_back(n, placed.k);
    planes[placed.slice].push_back(std::move(placed.polygon));
    ++mask.closedContours;
  }
  if (mask.contoursWithoutImage)
    log::warning(path + ": " + roiText(roi) + ": " + std::to_string(mask.contoursWithoutImage) +
                 " contour(s) without a Contour Image Sequence (the first: contour " + firstWithoutImage +
                 "); put on slices by geometry");
  if (mask.contoursImageDisagrees)
    log::warning(path + ": " + roiText(roi) + ": " + std::to_string(mask.contoursImageDisagrees) +
                 " contour(s) whose Contour Image Sequence disagrees with the geometry (" + firstDisagreement +
                 "); geometry decides");
  for (const auto& [slice, members] : planeContours) {
    if (members.size() < 2) continue;
    double kMin = INFINITY, kMax = -INFINITY;
    for (const auto& m : members) kMin = std::min(kMin, m.second), kMax = std::max(kMax, m.second);
    if ((kMax - kMin) * grid.spacing[2] <= tolerance) continue;
    ++mask.roundedTogetherPlanes;
    std::string which;
    for (const auto& m : members)
      which += (which.empty() ? "" : ", ") + std::to_string(m.first + 1) + " (slice index " + mm(m.second) + ")";
    log::warning(path + ": " + roiText(roi) + ": contours " + which + " lie on different planes but round to slice " +
                 std::to_string(slice) + "; they are combined there by the even-odd rule");
  }
  for (const std::string& type : skippedTypes)
    log::warning(path + ": " + roiText(roi) + ": " + type + " contours are skipped; only closed contours are rasterized");
  for (const auto& [slice, polygons] : planes) {
    PlaneMask plane;
    plane.slice = slice;
    mask.count += rasterizeSpans(polygons, grid.columns(), grid.rows(), plane.spans);
    if (!plane.spans.empty()) mask.planes.push_back(std::move(plane));
  }
  return mask;
}

namespace {
template <typename T>
void paintAs(const RoiMask& mask, std::uint16_t value, Volume& volume) {
  T* voxels = volume.samples<T>();
  const std::size_t columns = volume.grid.columns(), plane = volume.grid.slicePixels();
  for (const PlaneMask& p : mask.planes)
    for (const Span& s : p.spans) {
      T* row = voxels + p.slice * plane + s.row * columns;
      std::fill(row + s.i0, row + s.i1, static_cast<T>(value));
    }
}

template <typename T>
std::optional<Conflict> conflictAs(const RoiMask& mask, const Volume& volume) {
  const T* voxels = volume.samples<T>();
  const std::size_t columns = volume.grid.columns(), plane = volume.grid.slicePixels();
  for (const PlaneMask& p : mask.planes)
    for (const Span& s : p.spans) {
      const T* row = voxels + p.slice * plane + s.row * columns;
      for (std::uint32_t i = s.i0; i < s.i1; ++i)
        if (row[i]) return Conflict{p.slice, static_cast<std::uint16_t>(row[i])};
    }
  return std::nullopt;
}
}  // namespace

void paint(const RoiMask& mask, std::uint16_t value, Volume& volume) {
  if (volume.type == PixelType::UInt16) return paintAs<std::uint16_t>(mask, value, volume);
  paintAs<std::uint8_t>(mask, value, volume);
}

std::optional<Conflict> firstConflict(const RoiMask& mask, const Volume& volume) {
  if (volume.type == PixelType::UInt16) return conflictAs<std::uint16_t>(mask, volume);
  return conflictAs<std::uint8_t>(mask, volume);
}

}  // namespace qidcm::rtstruct
