#include "qc/render.h"

#include <algorithm>
#include <cmath>

namespace qidcm::qc {

using qidcm::operator-;

Vec3 Affine::apply(const Vec3& x) const {
  Vec3 y = b;
  for (int r = 0; r < 3; ++r) y[r] += a[r][0] * x[0] + a[r][1] * x[1] + a[r][2] * x[2];
  return y;
}

Affine indexMapping(const Grid& from, const Grid& to) {
  Affine m;
  m.b = to.continuousIndex(from.point(0, 0, 0));
  for (int c = 0; c < 3; ++c) {
    const Vec3 e = to.continuousIndex(from.point(c == 0, c == 1, c == 2)) - m.b;
    for (int r = 0; r < 3; ++r) m.a[r][c] = e[r];
  }
  return m;
}

Vec3 Plane::at(std::size_t u, std::size_t v) const {
  const double fu = static_cast<double>(u) + 0.5, fv = static_cast<double>(v) + 0.5;
  return {origin[0] + fu * du[0] + fv * dv[0], origin[1] + fu * du[1] + fv * dv[1],
          origin[2] + fu * du[2] + fv * dv[2]};
}

namespace {

// A plane spanning axes a (to the right) and b (down, or up when `flipB`),
// through index `at` of the third axis, each picture pixel a square of the
// same size in millimetres.
Plane makePlane(const Grid& grid, int a, int b, int c, double at, bool flipB, std::size_t maxSide) {
  const double extentA = static_cast<double>(grid.size[a]) * grid.spacing[a];
  const double extentB = static_cast<double>(grid.size[b]) * grid.spacing[b];
  const double pixel = std::max(std::min(grid.spacing[a], grid.spacing[b]),
                                std::max(extentA, extentB) / static_cast<double>(std::max<std::size_t>(maxSide, 1)));
  Plane p;
  p.width = std::max<std::size_t>(1, static_cast<std::size_t>(std::lround(extentA / pixel)));
  p.height = std::max<std::size_t>(1, static_cast<std::size_t>(std::lround(extentB / pixel)));
  // A reformat of a few slices would be a line: each slice gets up to 8
  // pixels, the picture at least 64 rows (or 8 per slice when fewer).
  if (flipB) p.height = std::max(p.height, std::min<std::size_t>(64, grid.size[b] * 8));
  p.origin = {0, 0, 0};
  p.du = {0, 0, 0};
  p.dv = {0, 0, 0};
  p.origin[a] = -0.5;
  p.origin[c] = at;
  p.du[a] = static_cast<double>(grid.size[a]) / static_cast<double>(p.width);
  const double stepB = static_cast<double>(grid.size[b]) / static_cast<double>(p.height);
  p.origin[b] = flipB ? static_cast<double>(grid.size[b]) - 0.5 : -0.5;
  p.dv[b] = flipB ? -stepB : stepB;
  return p;
}

// The nearest index, or -1 for a coordinate that is not finite or far off
// any grid (no undefined conversion of a huge double).
long nearest(double x) {
  if (!(std::fabs(x) < 1e9)) return -1;
  return static_cast<long>(std::floor(x + 0.5));
}

template <typename F>
void forEachVoxel(const Grid& grid, const Plane& plane, const Affine* mapping, F&& f) {
  for (std::size_t v = 0; v < plane.height; ++v)
    for (std::size_t u = 0; u < plane.width; ++u) {
      Vec3 x = plane.at(u, v);
      if (mapping) x = mapping->apply(x);
      const long i = nearest(x[0]), j = nearest(x[1]), k = nearest(x[2]);
      if (i < 0 || j < 0 || k < 0 || i >= static_cast<long>(grid.size[0]) || j >= static_cast<long>(grid.size[1]) ||
          k >= static_cast<long>(grid.size[2]))
        continue;
      f(u, v, grid.index(static_cast<std::size_t>(i), static_cast<std::size_t>(j), static_cast<std::size_t>(k)));
    }
}

std::vector<float> sample(const Volume& values, std::size_t most) {
  std::vector<float> s;
  const std::size_t n = values.grid.voxels();
  const std::size_t step = std::max<std::size_t>(1, n / most);
  s.reserve(n / step + 1);
  for (std::size_t p = 0; p < n; p += step) {
    const double v = values.sampleAsDouble(p);
    if (std::isfinite(v)) s.push_back(static_cast<float>(v));
  }
  return s;
}

double percentile(std::vector<float>& s, double q) {
  if (s.empty()) return 0;
  const std::size_t at = std::min(s.size() - 1, static_cast<std::size_t>(q * static_cast<double>(s.size() - 1)));
  std::nth_element(s.begin(), s.begin() + static_cast<long>(at), s.end());
  return s[at];
}

std::uint8_t clampByte(double v) {
  if (!std::isfinite(v)) return v > 0 ? 255 : 0;
  return static_cast<std::uint8_t>(std::clamp(v, 0.0, 255.0) + 0.5);
}

Rgb blend(const std::uint8_t* p, Rgb c, double alpha) {
  return {clampByte(p[0] * (1 - alpha) + c.r * alpha), clampByte(p[1] * (1 - alpha) + c.g * alpha),
          clampByte(p[2] * (1 - alpha) + c.b * alpha)};
}

}  // namespace

Plane axialPlane(const Grid& grid, std::size_t k, std::size_t maxSide) {
  return makePlane(grid, 0, 1, 2, static_cast<double>(k), false, maxSide);
}
Plane coronalPlane(const Grid& grid, std::size_t j, std::size_t maxSide) {
  return makePlane(grid, 0, 2, 1, static_cast<double>(j), true, maxSide);
}
Plane sagittalPlane(const Grid& grid, std::size_t i, std::size_t maxSide) {
  return makePlane(grid, 1, 2, 0, static_cast<double>(i), true, maxSide);
}

Window greyWindow(const Volume& values, const std::string& modality, double center, double width) {
  const Window own{center - width / 2, center + width / 2};
  if (width > 0 && own.high > own.low && std::isfinite(own.low) && std::isfinite(own.high)) return own;
  if (modality == "CT") return {-160, 240};
  std::vector<float> s = sample(values, 1 << 18);
  Window w{percentile(s, 0.01), percentile(s, 0.995)};
  if (!(w.high > w.low)) w.high = w.low + (w.low == 0 ? 1 : std::fabs(w.low) * 0.01 + 1e-6);
  if (!(w.high > w.low)) w = {0, 1};
  return w;
}

Window robustRange(const Volume& values, bool skipZero) {
  std::vector<float> s = sample(values, 1 << 18);
  if (skipZero) s.erase(std::remove(s.begin(), s.end(), 0.0f), s.end());
  Window w{percentile(s, 0.01), percentile(s, 0.99)};
  if (!(w.high > w.low)) w.high = w.low + (w.low == 0 ? 1 : std::fabs(w.low) * 0.01 + 1e-6);
  if (!(w.high > w.low)) w = {0, 1};
  return w;
}

RgbImage drawGrey(const Volume* values, const Plane& plane, Window window) {
  RgbImage image(plane.width, plane.height);
  if (!values || values->buffer.size() == 0) return image;
  const float* f = values->samples<float>();
  const double scale = 255.0 / (window.high - window.low);
  forEachVoxel(values->grid, plane, nullptr, [&](std::size_t u, std::size_t v, std::size_t at) {
    const std::uint8_t g = clampByte((f[at] - window.low) * scale);
    image.set(u, v, {g, g, g});
  });
  return image;
}

std::vector<std::uint16_t> sampleLabels(const Volume& layer, const Affine& toLayer, const Plane& plane) {
  std::vector<std::uint16_t> labels(plane.width * plane.height, 0);
  const bool wide = layer.type == PixelType::UInt16;
  const std::uint8_t* narrow = wide ? nullptr : layer.samples<std::uint8_t>();
  const std::uint16_t* broad = wide ? layer.samples<std::uint16_t>() : nullptr;
  forEachVoxel(layer.grid, plane, &toLayer, [&](std::size_t u, std::size_t v, std::size_t at) {
    labels[v * plane.width + u] = wide ? broad[at] : narrow[at];
  });
  return labels;
}

void drawLabels(RgbImage& image, const std::vector<std::uint16_t>& labels, const std::vector<Rgb>& colours,
                unsigned focus) {
  const std::size_t w = image.width, h = image.height;
  auto labelAt = [&](long x, long y) -> unsigned {
    if (x < 0 || y < 0 || x >= static_cast<long>(w) || y >= static_cast<long>(h)) return 0;
    return labels[static_cast<std::size_t>(y) * w + static_cast<std::size_t>(x)];
  };
  for (std::size_t y = 0; y < h; ++y)
    for (std::size_t x = 0; x < w; ++x) {
      const unsigned l = labels[y * w + x];
      if (l == 0 || (focus && l != focus)) continue;
      const Rgb c = l < colours.size() ? colours[l] : Rgb{255, 255, 0};
      const long xi = static_cast<long>(x), yi = static_cast<long>(y);
      const bool edge = labelAt(xi - 1, yi) != l || labelAt(xi + 1, yi) != l || labelAt(xi, yi - 1) != l ||
                        labelAt(xi, yi + 1) != l;
      image.set(x, y, edge ? c : blend(image.at(x, y), c, 0.35));
    }
}

Rgb scaleColour(double t) {
  // Anchors of a viridis-like scale.
  static const double anchors[][3] = {{68, 1, 84},    {65, 68, 135},  {42, 120, 142},
                                      {34, 168, 132}, {122, 209, 81}, {253, 231, 37}};
  constexpr int n = 6;
  if (!std::isfinite(t)) t = 0;
  t = std::clamp(t, 0.0, 1.0) * (n - 1);
  const int i = std::min(n - 2, static_cast<int>(t));
  const double f = t - i;
  return {clampByte(anchors[i][0] * (1 - f) + anchors[i + 1][0] * f),
          clampByte(anchors[i][1] * (1 - f) + anchors[i + 1][1] * f),
          clampByte(anchors[i][2] * (1 - f) + anchors[i + 1][2] * f)};
}

void drawMap(RgbImage& image, const Volume& map, const Affine& toMap, const Plane& plane, Window window,
             double opacity) {
  const double range = window.high - window.low;
  forEachVoxel(map.grid, plane, &toMap, [&](std::size_t u, std::size_t v, std::size_t at) {
    const double value = map.sampleAsDouble(at);
    if (!std::isfinite(value) || value <= window.low) return;
    image.set(u, v, blend(image.at(u, v), scaleColour((value - window.low) / range), opacity));
  });
}

RgbImage colourBar(std::size_t width, std::size_t height) {
  RgbImage bar(width, height);
  for (std::size_t y = 0; y < height; ++y) {
    const Rgb c = scaleColour(1.0 - static_cast<double>(y) / static_cast<double>(std::max<std::size_t>(height - 1, 1)));
    for (std::size_t x = 0; x < width; ++x) bar.set(x, y, c);
  }
  return bar;
}

}  // namespace qidcm::qc
