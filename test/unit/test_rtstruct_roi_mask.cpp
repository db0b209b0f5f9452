#include <catch2/catch.hpp>

#include "qidcm/error.h"
#include "rtstruct/roi_mask.h"

using namespace qidcm;
using namespace qidcm::rtstruct;

namespace {

const std::string kDro = std::string(QIDCM_SHARED_DATA) + "/suv_computation/DRO/DRO_0_0/RS/RS_dro_0_0.dcm";

// The DRO's PET grid: 256 x 256 x 20, 4 mm voxels, origin 0, axial.
Grid droGrid() {
  Grid g;
  g.size = {256, 256, 20};
  g.spacing = {4, 4, 4};
  return g;
}

// Counted on the painted volume, so that paint() is checked too.
std::vector<std::uint64_t> perSlice(const RoiMask& m, const Grid& g) {
  Volume v;
  v.grid = g;
  v.type = PixelType::UInt8;
  v.allocate("test");
  v.buffer.zero();
  paint(m, 1, v);
  std::vector<std::uint64_t> counts(g.slices(), 0);
  const std::uint8_t* voxels = v.samples<std::uint8_t>();
  for (std::size_t n = 0; n < g.voxels(); ++n) counts[n / g.slicePixels()] += voxels[n];
  return counts;
}

Roi square(double z) {
  Roi roi;
  roi.number = 7;
  roi.name = "box";
  Contour c;
  c.type = ContourType::ClosedPlanar;
  c.typeText = "CLOSED_PLANAR";
  c.points = {{10, 10, z}, {30, 10, z}, {30, 30, z}, {10, 30, z}};
  roi.contours.push_back(c);
  return roi;
}

}  // namespace

TEST_CASE("the DRO's ROI on its PET grid: voxel counts per slice as plastimatch --xor-contours gives them") {
  const StructureSet s = readStructureSet(kDro);
  const Grid g = droGrid();
  const RoiMask m = rasterizeRoi(s.rois.at(0), g, kDro);
  // plastimatch 1.9.4: convert --referenced-ct PT --xor-contours, region_1.nrrd, summed per slice.
  const std::vector<std::uint64_t> plastimatch = {0,     0,     10817, 10945, 10944, 10945, 10922,
                                                  10912, 10921, 10930, 10934, 10931, 10915, 10929,
                                                  10945, 10938, 10945, 10817, 0,     0};
  CHECK(perSlice(m, g) == plastimatch);
  CHECK(m.count == 174690);
  CHECK(m.closedContours == 16);
  CHECK(m.skippedContours == 0);
}

TEST_CASE("a contour goes to its plane: on it, between planes (warned), off the slices (skipped)") {
  Grid g;
  g.size = {16, 16, 5};
  g.spacing = {2, 2, 3};
  g.origin = {0, 0, 10};
  // z 16 is slice 2; the square covers centres 5..14 in i and j.
  RoiMask on = rasterizeRoi(square(16), g, "rs.dcm");
  CHECK(perSlice(on, g) == std::vector<std::uint64_t>{0, 0, 100, 0, 0});
  // 1 mm off (a third of the spacing): the nearest slice, with a warning.
  RoiMask near = rasterizeRoi(square(17), g, "rs.dcm");
  CHECK(perSlice(near, g) == std::vector<std::uint64_t>{0, 0, 100, 0, 0});
  // Exactly half way between slices 2 and 3: the higher one.
  RoiMask half = rasterizeRoi(square(17.5), g, "rs.dcm");
  CHECK(perSlice(half, g) == std::vector<std::uint64_t>{0, 0, 0, 100, 0});
  RoiMask off = rasterizeRoi(square(40), g, "rs.dcm");
  CHECK(off.count == 0);
  CHECK(off.skippedContours == 1);
}

TEST_CASE("points and open contours are skipped, and a contour not in one plane is refused by name") {
  Grid g;
  g.size = {16, 16, 5};
  g.spacing = {2, 2, 3};
  Roi roi = square(6);
  Contour point;
  point.type = ContourType::Point;
  point.typeText = "POINT";
  point.points = {{4, 4, 6}};
  roi.contours.push_back(point);
  const RoiMask m = rasterizeRoi(roi, g, "rs.dcm");
  CHECK(m.count == 100);
  CHECK(m.skippedContours == 1);
  Roi tilted = square(6);
  tilted.contours[0].points[2][2] = 9;
  CHECK_THROWS_WITH(rasterizeRoi(tilted, g, "rs.dcm"),
                    Catch::Contains("rs.dcm") && Catch::Contains("ROI 7 (\"box\") contour 1 is not planar"));
}
