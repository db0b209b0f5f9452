#pragma once
// Planar contours to pixel masks: the inside rule of rtstruct2segimage
// (doc/rtstruct-rasterization.md).
//
// A pixel belongs to the region when its centre is inside by the even-odd
// rule over every polygon given for the plane. Even-odd over several polygons
// is their exclusive-or, so holes drawn as inner contours, keyhole contours and
// CLOSEDPLANAR_XOR all come out right. Edges are half-open in index space: an
// edge counts for the pixel rows j with min(y0, y1) <= j < max(y0, y1), and a
// crossing at x counts for the centres i >= x. A centre on an edge shared by
// two polygons is so counted once, and a centre on a region's left or top edge
// is inside while one on its right or bottom edge is not (plastimatch's rule
// with --xor-contours).
#include <cstddef>
#include <cstdint>
#include <vector>

namespace qidcm::rtstruct {

// A vertex in a plane's continuous index coordinates: i along the columns, j
// along the rows, pixel centres at whole numbers.
struct PlanePoint {
  double i = 0, j = 0;
};
using Polygon = std::vector<PlanePoint>;  // closed implicitly; a repeated first vertex is fine

// A run of inside pixels on one row: columns i0 <= i < i1.
struct Span {
  std::uint32_t row = 0, i0 = 0, i1 = 0;
};

// The inside pixels of `polygons` (the rule above) as spans, row by row in
// increasing order, disjoint and sorted within a row; appended to `spans`.
// Parts outside the plane are clipped. Returns the pixel count.
std::uint64_t rasterizeSpans(const std::vector<Polygon>& polygons, std::size_t columns, std::size_t rows,
                             std::vector<Span>& spans);

}  // namespace qidcm::rtstruct
