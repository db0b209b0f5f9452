#pragma once
// The SUV image of a PET series: each slice's stored values decoded (any
// transfer syntax) and multiplied by that slice's SUV factor.
#include <vector>

#include "qidcm/geometry.h"
#include "qidcm/pet/series.h"
#include "qidcm/volume.h"

namespace qidcm::pet {

// float32 on `grid` (the series' own grid); factors[n] belongs to
// series.slices[n]. Throws Error (Input) naming the slice's file when its
// pixels cannot be read or do not fit the grid.
Volume readSuvVolume(const PetSeries& series, const std::vector<double>& factors, const Grid& grid);

}  // namespace qidcm::pet
