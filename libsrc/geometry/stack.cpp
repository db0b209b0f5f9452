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

constexpr double kAlongTolerance = 0.01;  // mm: positions closer than this are one slice

// Throws unless every frame has the in-plane offset of the first one, so that
// all lie on one grid. `along`: each position's projection on the normal.
void checkInPlaneOffsets(const FrameStack& s, const Vec3& normal, const std::vector<double>& along,
                         const std::string& path) {
  const double inPlaneTolerance = 0.02 * std::min(s.rowSpacing, s.columnSpacing) + 1e-4;
  const Vec3 inPlane0 = s.positions[0] - along[0] * normal;
  for (std::size_t f = 1; f < along.size(); ++f) {
    const Vec3 inPlane = s.positions[f] - along[f] * normal;
    const double offset = norm(inPlane - inPlane0);
    if (offset > inPlaneTolerance)
      throwInput(path, "PlanePositionSequence",
                 "frames cannot lie on one grid: frame " + std::to_string(f + 1) + " is shifted " + mm(offset) +
                     " in-plane from frame 1");
  }
}

// Distinct slice positions (along the normal, ascending) of the frames and of
// the reference series.
std::vector<double> distinctLevels(const FrameStack& s, const Vec3& normal, const std::vector<double>& along) {
  std::vector<double> levels(along);
  std::vector<double> reference;
  for (const Vec3& p : s.referencePositions) reference.push_back(dot(normal, p));
  levels.insert(levels.end(), reference.begin(), reference.end());
  std::sort(levels.begin(), levels.end());
  std::vector<double> distinct;
  for (double v : levels)
    if (distinct.empty() || v - distinct.back() > kAlongTolerance) distinct.push_back(v);
  return distinct;
}

// Throws, naming two neighbouring frames whose gap is not a multiple of the
// smallest gap.
void throwIrregularSpacing(const std::vector<double>& distinct, const std::vector<double>& along,
                           double smallest, double gapTolerance, const std::string& path) {
  for (std::size_t k = 1; k < distinct.size(); ++k) {
    const double gap = distinct[k] - distinct[k - 1];
    if (!multipleOf(gap, smallest, gapTolerance)) {
      auto frameAt = [&](double level) {
        for (std::size_t f = 0; f < along.size(); ++f)
          if (std::fabs(along[f] - level) <= kAlongTolerance) return "frame " + std::to_string(f + 1);
        return std::string("a reference image");
      };
      throwInput(path, "PlanePositionSequence",
                 "irregular slice spacing: " + frameAt(distinct[k - 1]) + " and " + frameAt(distinct[k]) +
                     " are " + mm(gap) + " apart, not a multiple of the smallest gap " + mm(smallest));
    }
  }
}

// Slice spacing: the declared spacing when every gap is a multiple of it,
// else the smallest gap when every gap is a multiple of that.
double sliceSpacing(const FrameStack& s, const std::vector<double>& distinct, const std::vector<double>& along,
                    const std::string& path) {
  if (distinct.size() < 2)
    return s.spacingBetweenSlices > 0 ? s.spacingBetweenSlices : (s.sliceThickness > 0 ? s.sliceThickness : 1.0);
  double smallest = distinct[1] - distinct[0];
  for (std::size_t k = 2; k < distinct.size(); ++k) smallest = std::min(smallest, distinct[k] - distinct[k - 1]);
  const double gapTolerance = std::max(kAlongTolerance, 1e-3 * smallest);
  auto explains = [&](double step) {
    for (std::size_t k = 1; k < distinct.size(); ++k)
      if (!multipleOf(distinct[k] - distinct[k - 1], step, gapTolerance)) return false;
    return true;
  };
  if (s.spacingBetweenSlices > 0 && explains(s.spacingBetweenSlices)) return s.spacingBetweenSlices;
  if (!explains(smallest)) throwIrregularSpacing(distinct, along, smallest, gapTolerance, path);
  if (s.spacingBetweenSlices > 0 && std::fabs(smallest - s.spacingBetweenSlices) > gapTolerance)
    log::warning(path + ": Spacing Between Slices says " + mm(s.spacingBetweenSlices) + ", frame positions are " +
                 mm(smallest) + " apart; using the positions");
  return smallest;
}

}  // namespace

StackPlacement placeFrames(const FrameStack& s, const std::string& path) {
  if (s.positions.empty()) throwInput(path, "", "no frame");
  const Vec3 normal = normalized(cross(s.rowCosine, s.columnCosine));
  if (norm(cross(s.rowCosine, s.columnCosine)) < 0.5)
    throwInput(path, "ImageOrientationPatient (0020,0037)", "row and column cosines are not orthogonal");

  // Projections, and the in-plane offset every frame must share.
  const std::size_t n = s.positions.size();
  std::vector<double> along(n);
  for (std::size_t f = 0; f < n; ++f) along[f] = dot(normal, s.positions[f]);
  checkInPlaneOffsets(s, normal, along, path);
  const Vec3 inPlane0 = s.positions[0] - along[0] * normal;

  const std::vector<double> distinct = distinctLevels(s, normal, along);
  const double spacing = sliceSpacing(s, distinct, along, path);

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
