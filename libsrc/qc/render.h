#pragma once
// Pictures of a volume for a QC page: planes through a source grid (axial,
// coronal, sagittal, at a physical aspect), the source windowed in grey, the
// segments of a SEG as fill and outline, a map in a colour scale.
#include <cstdint>
#include <vector>

#include "qc/png.h"
#include "qidcm/geometry.h"
#include "qidcm/volume.h"

namespace qidcm::qc {

// x -> a x + b between continuous indexes of two grids.
struct Affine {
  double a[3][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
  Vec3 b{0, 0, 0};
  Vec3 apply(const Vec3& x) const;
};
// Continuous index of `from` -> continuous index of `to`.
Affine indexMapping(const Grid& from, const Grid& to);

// A plane of pictures through a grid, in its continuous index space: pixel
// (u, v) samples index origin + (u + 0.5) du + (v + 0.5) dv, rounded.
struct Plane {
  Vec3 origin{0, 0, 0}, du{1, 0, 0}, dv{0, 1, 0};
  std::size_t width = 0, height = 0;
  Vec3 at(std::size_t u, std::size_t v) const;
};
// Slice k as stored (i to the right, j down), no larger than maxSide pixels;
// at full resolution when it fits.
Plane axialPlane(const Grid& grid, std::size_t k, std::size_t maxSide);
// Through row j: i to the right, k upwards (superior up for an axial series).
Plane coronalPlane(const Grid& grid, std::size_t j, std::size_t maxSide);
// Through column i: j to the right, k upwards.
Plane sagittalPlane(const Grid& grid, std::size_t i, std::size_t maxSide);

struct Window {
  double low = 0, high = 1;
};
// The grey window: the image's own when it has one, else the modality's
// (CT: -160..240 HU), else the 1st to 99.5th percentile of a sample.
Window greyWindow(const Volume& values, const std::string& modality, double center, double width);
// The 1st and 99th percentiles of the finite values of a sample (for maps).
Window robustRange(const Volume& values, bool skipZero);

// Grey picture of a float32 volume (black where it has no volume, e.g.
// without a source series).
RgbImage drawGrey(const Volume* values, const Plane& plane, Window window);

// The label values of a SEG layer (UInt8/UInt16 on its own grid) on a plane
// of the source grid: `toLayer` maps source indexes to the layer's.
std::vector<std::uint16_t> sampleLabels(const Volume& layer, const Affine& toLayer, const Plane& plane);

// Fill (blended) and outline (opaque) of the labels, coloured by segment
// number; only `focus` when it is not 0.
void drawLabels(RgbImage& image, const std::vector<std::uint16_t>& labels, const std::vector<Rgb>& colours,
                unsigned focus);

// A map in a colour scale over `image`: values at or below window.low are
// not drawn; `opacity` in 0..1.
void drawMap(RgbImage& image, const Volume& map, const Affine& toMap, const Plane& plane, Window window,
             double opacity);
// The colour scale (perceptually ordered, dark blue to yellow).
Rgb scaleColour(double t);
// A vertical bar of the scale, high values at the top.
RgbImage colourBar(std::size_t width, std::size_t height);

}  // namespace qidcm::qc
