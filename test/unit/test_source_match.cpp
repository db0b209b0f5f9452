#include <catch2/catch.hpp>

#include <filesystem>

#include "qidcm/error.h"
#include "qidcm/source.h"
#include "synth/synth.h"

using namespace qidcm;
namespace fs = std::filesystem;

namespace {
const std::string kShared = QIDCM_SHARED_DATA;

synth::Outputs makeSeries(const std::string& name, synth::Orientation orientation, bool crop = false) {
  synth::Options o;
  o.outputDirectory = std::string(QIDCM_TEST_WORK) + "/" + name;
  fs::remove_all(o.outputDirectory);
  o.columns = 32;
  o.rows = 24;
  o.slices = 8;
  o.segments = 2;
  o.orientation = orientation;
  if (crop) {
    o.crop = true;
    o.cropStart = {5, 4, 2};
    o.cropSize = {10, 12, 4};
  }
  return synth::generate(o);
}
}  // namespace

TEST_CASE("every slice of an oblique, negated grid matches its source image") {
  const synth::Outputs out = makeSeries("match-oblique", synth::Orientation::ObliqueNegated);
  const SourceIndex index = SourceIndex::scan({}, {out.seriesDirectory});
  REQUIRE(index.instances().size() == 8);
  const SliceMatch match = matchSlices(out.labelGrid, index);
  REQUIRE(match.matchedSlices == 8);
  for (std::size_t k = 0; k < 8; ++k) {
    REQUIRE(match.perSlice[k].size() == 1);
    const SourceInstance& src = index.instances()[match.perSlice[k][0].instance];
    CHECK(norm(src.frames[0].position - out.labelGrid.slicePosition(k)) < 1e-3);
  }
}

TEST_CASE("a grid cropped to a sub-region still matches its sources") {
  const synth::Outputs out = makeSeries("match-crop", synth::Orientation::Oblique, true);
  const SourceIndex index = SourceIndex::scan({}, {out.seriesDirectory});
  const SliceMatch match = matchSlices(out.labelGrid, index);
  CHECK(match.matchedSlices == 4);
  for (std::size_t k = 0; k < 4; ++k) CHECK(match.perSlice[k].size() == 1);
}

TEST_CASE("a shifted or rotated grid matches nothing") {
  const synth::Outputs out = makeSeries("match-none", synth::Orientation::Axial);
  const SourceIndex index = SourceIndex::scan({}, {out.seriesDirectory});
  Grid shifted = out.labelGrid;
  shifted.origin = shifted.origin + (0.5 * shifted.spacing[2]) * shifted.normal();
  CHECK_FALSE(matchSlices(shifted, index).any());
  Grid rotated = out.labelGrid;
  std::swap(rotated.direction[1], rotated.direction[2]);
  CHECK_FALSE(matchSlices(rotated, index).any());
  CHECK(describeMismatch(shifted, index).find("0.75 mm from a grid slice") != std::string::npos);
}

TEST_CASE("enhanced multi-frame sources are indexed per frame") {
  const SourceIndex index =
      SourceIndex::scan({kShared + "/dcmqi/data/segmentations/24x38x3/multiframe/mf.dcm"}, {});
  REQUIRE(index.instances().size() == 1);
  const SourceInstance& mf = index.instances()[0];
  CHECK(mf.multiFrame);
  REQUIRE(mf.frames.size() == 3);
  CHECK(mf.frames[2].frameNumber == 3);
  CHECK(mf.rows == 38);
  CHECK(mf.columns == 24);
}

TEST_CASE("directory scans skip non-images and find nothing in an empty tree") {
  // The highdicom folder mixes SEG, SR, annotations and images.
  const SourceIndex index = SourceIndex::scan({}, {kShared + "/highdicom/data/test_files"});
  for (const auto& inst : index.instances()) {
    CHECK(inst.sopClassUID.rfind("1.2.840.10008.5.1.4.1.1.66", 0) != 0);
    CHECK(inst.sopClassUID.rfind("1.2.840.10008.5.1.4.1.1.88", 0) != 0);
  }
  const std::string empty = std::string(QIDCM_TEST_WORK) + "/empty-dir";
  fs::create_directories(empty);
  CHECK_THROWS_AS(SourceIndex::scan({}, {empty}), Error);
}

TEST_CASE("sources from two patients are refused") {
  synth::Outputs a = makeSeries("patient-a", synth::Orientation::Axial);
  synth::Options o;
  o.outputDirectory = std::string(QIDCM_TEST_WORK) + "/patient-b";
  o.columns = o.rows = 16;
  o.slices = 2;
  o.patientID = "SOMEONE-ELSE";
  synth::generate(o);
  const SourceIndex index = SourceIndex::scan({}, {a.seriesDirectory, o.outputDirectory + "/ct"});
  CHECK_THROWS_WITH(index.requireSinglePatient(), Catch::Contains("more than one patient"));
}
