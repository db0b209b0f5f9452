#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "qidcm/error.h"
#include "qidcm/log.h"
#include "qidcm/pm/metadata.h"
#include "qidcm/schema.h"
#include "qidcm/seg/metadata.h"
#include "qidcm/sr/metadata.h"

using namespace qidcm;
namespace fs = std::filesystem;

namespace {
const std::string kExamples = std::string(QIDCM_SHARED_DATA) + "/dcmqi/doc/examples";

nlohmann::json liverExample() { return readJsonFile(kExamples + "/seg-example.json"); }

// The message of the Error that parsing `doc` throws, without the file prefix.
std::string failure(const nlohmann::json& doc) {
  try {
    seg::parseMetadata(doc, "test.json");
  } catch (const Error& e) {
    REQUIRE(e.file() == "test.json");
    REQUIRE(e.kind() == ErrorKind::Input);
    return e.where() + ": " + e.message();
  }
  return "(no error)";
}
}  // namespace

TEST_CASE("every dcmqi SEG example validates and parses") {
  std::size_t count = 0;
  for (const auto& entry : fs::directory_iterator(kExamples)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("seg-", 0) != 0 && name != "bmmr-example.json") continue;
    INFO(name);
    const seg::Metadata m = seg::readMetadataFile(entry.path().string());
    CHECK(!m.segmentAttributes.empty());
    ++count;
  }
  CHECK(count == 10);
}

TEST_CASE("every dcmqi parametric map example validates and parses") {
  std::size_t count = 0;
  for (const auto& entry : fs::directory_iterator(kExamples)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("pm-", 0) != 0) continue;
    INFO(name);
    const pm::Metadata m = pm::readMetadataFile(entry.path().string());
    CHECK(!m.quantity.value.empty());
    CHECK(!m.units.value.empty());
    ++count;
  }
  CHECK(count == 3);
  const pm::Metadata m = pm::readMetadataFile(kExamples + "/pm-example.json");
  CHECK(m.diffusionBValues == std::vector<std::string>{"0", "1400"});
  CHECK(m.measurementMethod->value == "113250");
  CHECK(m.slope == 1.0);
}

TEST_CASE("every dcmqi SR example and third-party dcmqi-style SR JSON validates and parses") {
  std::size_t count = 0;
  for (const auto& entry : fs::directory_iterator(kExamples)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("sr-tid1500", 0) != 0) continue;
    INFO(name);
    const sr::Metadata m = sr::readMetadataFile(entry.path().string());
    CHECK(!m.groups.empty());
    CHECK(!m.groups[0].measurements.empty());
    ++count;
  }
  CHECK(count == 4);
  const sr::Metadata fhir =
      sr::readMetadataFile(std::string(QIDCM_SHARED_DATA) + "/tid1500-fhir/examples/dcmqi/metadata.json");
  CHECK(!fhir.groups.empty());

  const sr::Metadata liver = sr::readMetadataFile(kExamples + "/sr-tid1500-ct-liver-example.json");
  CHECK(liver.observer.type == sr::Observer::Type::Device);
  const sr::Measurement& first = liver.groups[0].measurements[0];
  CHECK(first.derivationParameters.size() == 3);
  CHECK(first.properties.size() == 2);
  CHECK(first.populationDescription == "Elves of the Black Forest");
  CHECK(first.modifiers.size() == 2);

  const sr::Metadata nan = sr::readMetadataFile(kExamples + "/sr-tid1500-example-nan.json");
  CHECK(nan.groups[0].measurements[0].value == "nan");
}

TEST_CASE("SR JSON: dcmqi reader's lower-case group measurementMethod is read, errors name the path") {
  nlohmann::json doc = readJsonFile(kExamples + "/sr-tid1500-example.json");
  doc["Measurements"][0]["measurementMethod"] = doc["Measurements"][0]["MeasurementMethod"];
  doc["Measurements"][0].erase("MeasurementMethod");
  const sr::Metadata m = sr::parseMetadata(doc, "sr.json");
  REQUIRE(m.groups[0].measurementMethod);
  CHECK(m.groups[0].measurementMethod->value == "126401");
  // The writer's JSON form round-trips through toJson / parseMetadata.
  const sr::Metadata again = sr::parseMetadata(sr::toJson(m), "again.json");
  CHECK(sr::toJson(again) == sr::toJson(m));

  doc["Measurements"][0]["measurementItems"][0]["units"].erase("CodingSchemeDesignator");
  try {
    sr::parseMetadata(doc, "sr.json");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.file() == "sr.json");
    CHECK(e.where() == "Measurements[0].measurementItems[0].units");
    CHECK(e.message().find("CodingSchemeDesignator") != std::string::npos);
  }
}

TEST_CASE("parametric map keys dcmqi reads but its schema forbids are accepted") {
  nlohmann::json doc = readJsonFile(kExamples + "/pm-example.json");
  doc["RealWorldValueIntercept"] = "-0.5";
  doc["DerivedPixelContrast"] = "ADC";
  doc["RealWorldValueSlope"] = 0.001;
  const pm::Metadata m = pm::parseMetadata(doc, "pm.json");
  CHECK(m.intercept == -0.5);
  CHECK(m.slope == 0.001);
  CHECK(m.derivedPixelContrast == "ADC");
  doc["FrameLaterality"] = "X";
  try {
    pm::parseMetadata(doc, "pm.json");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.where() == "FrameLaterality");
  }
}

TEST_CASE("the liver example maps to the typed metadata") {
  const seg::Metadata m = seg::parseMetadata(liverExample(), "seg-example.json");
  CHECK(m.contentCreatorName == "Doe^John");
  CHECK(m.clinicalTrialCoordinatingCenterName == "BWH");
  CHECK(m.contentLabel == "SEGMENTATION");  // schema default when absent
  REQUIRE(m.segmentAttributes.size() == 1);
  const seg::SegmentDescription& s = m.segmentAttributes[0][0];
  CHECK(s.labelID == 1);
  CHECK(s.label == "Liver");
  CHECK(s.type == Code{"10200004", "SCT", "Liver", ""});
  CHECK(s.algorithmType == seg::SegmentAlgorithmType::Semiautomatic);
  CHECK(s.algorithmName == "SlicerEditor");
  CHECK(s.rgb == RGB{221, 130, 101});
  CHECK(s.trackingUID == "1.2.3");
}

TEST_CASE("ContentLabel, ContentDescription and a CIELab colour are honoured") {
  nlohmann::json doc = liverExample();
  doc["ContentLabel"] = "LIVER_SEG";
  doc["ContentDescription"] = "Liver from a pipeline";
  doc["segmentAttributes"][0][0]["RecommendedDisplayCIELabValue"] = {40000, 30000, 35000};
  const seg::Metadata m = seg::parseMetadata(doc, "x.json");
  CHECK(m.contentLabel == "LIVER_SEG");
  CHECK(m.contentDescription == "Liver from a pipeline");
  CHECK(m.segmentAttributes[0][0].effectiveLab() == CIELab{40000, 30000, 35000});
}

TEST_CASE("schema errors name the JSON path and the rule") {
  nlohmann::json doc = readJsonFile(kExamples + "/seg-example_multiple_segments_single_input_file.json");
  doc["segmentAttributes"][0][2]["SegmentedPropertyTypeCodeSequence"].erase("CodeMeaning");
  CHECK(failure(doc) == "segmentAttributes[0][2].SegmentedPropertyTypeCodeSequence: missing CodeMeaning");

  doc = liverExample();
  doc["segmentAttributes"][0][0]["labelID"] = "one";
  CHECK(failure(doc) == "segmentAttributes[0][0].labelID: wrong type, expected integer");

  doc = liverExample();
  doc["segmentAttributes"][0][0]["SegmentAlgorithmType"] = "ROBOT";
  CHECK(failure(doc) ==
        "segmentAttributes[0][0].SegmentAlgorithmType: value not allowed; allowed values: AUTOMATIC, SEMIAUTOMATIC, "
        "MANUAL");

  doc = liverExample();
  doc["segmentAttributes"][0][0].erase("SegmentAlgorithmName");
  CHECK(failure(doc) == "segmentAttributes[0][0]: missing SegmentAlgorithmName");


  doc = liverExample();
  doc["segmentAttributes"][0][0]["SegmentedPropertyCategoryCodeSequence"]["CodeValue"] = "";
  CHECK(failure(doc) == "segmentAttributes[0][0].SegmentedPropertyCategoryCodeSequence.CodeValue: empty value");

  doc = liverExample();
  doc["SeriesNumber"] = "three hundred";
  CHECK(failure(doc).rfind("SeriesNumber: ", 0) == 0);

  doc = liverExample();
  doc.erase("segmentAttributes");
  CHECK(failure(doc) == "(top level): missing segmentAttributes");

  doc = liverExample();
  doc["segmentAttributes"][0][0]["recommendedDisplayRGBValue"] = {300, 0, 0};
  CHECK(failure(doc).rfind("segmentAttributes[0][0].recommendedDisplayRGBValue[0]: ", 0) == 0);
}

TEST_CASE("writers make values fit their VR, one warning per JSON key, readers' values pass as they are") {
  std::vector<std::string> warnings;
  log::setHandler([&](log::Level level, const std::string& m) {
    if (level == log::Level::Warning) warnings.push_back(m);
  });
  nlohmann::json doc = liverExample();
  const std::string long70(70, 'd');
  doc["SeriesDescription"] = long70;                                     // LO, 64
  doc["ContentLabel"] = "liver-mask.v2";                                 // CS: case and characters
  doc["SeriesNumber"] = "12.0";                                          // IS
  doc["segmentAttributes"][0][0]["SegmentLabel"] = "a\\b";               // LO: no backslash
  doc["segmentAttributes"][0][0]["SegmentedPropertyTypeCodeSequence"]["CodeMeaning"] = std::string(80, 'm');
  const nlohmann::json asRead = doc;
  CHECK(conformToValueRepresentations(SchemaId::Segmentation, doc, "test.json") == 5);
  CHECK(doc["SeriesDescription"] == std::string(64, 'd'));
  CHECK(doc["ContentLabel"] == "LIVER_MASK_V2");
  CHECK(doc["SeriesNumber"] == "12");
  CHECK(doc["segmentAttributes"][0][0]["SegmentLabel"] == "a b");
  CHECK(doc["segmentAttributes"][0][0]["SegmentedPropertyTypeCodeSequence"]["CodeMeaning"] == std::string(64, 'm'));
  REQUIRE(warnings.size() == 5);
  std::sort(warnings.begin(), warnings.end());
  CHECK(warnings[0].rfind("test.json: ContentLabel: not a code string", 0) == 0);
  CHECK(warnings[1].rfind("test.json: SeriesDescription: value of 70 characters, longer than the 64", 0) == 0);
  CHECK_NOTHROW(validateAgainstSchema(SchemaId::Segmentation, doc, "test.json"));
  // A reader's output keeps them: it validates as it is, and is left unchanged.
  CHECK_NOTHROW(validateReaderOutput(SchemaId::Segmentation, asRead, "in.dcm"));
  CHECK(asRead["SeriesDescription"] == long70);
  // A decimal string too precise for DS is rounded; a malformed UID cannot be repaired.
  nlohmann::json pm = readJsonFile(kExamples + "/pm-example.json");
  pm["RealWorldValueSlope"] = "0.000123456789012345";
  CHECK(conformToValueRepresentations(SchemaId::ParametricMap, pm, "pm.json") == 1);
  CHECK(pm["RealWorldValueSlope"].get<std::string>().size() <= 16);
  CHECK(std::stod(pm["RealWorldValueSlope"].get<std::string>()) == Approx(0.000123456789012345).epsilon(1e-9));
  doc["segmentAttributes"][0][0]["TrackingUniqueIdentifier"] = "1.2.03.x";
  CHECK(conformToValueRepresentations(SchemaId::Segmentation, doc, "test.json") == 0);
  CHECK_THROWS_AS(validateAgainstSchema(SchemaId::Segmentation, doc, "test.json"), Error);
  // ... but a reader's output that holds one still passes: the file carried it.
  CHECK_NOTHROW(validateReaderOutput(SchemaId::Segmentation, doc, "in.dcm"));
  log::setHandler(nullptr);
}

TEST_CASE("unknown keys are warnings, as dcmqi ignores them") {
  std::vector<std::string> warnings;
  log::setHandler([&](log::Level level, const std::string& m) {
    if (level == log::Level::Warning) warnings.push_back(m);
  });
  nlohmann::json doc = liverExample();
  doc["SeriesNumbr"] = "1";
  doc["segmentAttributes"][0][0]["Extra"] = true;
  CHECK_NOTHROW(seg::parseMetadata(doc, "test.json"));
  log::setHandler(nullptr);
  std::sort(warnings.begin(), warnings.end());
  REQUIRE(warnings.size() == 2);
  CHECK(warnings[0] == "test.json: (top level): unknown key SeriesNumbr (ignored)");
  CHECK(warnings[1] == "test.json: segmentAttributes[0][0]: unknown key Extra (ignored)");
}

TEST_CASE("dcmqi-style JSON that pipelines write is accepted") {
  nlohmann::json doc = liverExample();
  // integral numbers written as floats
  doc["segmentAttributes"][0][0]["labelID"] = 1.0;
  doc["segmentAttributes"][0][0]["recommendedDisplayRGBValue"] = {221.0, 130.0, 101.0};
  // ContentLabel in dcmqi's legacy seriesAttributes object
  doc["seriesAttributes"] = {{"ContentLabel", "LEGACY"}, {"ContentDescription", "from seriesAttributes"}};
  // no SegmentAlgorithmType: dcmqi's default SEMIAUTOMATIC (the name is present)
  doc["segmentAttributes"][0][0].erase("SegmentAlgorithmType");
  const seg::Metadata m = seg::parseMetadata(doc, "x.json");
  CHECK(m.segmentAttributes[0][0].labelID == 1);
  CHECK(m.segmentAttributes[0][0].rgb == RGB{221, 130, 101});
  CHECK(m.contentLabel == "LEGACY");
  CHECK(m.contentDescription == "from seriesAttributes");
  CHECK(m.segmentAttributes[0][0].algorithmType == seg::SegmentAlgorithmType::Semiautomatic);
  // ... but then the algorithm name is required
  doc["segmentAttributes"][0][0].erase("SegmentAlgorithmName");
  CHECK(failure(doc) == "segmentAttributes[0][0]: missing SegmentAlgorithmName");
  // a non-integral labelID is still wrong
  doc = liverExample();
  doc["segmentAttributes"][0][0]["labelID"] = 1.5;
  CHECK(failure(doc) == "segmentAttributes[0][0].labelID: wrong type, expected integer");
}

TEST_CASE("a label described twice for one file is refused") {
  nlohmann::json doc = liverExample();
  doc["segmentAttributes"][0].push_back(doc["segmentAttributes"][0][0]);
  CHECK(failure(doc) == "segmentAttributes[0][1].labelID: label 1 is described twice for the same input file");
}

TEST_CASE("JSON syntax errors give line and column") {
  const std::string path = std::string(QIDCM_TEST_WORK) + "/broken.json";
  fs::create_directories(QIDCM_TEST_WORK);
  {
    std::ofstream out(path);
    out << "{\n  \"SeriesNumber\": \"1\",\n  oops\n}\n";
  }
  try {
    readJsonFile(path);
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(std::string(e.what()) == path + ": invalid JSON at line 3, column 3");
  }
}

TEST_CASE("metadata survives toJson -> parse") {
  for (const char* name : {"seg-example.json", "bmmr-example.json", "seg-example_partial_overlaps.json",
                           "seg-example_multiple_segments_reordered.json"}) {
    INFO(name);
    const seg::Metadata a = seg::readMetadataFile(kExamples + "/" + name);
    const seg::Metadata b = seg::parseMetadata(seg::toJson(a), "roundtrip");
    REQUIRE(seg::toJson(a) == seg::toJson(b));
    CHECK(b.segmentAttributes.size() == a.segmentAttributes.size());
  }
}
