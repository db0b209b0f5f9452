#include "qidcm/geometry.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <sstream>

namespace qidcm {

Vec3 operator+(const Vec3& a, const Vec3& b) { return {a[0] + b[0], a[1] + b[1], a[2] + b[2]}; }
Vec3 operator-(const Vec3& a, const Vec3& b) { return {a[0] - b[0], a[1] - b[1], a[2] - b[2]}; }
Vec3 operator*(double s, const Vec3& a) { return {s * a[0], s * a[1], s * a[2]}; }
double dot(const Vec3& a, const Vec3& b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }
Vec3 cross(const Vec3& a, const Vec3& b) {
  return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}
double norm(const Vec3& a) { return std::sqrt(dot(a, a)); }
Vec3 normalized(const Vec3& a) {
  const double n = norm(a);
  return n > 0 ? (1.0 / n) * a : a;
}

Vec3 Grid::normal() const { return normalized(cross(direction[0], direction[1])); }

Vec3 Grid::point(double i, double j, double k) const {
  return origin + (i * spacing[0]) * direction[0] + (j * spacing[1]) * direction[1] +
         (k * spacing[2]) * direction[2];
}

Vec3 Grid::continuousIndex(const Vec3& p) const {
  // Solve origin + D * diag(spacing) * x = p with D = [d0 d1 d2] by Cramer's rule,
  // so that non-orthogonal (sheared) directions work too.
  const Vec3 r = p - origin;
  const Vec3& a = direction[0];
  const Vec3& b = direction[1];
  const Vec3& c = direction[2];
  const double det = dot(a, cross(b, c));
  if (std::fabs(det) < 1e-12) return {NAN, NAN, NAN};
  const double x = dot(r, cross(b, c)) / det;
  const double y = dot(a, cross(r, c)) / det;
  const double z = dot(a, cross(b, r)) / det;
  return {x / spacing[0], y / spacing[1], z / spacing[2]};
}

namespace {
bool near(double a, double b, double tol) { return std::fabs(a - b) <= tol; }
std::string vecText(const Vec3& v) {
  std::ostringstream s;
  s << "(" << v[0] << ", " << v[1] << ", " << v[2] << ")";
  return s.str();
}
}  // namespace

std::string describeGridDifference(const Grid& a, const Grid& b, double tol) {
  if (a.size != b.size) {
    std::ostringstream s;
    s << "size " << a.size[0] << "x" << a.size[1] << "x" << a.size[2] << " differs from "
      << b.size[0] << "x" << b.size[1] << "x" << b.size[2];
    return s.str();
  }
  for (int c = 0; c < 3; ++c)
    if (!near(a.spacing[c], b.spacing[c], tol * std::max(1.0, std::fabs(a.spacing[c]))))
      return "spacing " + vecText(a.spacing) + " differs from " + vecText(b.spacing);
  for (int c = 0; c < 3; ++c)
    for (int r = 0; r < 3; ++r)
      if (!near(a.direction[c][r], b.direction[c][r], tol))
        return "direction differs";
  for (int r = 0; r < 3; ++r)
    if (!near(a.origin[r], b.origin[r], tol * std::max(1.0, a.spacing[0])))
      return "origin " + vecText(a.origin) + " differs from " + vecText(b.origin);
  return "";
}

bool sameGrid(const Grid& a, const Grid& b, double tol) { return describeGridDifference(a, b, tol).empty(); }

bool parallelPlanes(const Vec3& na, const Vec3& nb, double tol) {
  return std::fabs(std::fabs(dot(normalized(na), normalized(nb))) - 1.0) <= tol;
}

std::string formatDS(double value) {
  if (!std::isfinite(value)) return "0";
  if (value == 0 || std::fabs(value) < 1e-12) return "0";
  // Shortest %g rendering that fits the 16-byte DS limit.
  char buf[64];
  for (int precision = 12; precision >= 1; --precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, value);
    if (std::strlen(buf) <= 16) break;
  }
  return buf;
}

std::string formatDS(const double* values, std::size_t count) {
  std::string out;
  for (std::size_t n = 0; n < count; ++n) {
    if (n) out += '\\';
    out += formatDS(values[n]);
  }
  return out;
}

}  // namespace qidcm
