#include "qidcm/stack.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "qidcm/error.h"
#include "qidcm/log.h"

namespace qidcm {
namespace {

std::string mm(double v) {
  std::ostringstream s;
  s.precision(6);
  s << v << " mm";
  return s.str();
}

// Is `gap` a whole multiple (>= 1) of `step`?
bool multipleOf(double gap, double step, double tolerance) {
  if (step <= 0) return false;
  const double ratio = gap / step;
  const double whole = std::round(ratio);
  return whole >= 1 && std::fabs(gap - whole * step) <= tolerance;
}

}  // namespace

StackPlacement placeFrames(const FrameStack& s, const std::string& path) {
  if (s.positions.empty()) throwInput(path, "", "no frame");
  const Vec3 normal = normalized(cross(s.rowCosine, s.columnCosine));
  if (norm(cross(s.rowCosine, s.columnCosine)) < 0.5)
    throwInput(path, "ImageOrientationPatient (0020,0037)", "row and column cosines are not orthogonal");
  const double inPlaneTolerance = 0.02 * std::min(s.rowSpacing, s.columnSpacing) + 1e-4;
  const double alongTolerance = 0.01;  // mm: positions closer than this are one slice

  // Projections, and the in-plane offset every frame must share.
  const std::size_t n = s.positions.size();
  std::vector<double> along(n);
  for (std::size_t f = 0; f < n; ++f) along[f] = dot(normal, s.positions[f]);
  const Vec3 inPlane0 = s.positions[0] - along[0] * normal;
  for (std::size_t f = 1; f < n; ++f) {
    const Vec3 inPlane = s.positions[f] - along[f] * normal;
    const double offset = norm(inPlane - inPlane0);
    if (offset > inPlaneTolerance)
      throwInput(path, "PlanePositionSequence",
                 "frames cannot lie on one grid: frame " + std::to_string(f + 1) + " is shifted " + mm(offset) +
                     " in-plane from frame 1");
  }

  // Distinct slice positions of the frames and of the reference series.
  std::vector<double> levels(along);
  std::vector<double> reference;
  for (const Vec3& p : s.referencePositions) reference.push_back(dot(normal, p));
  levels.insert(levels.end(), reference.begin(), reference.end());
  std::sort(levels.begin(), levels.end());
  std::vector<double> distinct;
  for (double v : levels)
    if (distinct.empty() || v - distinct.back() > alongTolerance) distinct.push_back(v);

  // Slice spacing: the declared spacing when every gap is a multiple of it,
  // else the smallest gap when every gap is a multiple of that.
  double spacing = 0;
  if (distinct.size() >= 2) {
    double smallest = distinct[1] - distinct[0];
    for (std::size_t k = 2; k < distinct.size(); ++k) smallest = std::min(smallest, distinct[k] - distinct[k - 1]);
    const double gapTolerance = std::max(alongTolerance, 1e-3 * smallest);
    auto explains = [&](double step) {
      for (std::size_t k = 1; k < distinct.size(); ++k)
        if (!multipleOf(distinct[k] - distinct[k - 1], step, gapTolerance)) return false;
      return true;
    };
    if (s.spacingBetweenSlices > 0 && explains(s.spacingBetweenSlices)) {
      spacing = s.spacingBetweenSlices;
    } else if (explains(smallest)) {
      spacing = smallest;
      if (s.spacingBetweenSlices > 0 && std::fabs(spacing - s.spacingBetweenSlices) > gapTolerance)
        log::warning(path + ": Spacing Between Slices says " + mm(s.spacingBetweenSlices) + ", frame positions are " +
                     mm(spacing) + " apart; using the positions");
    } else {
      // Name two neighbouring frames whose gap breaks the pattern.
      for (std::size_t k = 1; k < distinct.size(); ++k) {
        const double gap = distinct[k] - distinct[k - 1];
        if (!multipleOf(gap, smallest, gapTolerance)) {
          auto frameAt = [&](double level) {
            for (std::size_t f = 0; f < n; ++f)
              if (std::fabs(along[f] - level) <= alongTolerance) return "frame " + std::to_string(f + 1);
            return std::string("a reference image");
          };
          throwInput(path, "PlanePositionSequence",
                     "irregular slice spacing: " + frameAt(distinct[k - 1]) + " and " + frameAt(distinct[k]) +
                         " are " + mm(gap) + " apart, not a multiple of the smallest gap " + mm(smallest));
        }
      }
    }
  } else {
    spacing = s.spacingBetweenSlices > 0 ? s.spacingBetweenSlices : (s.sliceThickness > 0 ? s.sliceThickness : 1.0);
  }

  StackPlacement out;
  out.distinctPositions = distinct.size();
  Grid& g = out.grid;
  g.direction = {normalized(s.rowCosine), normalized(s.columnCosine), normal};
  g.spacing = {s.columnSpacing, s.rowSpacing, spacing};
  g.origin = inPlane0 + distinct.front() * normal;
  const double extent = distinct.back() - distinct.front();
  g.size = {s.columns, s.rows, static_cast<std::size_t>(std::llround(extent / spacing)) + 1};
  out.slice.resize(n);
  for (std::size_t f = 0; f < n; ++f) {
    const double k = (along[f] - distinct.front()) / spacing;
    out.slice[f] = static_cast<std::size_t>(std::llround(k));
  }
  return out;
}

}  // namespace qidcm
