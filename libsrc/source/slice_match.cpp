// Slice <-> source matching by plane position and orientation.
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <sstream>

#include "qidcm/source.h"

namespace qidcm {
namespace {

// Does the source frame's in-plane rectangle overlap the grid's slice rectangle?
bool footprintsOverlap(const Grid& grid, const SourceInstance& src, const Vec3& position) {
  double iMin = 1e300, iMax = -1e300, jMin = 1e300, jMax = -1e300;
  for (int r = 0; r < 2; ++r)
    for (int c = 0; c < 2; ++c) {
      const double dc = c ? (src.columns - 1) * src.columnSpacing : 0.0;
      const double dr = r ? (src.rows - 1) * src.rowSpacing : 0.0;
      const Vec3 corner = position + dc * src.rowCosine + dr * src.columnCosine;
      const Vec3 idx = grid.continuousIndex(corner);
      iMin = std::min(iMin, idx[0]);
      iMax = std::max(iMax, idx[0]);
      jMin = std::min(jMin, idx[1]);
      jMax = std::max(jMax, idx[1]);
    }
  const double cols = static_cast<double>(grid.columns());
  const double rows = static_cast<double>(grid.rows());
  return iMax >= -0.5 && iMin <= cols - 0.5 && jMax >= -0.5 && jMin <= rows - 0.5;
}

struct Candidate {
  std::size_t slice;
  double distance;  // mm from the slice plane
};

// Slice of `grid` that the plane through `position` coincides with, if any.
bool sliceFor(const Grid& grid, const Vec3& position, double tolerance, Candidate& out) {
  const Vec3 n = grid.normal();
  const double step = grid.spacing[2] * dot(n, grid.direction[2]);
  if (std::fabs(step) < 1e-9) return false;
  const double d = dot(n, position - grid.origin) / step;
  const double k = std::round(d);
  out.distance = std::fabs(d - k) * std::fabs(step);
  if (k < 0 || k >= static_cast<double>(grid.slices())) return false;
  out.slice = static_cast<std::size_t>(k);
  return out.distance <= tolerance;
}

}  // namespace

SliceMatch matchSlices(const Grid& grid, const SourceIndex& index, double toleranceFraction) {
  SliceMatch match;
  match.perSlice.resize(grid.slices());
  const double tolerance = toleranceFraction * grid.spacing[2];
  const Vec3 n = grid.normal();
  const auto& instances = index.instances();

  // First pass: every coplanar, overlapping frame, whatever its frame of reference.
  std::vector<std::vector<SourceReference>> all(grid.slices());
  for (std::size_t i = 0; i < instances.size(); ++i) {
    const SourceInstance& src = instances[i];
    if (!src.hasGeometry || !parallelPlanes(n, cross(src.rowCosine, src.columnCosine))) continue;
    for (const auto& frame : src.frames) {
      Candidate c;
      if (!sliceFor(grid, frame.position, tolerance, c)) continue;
      if (!footprintsOverlap(grid, src, frame.position)) continue;
      all[c.slice].push_back({i, frame.frameNumber});
    }
  }

  // The primary series is the one covering the most slices; its frame of
  // reference decides which matches are kept.
  std::map<std::string, std::size_t> slicesPerSeries;
  std::map<std::string, std::size_t> representative;
  for (const auto& refs : all) {
    std::map<std::string, bool> counted;
    for (const auto& r : refs) {
      const std::string& series = instances[r.instance].seriesInstanceUID;
      if (!counted[series]) {
        ++slicesPerSeries[series];
        counted[series] = true;
      }
      representative.emplace(series, r.instance);
    }
  }
  std::string primary;
  std::size_t best = 0;
  for (const auto& [series, count] : slicesPerSeries)
    if (count > best) {
      best = count;
      primary = series;
    }
  if (best == 0) return match;
  match.primaryInstance = representative[primary];
  const std::string& frameOfReference = instances[match.primaryInstance].frameOfReferenceUID;
  for (std::size_t k = 0; k < all.size(); ++k) {
    for (const auto& r : all[k])
      if (instances[r.instance].frameOfReferenceUID == frameOfReference) match.perSlice[k].push_back(r);
    if (!match.perSlice[k].empty()) ++match.matchedSlices;
  }
  return match;
}

std::string describeMismatch(const Grid& grid, const SourceIndex& index, double toleranceFraction) {
  const Vec3 n = grid.normal();
  std::size_t parallel = 0;
  double closest = std::numeric_limits<double>::infinity();
  for (const auto& src : index.instances()) {
    if (!src.hasGeometry || !parallelPlanes(n, cross(src.rowCosine, src.columnCosine))) continue;
    ++parallel;
    for (const auto& frame : src.frames) {
      Candidate c;
      sliceFor(grid, frame.position, 0.0, c);
      const double d = dot(n, frame.position - grid.origin);
      const double extent = grid.spacing[2] * (grid.slices() - 1);
      // distance to the slab covered by the grid when outside it, else to the nearest slice
      const double outside = d < 0 ? -d : (d > extent ? d - extent : c.distance);
      closest = std::min(closest, outside);
    }
  }
  std::ostringstream s;
  s << index.instances().size() << " source image(s) scanned; ";
  if (parallel == 0) {
    s << "none has slices parallel to the image grid";
  } else {
    s << parallel << " parallel to the grid, the closest plane is " << closest
      << " mm from a grid slice (tolerance " << toleranceFraction * grid.spacing[2] << " mm) or none overlaps it in-plane";
  }
  return s.str();
}

}  // namespace qidcm
