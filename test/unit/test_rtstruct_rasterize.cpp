#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "rtstruct/rasterize.h"

using namespace qidcm::rtstruct;

namespace {

constexpr std::size_t kCols = 64, kRows = 48;

// Where a plane's mask has pixels: inclusive bounds and count (count 0: none).
struct MaskExtent {
  std::uint32_t i0 = 0, i1 = 0, j0 = 0, j1 = 0;
  std::uint64_t pixels = 0;
};

// rasterizeSpans' pixels set to 1 in a row-major mask, and their extent.
MaskExtent rasterizePlane(const std::vector<Polygon>& polygons, std::size_t columns, std::size_t rows,
                          std::uint8_t* mask) {
  std::vector<Span> spans;
  MaskExtent e;
  e.pixels = rasterizeSpans(polygons, columns, rows, spans);
  for (std::size_t n = 0; n < spans.size(); ++n) {
    const Span& s = spans[n];
    std::fill(mask + s.row * columns + s.i0, mask + s.row * columns + s.i1, std::uint8_t{1});
    if (n == 0) e.i0 = s.i0, e.i1 = s.i1 - 1, e.j0 = s.row;
    e.i0 = std::min(e.i0, s.i0), e.i1 = std::max(e.i1, s.i1 - 1), e.j1 = s.row;
  }
  return e;
}

struct Plane {
  std::vector<std::uint8_t> mask = std::vector<std::uint8_t>(kCols * kRows, 0);
  MaskExtent extent;
  bool at(std::size_t i, std::size_t j) const { return mask[j * kCols + i] != 0; }
  std::size_t count() const {
    std::size_t n = 0;
    for (auto v : mask) n += v;
    return n;
  }
};

Plane rasterize(const std::vector<Polygon>& polygons) {
  Plane p;
  p.extent = rasterizePlane(polygons, kCols, kRows, p.mask.data());
  return p;
}

Polygon rect(double i0, double j0, double i1, double j1) { return {{i0, j0}, {i1, j0}, {i1, j1}, {i0, j1}}; }

Polygon circle(double ci, double cj, double r, int points, bool clockwise = false) {
  Polygon p;
  for (int n = 0; n < points; ++n) {
    const double a = (clockwise ? -1 : 1) * 2 * M_PI * n / points;
    p.push_back({ci + r * std::cos(a), cj + r * std::sin(a)});
  }
  return p;
}

}  // namespace

TEST_CASE("a pixel is inside when its centre is: half-open, left and top edges in, right and bottom out") {
  // Vertices between centres: centres 2..4 in both directions.
  Plane a = rasterize({rect(1.5, 1.5, 4.5, 4.5)});
  CHECK(a.count() == 9);
  CHECK(a.at(2, 2));
  CHECK(a.at(4, 4));
  CHECK_FALSE(a.at(1, 2));
  CHECK_FALSE(a.at(5, 4));
  CHECK(a.extent.pixels == 9);
  CHECK(a.extent.i0 == 2);
  CHECK(a.extent.i1 == 4);
  CHECK(a.extent.j0 == 2);
  CHECK(a.extent.j1 == 4);
  // Vertices on centres: [1, 4) in both directions.
  Plane b = rasterize({rect(1, 1, 4, 4)});
  CHECK(b.count() == 9);
  CHECK(b.at(1, 1));
  CHECK(b.at(3, 3));
  CHECK_FALSE(b.at(4, 2));
  CHECK_FALSE(b.at(2, 4));
  // The vertex order does not matter.
  Plane c = rasterize({{{1, 1}, {1, 4}, {4, 4}, {4, 1}}});
  CHECK(c.mask == b.mask);
}

TEST_CASE("an edge shared by two contours is counted once: no gap, no double") {
  Plane p = rasterize({rect(1, 1, 3, 4), rect(3, 1, 5, 4)});
  CHECK(p.count() == 4 * 3);
  for (std::size_t j = 1; j < 4; ++j)
    for (std::size_t i = 1; i < 5; ++i) CHECK(p.at(i, j));
  CHECK(p.mask == rasterize({rect(1, 1, 5, 4)}).mask);
}

TEST_CASE("contours on one plane combine by even-odd: holes, keyholes and XOR") {
  const Plane outer = rasterize({rect(0.5, 0.5, 9.5, 9.5)});
  REQUIRE(outer.count() == 81);
  // An inner contour is a hole, whatever its winding.
  const Plane hole = rasterize({rect(0.5, 0.5, 9.5, 9.5), rect(3.5, 3.5, 6.5, 6.5)});
  CHECK(hole.count() == 81 - 9);
  CHECK_FALSE(hole.at(5, 5));
  CHECK(hole.at(3, 5));
  const Plane reversed = rasterize({rect(0.5, 0.5, 9.5, 9.5), {{3.5, 3.5}, {3.5, 6.5}, {6.5, 6.5}, {6.5, 3.5}}});
  CHECK(reversed.mask == hole.mask);
  // A keyhole: one contour around the ring, through a channel of no width.
  const Polygon keyhole = {{0.5, 0.5}, {9.5, 0.5}, {9.5, 9.5}, {5.2, 9.5}, {5.2, 6.5}, {6.5, 6.5},
                           {6.5, 3.5}, {3.5, 3.5}, {3.5, 6.5}, {5.2, 6.5}, {5.2, 9.5}, {0.5, 9.5}};
  CHECK(rasterize({keyhole}).mask == hole.mask);
  // Overlapping contours: their exclusive-or.
  const Plane x = rasterize({rect(0.5, 0.5, 6.5, 6.5), rect(3.5, 3.5, 9.5, 9.5)});
  CHECK(x.count() == 36 + 36 - 2 * 9);
  CHECK_FALSE(x.at(5, 5));
  CHECK(x.at(1, 1));
  CHECK(x.at(8, 8));
  // An island inside the hole is inside again.
  const Plane island = rasterize({rect(0.5, 0.5, 9.5, 9.5), rect(2.5, 2.5, 7.5, 7.5), rect(4.5, 4.5, 5.5, 5.5)});
  CHECK(island.count() == 81 - 25 + 1);
  CHECK(island.at(5, 5));
}

TEST_CASE("a disc matches the centres within its radius") {
  const double ci = 31.3, cj = 22.7, r = 17.0;
  const Plane p = rasterize({circle(ci, cj, r, 720)});
  std::size_t exact = 0, differ = 0;
  for (std::size_t j = 0; j < kRows; ++j)
    for (std::size_t i = 0; i < kCols; ++i) {
      const bool inside = std::hypot(i - ci, j - cj) < r;
      exact += inside;
      differ += inside != p.at(i, j);
    }
  CHECK(exact > 850);
  // 720 chords stay within r * (1 - cos(pi / 720)) = 0.00016 of the circle.
  CHECK(differ <= 2);
  CHECK(std::abs(static_cast<double>(p.count()) - M_PI * r * r) < 0.02 * M_PI * r * r);
  // Clockwise is the same region.
  CHECK(rasterize({circle(ci, cj, r, 720, true)}).mask == p.mask);
}

TEST_CASE("a contour partly outside the plane is clipped, not dropped") {
  const Plane p = rasterize({rect(-10.5, -3.5, 2.5, 3.5)});
  CHECK(p.count() == 3 * 4);  // columns 0..2, rows 0..3
  CHECK(p.at(0, 0));
  CHECK(p.at(2, 3));
  const Plane far = rasterize({rect(60.5, 40.5, 90.5, 99.5)});
  CHECK(far.count() == 3 * 7);  // columns 61..63, rows 41..47
  CHECK(rasterize({rect(-9, -9, -1, -1)}).count() == 0);
  CHECK(rasterize({rect(70, 10, 80, 20)}).count() == 0);
}

TEST_CASE("degenerate contours add nothing, and a repeated closing vertex changes nothing") {
  CHECK(rasterize({{{1, 1}, {5, 5}}}).count() == 0);
  CHECK(rasterize({{}}).count() == 0);
  CHECK(rasterize({{{1, 1}, {5, 1}, {9, 1}}}).count() == 0);  // collinear
  Polygon closed = rect(1.5, 1.5, 4.5, 4.5);
  closed.push_back(closed.front());
  CHECK(rasterize({closed}).mask == rasterize({rect(1.5, 1.5, 4.5, 4.5)}).mask);
  const Plane empty = rasterize({});
  CHECK(empty.extent.pixels == 0);
}
