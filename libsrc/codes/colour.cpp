// sRGB <-> CIELab, the one place in qidcm where colours are converted.
//
// DICOM encodes Recommended Display CIELab Value as PCS values (PS3.3
// C.10.7.1.1): L* in [0,100] scaled to [0,65535], a* and b* in [-128,127]
// offset by 128 and scaled by 65535/255. As DCMTK, highdicom and PixelMed do,
// the conversion uses the sRGB primaries and the D65 reference white, so that
// colours written here look the same in the tools that read them.
//
// Every step is done in double precision and inverted exactly; rounding only
// happens at the two ends, so an 8-bit colour survives the trip through the
// 16-bit encoding unchanged (checked exhaustively by a unit test).
#include <algorithm>
#include <cmath>

#include "qidcm/codes.h"

namespace qidcm {
namespace {

constexpr double kWhite[3] = {0.95047, 1.0, 1.08883};  // D65, Y = 1

// Linear sRGB to XYZ (D65).
constexpr double kToXyz[3][3] = {{0.4124564, 0.3575761, 0.1804375},
                                 {0.2126729, 0.7151522, 0.0721750},
                                 {0.0193339, 0.1191920, 0.9503041}};

struct Matrix3 {
  double m[3][3];
};

// The inverse of kToXyz, computed once, so that the two directions match exactly.
const Matrix3& fromXyz() {
  static const Matrix3 inverse = [] {
    const auto& a = kToXyz;
    const double det = a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1]) -
                       a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0]) +
                       a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);
    Matrix3 r{};
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) {
        const int r0 = (j + 1) % 3, r1 = (j + 2) % 3, c0 = (i + 1) % 3, c1 = (i + 2) % 3;
        r.m[i][j] = (a[r0][c0] * a[r1][c1] - a[r0][c1] * a[r1][c0]) / det;
      }
    return r;
  }();
  return inverse;
}

double srgbToLinear(double c) { return c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4); }
double linearToSrgb(double c) { return c <= 0.0031308 ? 12.92 * c : 1.055 * std::pow(c, 1.0 / 2.4) - 0.055; }

constexpr double kEpsilon = 216.0 / 24389.0;
constexpr double kKappa = 24389.0 / 27.0;
double labF(double t) { return t > kEpsilon ? std::cbrt(t) : (kKappa * t + 16.0) / 116.0; }
double labFInverse(double f) {
  const double t = f * f * f;
  return t > kEpsilon ? t : (116.0 * f - 16.0) / kKappa;
}

std::uint16_t clampToUint16(double v) {
  return static_cast<std::uint16_t>(std::clamp(std::lround(v), 0L, 65535L));
}

}  // namespace

CIELab rgbToLab(const RGB& rgb) {
  const double r = srgbToLinear(std::clamp(rgb[0], 0, 255) / 255.0);
  const double g = srgbToLinear(std::clamp(rgb[1], 0, 255) / 255.0);
  const double b = srgbToLinear(std::clamp(rgb[2], 0, 255) / 255.0);
  const double x = kToXyz[0][0] * r + kToXyz[0][1] * g + kToXyz[0][2] * b;
  const double y = kToXyz[1][0] * r + kToXyz[1][1] * g + kToXyz[1][2] * b;
  const double z = kToXyz[2][0] * r + kToXyz[2][1] * g + kToXyz[2][2] * b;
  const double fx = labF(x / kWhite[0]);
  const double fy = labF(y / kWhite[1]);
  const double fz = labF(z / kWhite[2]);
  const double L = 116.0 * fy - 16.0;
  const double a = 500.0 * (fx - fy);
  const double bb = 200.0 * (fy - fz);
  return {clampToUint16(L * 65535.0 / 100.0), clampToUint16((a + 128.0) * 65535.0 / 255.0),
          clampToUint16((bb + 128.0) * 65535.0 / 255.0)};
}

RGB labToRgb(const CIELab& lab) {
  const double L = lab[0] * 100.0 / 65535.0;
  const double a = lab[1] * 255.0 / 65535.0 - 128.0;
  const double bb = lab[2] * 255.0 / 65535.0 - 128.0;
  const double fy = (L + 16.0) / 116.0;
  const double fx = fy + a / 500.0;
  const double fz = fy - bb / 200.0;
  const double x = labFInverse(fx) * kWhite[0];
  const double y = labFInverse(fy) * kWhite[1];
  const double z = labFInverse(fz) * kWhite[2];
  const auto& m = fromXyz().m;
  const double r = m[0][0] * x + m[0][1] * y + m[0][2] * z;
  const double g = m[1][0] * x + m[1][1] * y + m[1][2] * z;
  const double b = m[2][0] * x + m[2][1] * y + m[2][2] * z;
  auto to8 = [](double c) {
    const double s = linearToSrgb(std::clamp(c, 0.0, 1.0));
    return static_cast<int>(std::clamp(std::lround(s * 255.0), 0L, 255L));
  };
  return {to8(r), to8(g), to8(b)};
}

RGB defaultSegmentRgb() { return {128, 174, 128}; }

}  // namespace qidcm
