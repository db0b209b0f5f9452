#pragma once
// Rebuilding a volume grid from the plane positions of frames (a SEG's or a
// parametric map's): positions are projected on the slice normal, grouped
// within a tolerance, and must fall on one regular grid.
#include <cstddef>
#include <string>
#include <vector>

#include "qidcm/geometry.h"

namespace qidcm {

struct FrameStack {
  std::vector<Vec3> positions;  // Image Position (Patient) of each frame
  Vec3 rowCosine{1, 0, 0};
  Vec3 columnCosine{0, 1, 0};
  double rowSpacing = 1;     // Pixel Spacing [0]
  double columnSpacing = 1;  // Pixel Spacing [1]
  std::size_t rows = 0, columns = 0;
  double spacingBetweenSlices = 0;  // declared, 0 when absent
  double sliceThickness = 0;        // declared, 0 when absent
  // Positions of a reference series (its slices extend the grid), optional.
  std::vector<Vec3> referencePositions;
};

struct StackPlacement {
  Grid grid;                       // slices run along row x column
  std::vector<std::size_t> slice;  // slice of each frame
  std::size_t distinctPositions = 0;
};

// Throws Error (Input) naming `path`, the frames at fault and why: positions
// off one line, or spacing that no regular grid explains.
StackPlacement placeFrames(const FrameStack& stack, const std::string& path);

}  // namespace qidcm
