#include "rtstruct/rasterize.h"

#include <algorithm>
#include <cmath>

namespace qidcm::rtstruct {
namespace {

// Crossings of the polygons' edges with the pixel rows, row by row.
class Crossings {
 public:
  // Kept per thread and reused, so that the per-row lists keep their capacity.
  void reset(std::size_t rows) {
    rows_ = rows;
    if (byRow_.size() < rows) byRow_.resize(rows);
  }

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

  // The centres between pairs of crossings, row by row.
  std::uint64_t spans(std::size_t columns, std::vector<Span>& out) {
    std::uint64_t pixels = 0;
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
        out.push_back({static_cast<std::uint32_t>(j), static_cast<std::uint32_t>(from), static_cast<std::uint32_t>(to)});
        pixels += static_cast<std::uint64_t>(to - from);
      }
      xs.clear();
    }
    touched_.clear();
    return pixels;
  }

 private:
  std::size_t rows_ = 0;
  std::vector<std::vector<double>> byRow_;
  std::vector<std::size_t> touched_;
};

}  // namespace

std::uint64_t rasterizeSpans(const std::vector<Polygon>& polygons, std::size_t columns, std::size_t rows,
                             std::vector<Span>& spans) {
  thread_local Crossings crossings;
  crossings.reset(rows);
  for (const Polygon& p : polygons) {
    std::size_t n = p.size();
    if (n >= 2 && p.front().i == p.back().i && p.front().j == p.back().j) --n;  // closed explicitly
    if (n < 3) continue;
    for (std::size_t k = 0; k < n; ++k) crossings.addEdge(p[k], p[(k + 1) % n]);
  }
  return crossings.spans(columns, spans);
}

}  // namespace qidcm::rtstruct
