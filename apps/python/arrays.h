#pragma once
// NumPy arrays <-> qidcm volumes and grids, for the Python module.
//
// Arrays are (slice, row, column) [, with segments first for 4-D input], C
// order, as SimpleITK's GetArrayFromImage gives them. Geometry is a 4 x 4
// affine in LPS millimetres that maps the index (column i, row j, slice k, 1)
// to a point: the array's axes reversed, as ITK and nibabel index them.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <string>

#include "qidcm/geometry.h"
#include "qidcm/volume.h"

namespace qidcm::python {

namespace py = pybind11;

// The grid of a (k, j, i) array with this affine; from_ras: the affine is
// nibabel's (RAS), turned to LPS. Throws Error (Input) for an affine that is
// not 4 x 4, finite, with orthogonal non-zero axes.
Grid gridFromAffine(const py::object& affine, bool fromRas, const std::size_t shape[3]);
py::array_t<double> affineOf(const Grid& grid);

// A volume that views the memory of an array readable in place (inPlace: the
// callers make it so), no copy. `part` selects the part-th 3-D block of a
// 4-D array. The array must outlive the volume.
Volume viewVolume(const py::array& array, PixelType type, const Grid& grid, std::size_t part);

// Whether the array can be read in place: C contiguous, aligned, native order.
bool inPlace(const py::array& array);

// The NumPy dtype of a pixel type, and back (nullopt: none).
py::dtype dtypeOf(PixelType type);
bool pixelTypeOf(const py::dtype& dtype, PixelType& type);

// A NumPy array that takes over the volume's memory (no copy), shaped
// (k, j, i) or (components, k, j, i) when `planar` with several components.
py::array arrayOf(Volume&& volume);

}  // namespace qidcm::python
