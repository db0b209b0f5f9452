#include "rtstruct/rasterize.h"

#include <algorithm>
#include <cmath>

namespace qidcm::rtstruct {
namespace {

// Crossings of the polygons' edges with the pixel rows, row by row.
class Crossings {
 public:
  explicit Crossings(std::size_t rows) : rows_(rows), byRow_(rows) {}

  void addEdge(const PlanePoint& a, const PlanePoint& b) {
    if (a.j == b.j) return;  // horizontal: crosses no row centre line half-openly
    const PlanePoint& low = a.j < b.j ? a : b;
    const PlanePoint& high = a.j < b.j ? b : a;
    // Rows j with low.j <= j < high.j, within the plane.
    const double first = std::max(0.0, std::ceil(low.j));
    const double end = std::min(static_cast<double>(rows_), std::ceil(high.j));
    if (first >= end) return;
    const double slope = (high.i - low.i) / (high.j - low.j);
    for (auto j = static_cast<std::size_t>(first); j < static_cast<std::size_t>(end); ++j) {
      if (byRow_[j].empty()) touched_.push_back(j);
      byRow_[j].push_back(low.i + (static_cast<double>(j) - low.j) * slope);
    }
  }

  // Fills, row by row, the centres between pairs of crossings.
  MaskExtent fill(std::size_t columns, std::uint8_t* mask) {
    MaskExtent extent;
    std::sort(touched_.begin(), touched_.end());
    const double last = static_cast<double>(columns);
    for (std::size_t j : touched_) {
      std::vector<double>& xs = byRow_[j];
      std::sort(xs.begin(), xs.end());
      for (std::size_t n = 0; n + 1 < xs.size(); n += 2) {
        // Centres i with xs[n] <= i < xs[n + 1].
        const double from = std::max(0.0, std::ceil(xs[n]));
        const double to = std::min(last, std::ceil(xs[n + 1]));
        if (from >= to) continue;
        const auto i0 = static_cast<std::size_t>(from), i1 = static_cast<std::size_t>(to);
        std::fill(mask + j * columns + i0, mask + j * columns + i1, std::uint8_t{1});
        note(extent, i0, i1 - 1, j);
      }
      xs.clear();
    }
    touched_.clear();
    return extent;
  }

 private:
  static void note(MaskExtent& e, std::size_t i0, std::size_t i1, std::size_t j) {
    const auto a = static_cast<std::uint32_t>(i0), b = static_cast<std::uint32_t>(i1);
    const auto row = static_cast<std::uint32_t>(j);
    if (e.pixels == 0) {
      e.i0 = a, e.i1 = b, e.j0 = e.j1 = row;
    } else {
      e.i0 = std::min(e.i0, a), e.i1 = std::max(e.i1, b), e.j1 = row;
    }
    e.pixels += i1 - i0 + 1;
  }

  std::size_t rows_;
  std::vector<std::vector<double>> byRow_;
  std::vector<std::size_t> touched_;
};

}  // namespace

MaskExtent rasterizePlane(const std::vector<Polygon>& polygons, std::size_t columns, std::size_t rows,
                          std::uint8_t* mask) {
  Crossings crossings(rows);
  for (const Polygon& p : polygons) {
    std::size_t n = p.size();
    if (n >= 2 && p.front().i == p.back().i && p.front().j == p.back().j) --n;  // closed explicitly
    if (n < 3) continue;
    for (std::size_t k = 0; k < n; ++k) crossings.addEdge(p[k], p[(k + 1) % n]);
  }
  return crossings.fill(columns, mask);
}

}  // namespace qidcm::rtstruct
