#include <catch2/catch.hpp>

#include <cmath>

#include "qidcm/geometry.h"

using namespace qidcm;

namespace {
Grid obliqueGrid() {
  Grid g;
  g.size = {20, 30, 10};
  g.spacing = {0.7, 0.9, 2.5};
  const double a = 0.3, b = 0.2;
  g.direction[0] = {std::cos(a), std::sin(a), 0};
  g.direction[1] = {-std::sin(a) * std::cos(b), std::cos(a) * std::cos(b), std::sin(b)};
  g.direction[2] = -1.0 * cross(g.direction[0], g.direction[1]);  // slices along the negated normal
  g.origin = {-12.5, 40.25, 7.0};
  return g;
}
}  // namespace

TEST_CASE("continuousIndex inverts point() on an oblique grid with a negated slice direction") {
  const Grid g = obliqueGrid();
  for (double k : {0.0, 3.0, 9.0})
    for (double j : {0.0, 11.5, 29.0})
      for (double i : {0.0, 7.25, 19.0}) {
        const Vec3 idx = g.continuousIndex(g.point(i, j, k));
        CHECK(idx[0] == Approx(i).margin(1e-9));
        CHECK(idx[1] == Approx(j).margin(1e-9));
        CHECK(idx[2] == Approx(k).margin(1e-9));
      }
}

TEST_CASE("the slice normal is row x column, independent of the slice direction") {
  const Grid g = obliqueGrid();
  const Vec3 n = g.normal();
  CHECK(dot(n, g.direction[2]) == Approx(-1.0));
  CHECK(norm(n) == Approx(1.0));
}

TEST_CASE("DS values fit 16 characters and keep precision") {
  CHECK(formatDS(0.810547) == "0.810547");
  CHECK(formatDS(-235.19999694824219) == "-235.199996948");
  CHECK(formatDS(1.0) == "1");
  CHECK(formatDS(0.0) == "0");
  CHECK(formatDS(-0.0) == "0");
  CHECK(formatDS(1e-20) == "0");
  CHECK(formatDS(123456789.123456789).size() <= 16);
  CHECK(std::stod(formatDS(-1234.56789012345)) == Approx(-1234.56789012345).epsilon(1e-10));
  const double v[3] = {1, 0, -0.5};
  CHECK(formatDS(v, 3) == "1\\0\\-0.5");
}

TEST_CASE("grid comparison names the first difference") {
  Grid a = obliqueGrid(), b = obliqueGrid();
  CHECK(sameGrid(a, b));
  b.spacing[2] = 3.0;
  CHECK(describeGridDifference(b, a).rfind("spacing", 0) == 0);
  b = a;
  b.origin[1] += 1.0;
  CHECK(describeGridDifference(b, a).rfind("origin", 0) == 0);
  b = a;
  b.size[0] = 21;
  CHECK(describeGridDifference(b, a).rfind("size", 0) == 0);
}

TEST_CASE("Grid::index runs i fastest, then j, then k", "[geometry]") {
  const Grid g = obliqueGrid();  // 20 x 30 x 10
  CHECK(g.index(0, 0, 0) == 0);
  CHECK(g.index(1, 0, 0) == 1);
  CHECK(g.index(0, 1, 0) == 20);
  CHECK(g.index(0, 0, 1) == 600);
  CHECK(g.index(19, 29, 9) == g.voxels() - 1);
}
