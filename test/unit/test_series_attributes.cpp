// SeriesAttributes (qidcm/series.h) and its one JSON and DICOM mapping
// (iod/series.h), for the three IOD profiles.
#include <catch2/catch.hpp>

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>

#include <nlohmann/json.hpp>

#include "iod/series.h"
#include "qidcm/error.h"
#include "qidcm/pm/metadata.h"
#include "qidcm/schema.h"
#include "qidcm/seg/metadata.h"
#include "qidcm/sr/metadata.h"

using namespace qidcm;
using iod::Attribute;

namespace {

const Attribute kAll[] = {
    Attribute::SeriesDescription,     Attribute::SeriesNumber,          Attribute::InstanceNumber,
    Attribute::BodyPartExamined,      Attribute::ContentLabel,          Attribute::ContentDescription,
    Attribute::ContentCreatorName,    Attribute::ClinicalTrialSeriesID, Attribute::ClinicalTrialTimePointID,
    Attribute::ClinicalTrialCoordinatingCenterName};

SeriesAttributes realValues() {
  SeriesAttributes a;
  a.seriesDescription = "Liver segmentation \xC3\xA9t\xC3\xA9";  // "été": needs UTF-8
  a.seriesNumber = "1234";
  a.instanceNumber = "7";
  a.bodyPartExamined = "ABDOMEN";
  a.contentLabel = "LIVER_SEG";
  a.contentDescription = "Liver, reader 2";
  a.contentCreatorName = "Doe^Jane";
  a.clinicalTrialSeriesID = "Session2";
  a.clinicalTrialTimePointID = "T3";
  a.clinicalTrialCoordinatingCenterName = "Coordinating Center";
  return a;
}

bool inProfile(const iod::SeriesProfile& profile, Attribute attribute) {
  for (const auto& use : profile)
    if (use.attribute == attribute) return true;
  return false;
}

// Each attribute of the profile has its value from `expected`; every other
// one is empty.
void checkProfileValues(const SeriesAttributes& actual, const SeriesAttributes& expected,
                        const iod::SeriesProfile& profile) {
  for (Attribute attribute : kAll) {
    INFO(iod::jsonKey(attribute));
    if (inProfile(profile, attribute))
      CHECK(iod::field(actual, attribute) == iod::field(expected, attribute));
    else
      CHECK(iod::field(actual, attribute).empty());
  }
}

struct Case {
  const char* name;
  const iod::SeriesProfile& profile;
  std::size_t attributes;
};

const Case kProfiles[] = {{"SEG", iod::segmentationProfile(), 10},
                          {"PM", iod::parametricMapProfile(), 7},
                          {"SR", iod::measurementReportProfile(), 3}};

}  // namespace

TEST_CASE("series attributes: each IOD keeps its defaults") {
  const seg::Metadata s;
  CHECK(s.seriesDescription == "Segmentation");
  CHECK(s.seriesNumber == "300");
  CHECK(s.instanceNumber == "1");
  CHECK(s.bodyPartExamined.empty());
  CHECK(s.contentLabel == "SEGMENTATION");
  CHECK(s.contentDescription == "Image segmentation");
  CHECK(s.contentCreatorName == "Reader1");
  CHECK(s.clinicalTrialSeriesID == "Session1");
  CHECK(s.clinicalTrialTimePointID == "1");
  CHECK(s.clinicalTrialCoordinatingCenterName.empty());

  const pm::Metadata p;
  CHECK(p.seriesDescription == "Parametric map");
  CHECK(p.seriesNumber == "300");
  CHECK(p.instanceNumber == "1");
  CHECK(p.bodyPartExamined.empty());
  CHECK(p.contentLabel == "PARAMETRIC_MAP");
  CHECK(p.contentDescription == "Parametric map");
  CHECK(p.contentCreatorName.empty());
  CHECK(p.clinicalTrialSeriesID.empty());
  CHECK(p.clinicalTrialTimePointID.empty());
  CHECK(p.clinicalTrialCoordinatingCenterName.empty());

  const sr::Metadata r;
  CHECK(r.seriesDescription == "Measurements");
  CHECK(r.seriesNumber == "400");
  CHECK(r.instanceNumber == "1");
  for (Attribute attribute : {Attribute::BodyPartExamined, Attribute::ContentLabel, Attribute::ContentDescription,
                              Attribute::ContentCreatorName, Attribute::ClinicalTrialSeriesID,
                              Attribute::ClinicalTrialTimePointID, Attribute::ClinicalTrialCoordinatingCenterName})
    CHECK(iod::field(r, attribute).empty());
}

TEST_CASE("series attributes: JSON round trip of each profile") {
  for (const Case& c : kProfiles) {
    INFO(c.name);
    CHECK(c.profile.size() == c.attributes);
    nlohmann::json document;
    iod::writeJson(realValues(), c.profile, document);
    CHECK(document.size() == c.attributes);  // every value is set: every key is written
    SeriesAttributes back;
    iod::readJson(document, c.profile, back);
    checkProfileValues(back, realValues(), c.profile);
    // A key of an attribute the IOD does not have is not read.
    nlohmann::json full;
    iod::writeJson(realValues(), iod::segmentationProfile(), full);
    SeriesAttributes only;
    iod::readJson(full, c.profile, only);
    checkProfileValues(only, realValues(), c.profile);
  }
  // Numbers given as JSON integers are read as their text.
  SeriesAttributes n;
  iod::readJson({{"SeriesNumber", 42}, {"InstanceNumber", 3}}, iod::measurementReportProfile(), n);
  CHECK(n.seriesNumber == "42");
  CHECK(n.instanceNumber == "3");
}

TEST_CASE("series attributes: empty values in JSON as each IOD wrote them") {
  const SeriesAttributes empty;
  nlohmann::json seg, pm, sr;
  iod::writeJson(empty, iod::segmentationProfile(), seg);
  iod::writeJson(empty, iod::parametricMapProfile(), pm);
  iod::writeJson(empty, iod::measurementReportProfile(), sr);
  CHECK(seg == nlohmann::json{{"SeriesDescription", ""},
                              {"SeriesNumber", ""},
                              {"InstanceNumber", ""},
                              {"BodyPartExamined", ""},
                              {"ContentCreatorName", ""},
                              {"ClinicalTrialSeriesID", ""},
                              {"ClinicalTrialTimePointID", ""}});
  CHECK(pm == nlohmann::json{
                  {"SeriesDescription", ""}, {"SeriesNumber", ""}, {"InstanceNumber", ""}, {"BodyPartExamined", ""}});
  CHECK(sr.is_null());
}

TEST_CASE("series attributes: the IOD metadata JSON round trip keeps them") {
  const std::string examples = std::string(QIDCM_SHARED_DATA) + "/dcmqi/doc/examples";
  nlohmann::json segDoc = readJsonFile(examples + "/seg-example.json");
  iod::writeJson(realValues(), iod::segmentationProfile(), segDoc);
  const seg::Metadata s = seg::parseMetadata(seg::toJson(seg::parseMetadata(segDoc, "seg.json")), "again.json");
  checkProfileValues(s, realValues(), iod::segmentationProfile());

  nlohmann::json pmDoc = readJsonFile(examples + "/pm-example.json");
  iod::writeJson(realValues(), iod::parametricMapProfile(), pmDoc);
  const pm::Metadata p = pm::parseMetadata(pm::toJson(pm::parseMetadata(pmDoc, "pm.json")), "again.json");
  checkProfileValues(p, realValues(), iod::parametricMapProfile());

  nlohmann::json srDoc = readJsonFile(examples + "/sr-tid1500-example.json");
  iod::writeJson(realValues(), iod::measurementReportProfile(), srDoc);
  const sr::Metadata r = sr::parseMetadata(sr::toJson(sr::parseMetadata(srDoc, "sr.json")), "again.json");
  checkProfileValues(r, realValues(), iod::measurementReportProfile());

  // SEG: dcmqi's legacy seriesAttributes object, overridden by top-level keys.
  nlohmann::json legacy = readJsonFile(examples + "/seg-example.json");
  legacy.erase("ContentLabel");
  legacy.erase("ContentDescription");
  legacy["seriesAttributes"] = {{"ContentLabel", "LEGACY"}, {"ContentDescription", "Legacy description"}};
  seg::Metadata l = seg::parseMetadata(legacy, "legacy.json");
  CHECK(l.contentLabel == "LEGACY");
  CHECK(l.contentDescription == "Legacy description");
  legacy["ContentLabel"] = "TOP";
  l = seg::parseMetadata(legacy, "legacy.json");
  CHECK(l.contentLabel == "TOP");
  CHECK(l.contentDescription == "Legacy description");
}

TEST_CASE("series attributes: DICOM round trip of each profile") {
  const dicom::ValueWriter writer(true);
  for (const Case& c : kProfiles) {
    INFO(c.name);
    DcmDataset ds;
    iod::writeDicom(ds, realValues(), c.profile, writer, "meta.json");
    CHECK(ds.card() == c.attributes);
    CHECK(dicom::getString(ds, DCM_SeriesNumber) == "1234");
    SeriesAttributes back;
    iod::readDicom(ds, c.profile, back);
    checkProfileValues(back, realValues(), c.profile);
  }
  // The level splits the writes: PM puts Image Type between them.
  DcmDataset series, instance;
  iod::writeDicom(series, realValues(), iod::parametricMapProfile(), writer, "pm.json", iod::Level::Series);
  iod::writeDicom(instance, realValues(), iod::parametricMapProfile(), writer, "pm.json", iod::Level::Instance);
  CHECK(series.card() == 3);
  CHECK(series.tagExists(DCM_BodyPartExamined));
  CHECK(instance.card() == 4);
  CHECK(instance.tagExists(DCM_ContentCreatorName));
}

TEST_CASE("series attributes: empty values in DICOM as each IOD wrote them") {
  const dicom::ValueWriter writer(true);
  const SeriesAttributes empty;
  DcmDataset seg, sr;
  iod::writeDicom(seg, empty, iod::segmentationProfile(), writer, "seg.json");
  // General Series' Series Description and Body Part Examined only when set;
  // the others as (Type 2) empty elements.
  CHECK(!seg.tagExists(DCM_SeriesDescription));
  CHECK(!seg.tagExists(DCM_BodyPartExamined));
  CHECK(seg.tagExists(DCM_SeriesNumber));
  CHECK(seg.tagExists(DCM_ClinicalTrialCoordinatingCenterName));
  CHECK(seg.tagExists(DCM_ContentLabel));
  CHECK(seg.card() == 8);
  iod::writeDicom(sr, empty, iod::measurementReportProfile(), writer, "sr.json");
  CHECK(sr.tagExists(DCM_SeriesDescription));
  CHECK(sr.card() == 3);
}

TEST_CASE("series attributes: DICOM values are checked on writing, kept as they are on reading") {
  const dicom::ValueWriter writer(true);
  SeriesAttributes bad = realValues();
  bad.seriesNumber = "twelve";
  DcmDataset ds;
  try {
    iod::writeDicom(ds, bad, iod::segmentationProfile(), writer, "meta.json");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.file() == "meta.json");
    CHECK(e.where() == "SeriesNumber -> SeriesNumber (0020,0011)");
  }
  // A value longer than its VR allows is read back unchanged.
  DcmDataset file;
  const std::string longText(80, 'x');
  file.putAndInsertString(DCM_SeriesDescription, longText.c_str());
  file.putAndInsertString(DCM_ContentLabel, "lower case");
  SeriesAttributes read;
  iod::readDicom(file, iod::segmentationProfile(), read);
  CHECK(read.seriesDescription == longText);
  CHECK(read.contentLabel == "lower case");
  CHECK(read.seriesNumber.empty());
}

TEST_CASE("series attributes: text that needs UTF-8") {
  SeriesAttributes a;
  CHECK(!iod::needsUtf8(a, iod::segmentationProfile()));
  a.clinicalTrialSeriesID = "S\xC3\xA9" "ance";
  CHECK(iod::needsUtf8(a, iod::segmentationProfile()));
  CHECK(!iod::needsUtf8(a, iod::parametricMapProfile()));  // a PM has no Clinical Trial Series
  a = SeriesAttributes();
  a.contentLabel = "\xC3\xA9";  // CS: not a reason for UTF-8, as before
  CHECK(!iod::needsUtf8(a, iod::segmentationProfile()));
  a.seriesDescription = realValues().seriesDescription;
  CHECK(iod::needsUtf8(a, iod::measurementReportProfile()));
}
