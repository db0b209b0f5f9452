#pragma once
// Image grids in patient coordinates (DICOM LPS), free of ITK types.
//
// Conventions, shared with ITK: index i runs along a row (DICOM column index),
// j down the columns (DICOM row index), k across slices. direction[c] is the
// unit vector of axis c, so direction[0] is DICOM's row cosine and
// direction[1] its column cosine. The origin is the centre of voxel (0,0,0),
// as DICOM's Image Position (Patient) is the centre of the first pixel.
#include <array>
#include <cstddef>
#include <optional>
#include <string>

namespace qidcm {

// Vec3 is a std::array, so argument-dependent lookup does not find its
// operators below outside namespace qidcm: say `using qidcm::operator-;`
// (or + and *) where you use them.
using Vec3 = std::array<double, 3>;

Vec3 operator+(const Vec3& a, const Vec3& b);
Vec3 operator-(const Vec3& a, const Vec3& b);
Vec3 operator*(double s, const Vec3& a);
double dot(const Vec3& a, const Vec3& b);
Vec3 cross(const Vec3& a, const Vec3& b);
double norm(const Vec3& a);
Vec3 normalized(const Vec3& a);

struct Grid {
  std::array<std::size_t, 3> size{0, 0, 0};  // columns, rows, slices
  Vec3 origin{0, 0, 0};
  // spacing[0] along i (between columns: DICOM Pixel Spacing[1]), spacing[1]
  // along j (between rows: Pixel Spacing[0]), spacing[2] between slices.
  Vec3 spacing{1, 1, 1};
  std::array<Vec3, 3> direction{{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}};

  std::size_t columns() const { return size[0]; }
  std::size_t rows() const { return size[1]; }
  std::size_t slices() const { return size[2]; }
  std::size_t slicePixels() const { return size[0] * size[1]; }
  std::size_t voxels() const { return size[0] * size[1] * size[2]; }
  // Linear index of voxel (i, j, k): i fastest, then j, then k.
  std::size_t index(std::size_t i, std::size_t j, std::size_t k) const { return (k * size[1] + j) * size[0] + i; }

  const Vec3& rowCosine() const { return direction[0]; }
  const Vec3& columnCosine() const { return direction[1]; }
  // Unit normal of the slices: row cosine x column cosine.
  Vec3 normal() const;

  // Patient position of the centre of voxel (i, j, k); k may be fractional.
  Vec3 point(double i, double j, double k) const;
  // Image Position (Patient) of slice k.
  Vec3 slicePosition(std::size_t k) const { return point(0, 0, static_cast<double>(k)); }
  // Continuous index of a patient point (inverse of point()).
  Vec3 continuousIndex(const Vec3& p) const;
};

// True when the two grids have the same size, spacing and direction, and
// their origins agree, all within `tolerance` (mm for positions, relative for
// the rest).
bool sameGrid(const Grid& a, const Grid& b, double tolerance = 1e-4);

// Describes the first difference between two grids, for error messages.
std::string describeGridDifference(const Grid& a, const Grid& b, double tolerance = 1e-4);

// Are the slices of the grid parallel to a plane with these cosines?
bool parallelPlanes(const Vec3& normalA, const Vec3& normalB, double tolerance = 1e-3);

// DICOM decimal-string rendering of a number with up to 16 characters, as
// Image Position (Patient), Pixel Spacing and similar attributes need.
std::string formatDS(double value);
// Joined with backslashes.
std::string formatDS(const double* values, std::size_t count);

}  // namespace qidcm
