#include <catch2/catch.hpp>

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcvrds.h>

#include <filesystem>

#include "qidcm/error.h"
#include "qidcm/rtstruct/structure_set.h"

using namespace qidcm;
using namespace qidcm::rtstruct;

namespace {

const std::string kDro = std::string(QIDCM_SHARED_DATA) + "/suv_computation/DRO/DRO_0_0/RS/RS_dro_0_0.dcm";
const std::string kPydicom = std::string(QIDCM_SHARED_DATA) + "/pydicom/src/pydicom/data/test_files/rtstruct.dcm";

std::string workPath(const std::string& name) {
  const std::filesystem::path dir = std::filesystem::path(QIDCM_TEST_WORK) / "rtstruct";
  std::filesystem::create_directories(dir);
  return (dir / name).string();
}

// A copy of the DRO structure set changed by `edit`.
template <typename Edit>
std::string editedCopy(const std::string& name, Edit&& edit) {
  DcmFileFormat file;
  REQUIRE(file.loadFile(kDro.c_str()).good());
  edit(*file.getDataset());
  const std::string path = workPath(name);
  REQUIRE(file.saveFile(path.c_str(), EXS_LittleEndianExplicit).good());
  return path;
}

DcmItem& firstContour(DcmDataset& ds) {
  DcmItem* roi = nullptr;
  DcmItem* contour = nullptr;
  REQUIRE(ds.findAndGetSequenceItem(DCM_ROIContourSequence, roi, 0).good());
  REQUIRE(roi->findAndGetSequenceItem(DCM_ContourSequence, contour, 0).good());
  return *contour;
}

}  // namespace

TEST_CASE("a third-party structure set: ROIs, contours in patient coordinates, referenced series") {
  const StructureSet s = readStructureSet(kDro);
  REQUIRE(s.rois.size() == 1);
  const Roi& roi = s.rois[0];
  CHECK(roi.number == 3);
  CHECK(roi.name == "region_1");
  CHECK(roi.interpretedType == "NONE");
  CHECK(roi.generationAlgorithm == "SEMIAUTOMATIC");
  REQUIRE(roi.displayColor);
  CHECK(*roi.displayColor == std::array<int, 3>{0, 128, 0});
  REQUIRE(roi.contours.size() == 16);
  std::size_t points = 0;
  for (std::size_t n = 0; n < roi.contours.size(); ++n) {
    const Contour& c = roi.contours[n];
    CHECK(c.type == ContourType::ClosedPlanar);
    CHECK(c.typeText == "CLOSED_PLANAR");
    points += c.points.size();
    for (const Vec3& p : c.points) CHECK(p[2] == c.points.front()[2]);  // planar, one z per contour
  }
  CHECK(points == 5361);
  CHECK(roi.contours[0].points.size() == 414);
  CHECK(roi.contours[0].points[0][0] == 588.0);
  CHECK(roi.contours[0].points[0][1] == Approx(290.7976).epsilon(1e-12));
  CHECK(roi.contours[0].points[1][1] == Approx(288.88).epsilon(1e-12));
  CHECK(roi.contours[0].points[0][2] == 8.0);
  CHECK(roi.contours[0].images.size() == 1);
  REQUIRE(s.referencedSeriesUIDs.size() == 1);
  CHECK(s.referencedSeriesUIDs[0] == "1.2.826.0.1.3680043.8.498.9552046624551246673304.1");
  CHECK(s.referencedFramesOfReference.size() == 1);
}

TEST_CASE("a structure set without file meta: closed contours and points, by ROI") {
  const StructureSet s = readStructureSet(kPydicom);
  REQUIRE(s.rois.size() == 3);
  CHECK(s.rois[0].name == "patient");
  CHECK(s.rois[0].interpretedType == "EXTERNAL");
  CHECK(*s.rois[0].displayColor == std::array<int, 3>{220, 160, 120});
  REQUIRE(s.rois[0].contours.size() == 3);
  CHECK(s.rois[0].contours[0].points.size() == 5);  // the first point repeated at the end
  CHECK(s.rois[0].contours[0].points[1][1] == -150.0);
  CHECK(s.rois[0].contours[0].points[0][2] == -200.0);
  CHECK(s.rois[1].name == "Isocenter 1");
  CHECK(s.rois[1].interpretedType == "ISOCENTER");
  REQUIRE(s.rois[1].contours.size() == 1);
  CHECK(s.rois[1].contours[0].type == ContourType::Point);
  CHECK(s.rois[1].contours[0].points.size() == 1);
  CHECK(s.referencedSeriesUIDs == std::vector<std::string>{"1.2.826.0.1.3680043.8.498.2010020400001.2.1.1"});
}

TEST_CASE("Contour Data padded with a NUL instead of a space is read") {
  const std::string padded = editedCopy("nul-padded.dcm", [](DcmDataset& ds) {
    DcmItem& c = firstContour(ds);
    const char value[] = "1\\2\\8\\4\\5\\8\\1\\9\\8\0";  // 17 characters and a NUL: even length
    auto* data = new DcmDecimalString(DcmTag(DCM_ContourData));
    REQUIRE(data->putString(value, 18).good());
    REQUIRE(c.insert(data, OFTrue).good());
    REQUIRE(c.putAndInsertString(DCM_NumberOfContourPoints, "3").good());
  });
  const StructureSet s = readStructureSet(padded);
  REQUIRE(s.rois.at(0).contours.at(0).points.size() == 3);
  CHECK(s.rois[0].contours[0].points[2] == Vec3{1, 9, 8});
}

TEST_CASE("structure sets that cannot be rasterized are refused, naming the file and the attribute") {
  const std::string seg = std::string(QIDCM_SHARED_DATA) + "/dcmqi/data/sr-example/seg.dcm";
  CHECK_THROWS_WITH(readStructureSet(seg), Catch::Contains("SOPClassUID (0008,0016)") &&
                                               Catch::Contains("1.2.840.10008.5.1.4.1.1.66.4") &&
                                               Catch::Contains("not an RT Structure Set"));
  CHECK_THROWS_WITH(readStructureSet(workPath("missing.dcm")), Catch::Contains("file not found"));

  const std::string noContours =
      editedCopy("no-roi-contours.dcm", [](DcmDataset& ds) { REQUIRE(ds.findAndDeleteElement(DCM_ROIContourSequence).good()); });
  CHECK_THROWS_WITH(readStructureSet(noContours),
                    Catch::Contains("no-roi-contours.dcm") && Catch::Contains("ROIContourSequence (3006,0039)"));

  const std::string declared = editedCopy("declared-points.dcm", [](DcmDataset& ds) {
    REQUIRE(firstContour(ds).putAndInsertString(DCM_NumberOfContourPoints, "10000000").good());
  });
  CHECK_THROWS_WITH(readStructureSet(declared), Catch::Contains("NumberOfContourPoints (3006,0046)") &&
                                                    Catch::Contains("ROI 3 (\"region_1\") contour 1") &&
                                                    Catch::Contains("declares 10000000 points, Contour Data holds 414"));

  const std::string odd = editedCopy("odd-values.dcm", [](DcmDataset& ds) {
    DcmItem& c = firstContour(ds);
    REQUIRE(c.putAndInsertString(DCM_ContourData, "1\\2\\3\\4\\5\\6\\7").good());
    REQUIRE(c.putAndInsertString(DCM_NumberOfContourPoints, "2").good());
  });
  CHECK_THROWS_WITH(readStructureSet(odd),
                    Catch::Contains("ContourData (3006,0050)") && Catch::Contains("7 values, not x\\y\\z triplets"));

  const std::string two = editedCopy("two-points.dcm", [](DcmDataset& ds) {
    DcmItem& c = firstContour(ds);
    REQUIRE(c.putAndInsertString(DCM_ContourData, "1\\2\\8\\4\\5\\8").good());
    REQUIRE(c.putAndInsertString(DCM_NumberOfContourPoints, "2").good());
  });
  CHECK_THROWS_WITH(readStructureSet(two), Catch::Contains("a CLOSED_PLANAR contour of 2 point(s); it needs 3"));

  const std::string text = editedCopy("not-a-number.dcm", [](DcmDataset& ds) {
    REQUIRE(firstContour(ds).putAndInsertString(DCM_ContourData, "1\\2\\8\\4\\x\\8\\1\\1\\8").good());
    REQUIRE(firstContour(ds).putAndInsertString(DCM_NumberOfContourPoints, "3").good());
  });
  CHECK_THROWS_WITH(readStructureSet(text), Catch::Contains("value 5 is not a decimal number"));
}
