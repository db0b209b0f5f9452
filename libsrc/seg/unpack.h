#pragma once
// Reading: painting decoded SEG frames into output volumes, shared by the
// three Segmentation Type strategies.
#include <algorithm>
#include <string>
#include <vector>

#include "pixel/bits.h"
#include "seg/segmentation_file.h"

namespace qidcm::seg {

// Sets the voxels of frame `f`'s set bits to `value`. Returns whether one of
// them already held another value (looked for only when `detect` is set).
template <typename T>
bool paintBits(const SegmentationFile& seg, std::size_t f, T value, Volume& out, bool detect = false) {
  const FramePlacement& place = seg.frames()[f];
  const FrameView v = seg.frame(f);
  const Grid& g = out.grid;
  const std::size_t fcols = seg.frameColumns();
  T* slice = out.samples<T>() + place.slice * g.slicePixels();
  bool collision = false;
  if (!seg.slide()) {
    if (detect)
      pixel::forEachSetBit(v.data, v.bitOffset, seg.frameRows() * fcols, [&](std::size_t p) {
        if (slice[p] && slice[p] != value) collision = true;
        slice[p] = value;
      });
    else
      pixel::forEachSetBit(v.data, v.bitOffset, seg.frameRows() * fcols, [&](std::size_t p) { slice[p] = value; });
    return collision;
  }
  pixel::forEachSetBit(v.data, v.bitOffset, seg.frameRows() * fcols, [&](std::size_t p) {
    const std::size_t i = place.column + p % fcols, j = place.row + p / fcols;
    if (i < g.columns() && j < g.rows()) {
      T& voxel = slice[j * g.columns() + i];
      if (detect && voxel && voxel != value) collision = true;
      voxel = value;
    }
  });
  return collision;
}

// Hands each stored sample (8 or 16 bit) of frame `f`, with its voxel, to
// `map(voxel, stored)`; tiles are clipped to the grid.
template <typename T, typename Map>
void paintSamples(const SegmentationFile& seg, std::size_t f, Volume& out, Map&& map) {
  const FramePlacement& place = seg.frames()[f];
  const FrameView v = seg.frame(f);
  const Grid& g = out.grid;
  const std::size_t fcols = seg.frameColumns(), frows = seg.frameRows();
  T* slice = out.samples<T>() + place.slice * g.slicePixels();
  const bool wide = seg.bitsAllocated() == 16;
  for (std::size_t j = 0; j < frows; ++j) {
    const std::size_t gj = place.row + j;
    if (gj >= g.rows()) break;
    for (std::size_t i = 0; i < fcols; ++i) {
      const std::size_t gi = place.column + i;
      if (gi >= g.columns()) break;
      const std::size_t p = j * fcols + i;
      const unsigned stored = wide ? (v.data[2 * p] | (v.data[2 * p + 1] << 8)) : v.data[p];
      map(slice[gj * g.columns() + gi], stored);
    }
  }
}

// The segment's description, with its Segment Number as labelID (the pixel
// value it gets in the output image).
inline SegmentDescription describeSegment(const SegmentationFile& seg, std::uint16_t number) {
  SegmentDescription s = seg.segments().at(number);
  s.labelID = number;
  return s;
}

}  // namespace qidcm::seg
