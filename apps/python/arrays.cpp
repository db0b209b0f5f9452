#include "arrays.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>

#include "qidcm/error.h"

namespace qidcm::python {

Grid gridFromAffine(const py::object& affine, bool fromRas, const std::size_t shape[3]) {
  py::array_t<double, py::array::c_style | py::array::forcecast> a;
  try {
    a = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(affine);
  } catch (const py::error_already_set&) {
    a = {};
  }
  if (!a || a.ndim() != 2 || a.shape(0) != 4 || a.shape(1) != 4)
    throwInput("affine", "", "must be a 4 x 4 array of numbers (LPS, mm; from_ras=True for nibabel's RAS)");
  double m[4][4];
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 4; ++c) {
      m[r][c] = a.at(r, c);
      if (!std::isfinite(m[r][c])) throwInput("affine", "", "holds a value that is not finite");
    }
  if (std::fabs(m[3][0]) > 1e-6 || std::fabs(m[3][1]) > 1e-6 || std::fabs(m[3][2]) > 1e-6 ||
      std::fabs(m[3][3] - 1) > 1e-6)
    throwInput("affine", "", "bottom row is not 0 0 0 1 (a transposed affine?)");
  if (fromRas)
    for (int c = 0; c < 4; ++c) m[0][c] = -m[0][c], m[1][c] = -m[1][c];
  Grid g;
  for (int c = 0; c < 3; ++c) {
    const Vec3 axis{m[0][c], m[1][c], m[2][c]};
    const double length = norm(axis);
    if (!(length > 0)) throwInput("affine", "", "axis " + std::to_string(c) + " has length 0");
    g.spacing[c] = length;
    g.direction[c] = normalized(axis);
    g.size[c] = shape[2 - c];
  }
  for (int a1 = 0; a1 < 3; ++a1)
    for (int a2 = a1 + 1; a2 < 3; ++a2)
      if (std::fabs(dot(g.direction[a1], g.direction[a2])) > 1e-4)
        throwInput("affine", "", "axes " + std::to_string(a1) + " and " + std::to_string(a2) +
                                     " are not orthogonal (sheared grids cannot be written to DICOM)");
  g.origin = {m[0][3], m[1][3], m[2][3]};
  return g;
}

py::array_t<double> affineOf(const Grid& grid) {
  py::array_t<double> a({4, 4});
  auto m = a.mutable_unchecked<2>();
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 4; ++c) m(r, c) = 0;
  for (int c = 0; c < 3; ++c)
    for (int r = 0; r < 3; ++r) m(r, c) = grid.direction[c][r] * grid.spacing[c];
  for (int r = 0; r < 3; ++r) m(r, 3) = grid.origin[r];
  m(3, 3) = 1;
  return a;
}

py::dtype dtypeOf(PixelType type) {
  switch (type) {
    case PixelType::UInt8: return py::dtype::of<std::uint8_t>();
    case PixelType::Int8: return py::dtype::of<std::int8_t>();
    case PixelType::UInt16: return py::dtype::of<std::uint16_t>();
    case PixelType::Int16: return py::dtype::of<std::int16_t>();
    case PixelType::UInt32: return py::dtype::of<std::uint32_t>();
    case PixelType::Int32: return py::dtype::of<std::int32_t>();
    case PixelType::UInt64: return py::dtype::of<std::uint64_t>();
    case PixelType::Int64: return py::dtype::of<std::int64_t>();
    case PixelType::Float32: return py::dtype::of<float>();
    case PixelType::Float64: return py::dtype::of<double>();
  }
  return py::dtype::of<std::uint8_t>();
}

bool pixelTypeOf(const py::dtype& dtype, PixelType& type) {
  const PixelType all[] = {PixelType::UInt8,  PixelType::Int8,   PixelType::UInt16,  PixelType::Int16,
                           PixelType::UInt32, PixelType::Int32,  PixelType::UInt64,  PixelType::Int64,
                           PixelType::Float32, PixelType::Float64};
  if (dtype.kind() == 'b') {  // bool: one byte of 0 or 1
    type = PixelType::UInt8;
    return true;
  }
  for (PixelType t : all)
    // Either byte order: an array that is not native is converted before it is read.
    if (dtype.is(dtypeOf(t)) || (dtype.kind() == dtypeOf(t).kind() && dtype.itemsize() == dtypeOf(t).itemsize())) {
      type = t;
      return true;
    }
  return false;
}

bool inPlace(const py::array& array) {
  const auto address = reinterpret_cast<std::uintptr_t>(array.data());
  return (array.flags() & py::array::c_style) && array.dtype().attr("isnative").cast<bool>() &&
         (array.itemsize() == 0 || address % static_cast<std::uintptr_t>(array.itemsize()) == 0);
}

Volume viewVolume(const py::array& array, PixelType type, const Grid& grid, std::size_t part) {
  if (!inPlace(array)) throwInternal("viewVolume: the array is not C-contiguous, aligned and native");
  Volume v;
  v.grid = grid;
  v.type = type;
  const std::size_t bytes = grid.voxels() * bytesPerSample(type);
  auto* base = static_cast<std::uint8_t*>(const_cast<void*>(array.data()));
  v.buffer = Buffer::external(base + part * bytes, bytes, nullptr);
  return v;
}

py::array arrayOf(Volume&& volume) {
  auto* owner = new Volume(std::move(volume));
  py::capsule free(owner, [](void* p) { delete static_cast<Volume*>(p); });
  const Grid& g = owner->grid;
  std::vector<py::ssize_t> shape = {static_cast<py::ssize_t>(g.slices()), static_cast<py::ssize_t>(g.rows()),
                                    static_cast<py::ssize_t>(g.columns())};
  if (owner->components > 1) {
    if (owner->planar)
      shape.insert(shape.begin(), static_cast<py::ssize_t>(owner->components));
    else
      shape.push_back(static_cast<py::ssize_t>(owner->components));
  }
  return py::array(dtypeOf(owner->type), shape, owner->buffer.data(), free);
}

}  // namespace qidcm::python
