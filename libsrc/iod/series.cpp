#include "iod/series.h"

#include <dcmtk/dcmdata/dcdeftag.h>

#include <nlohmann/json.hpp>

#include "json/json_codes.h"
#include "qidcm/error.h"

namespace qidcm::iod {
namespace {

struct Description {
  Attribute attribute;
  std::string SeriesAttributes::*member;
  const char* key;  // the JSON key: the DICOM keyword
  DcmTagKey tag;
  Level level;
  bool text;  // LO or PN: may need more than ASCII
};

const Description kAttributes[] = {
    {Attribute::SeriesDescription, &SeriesAttributes::seriesDescription, "SeriesDescription", DCM_SeriesDescription,
     Level::Series, true},
    {Attribute::SeriesNumber, &SeriesAttributes::seriesNumber, "SeriesNumber", DCM_SeriesNumber, Level::Series, false},
    {Attribute::InstanceNumber, &SeriesAttributes::instanceNumber, "InstanceNumber", DCM_InstanceNumber,
     Level::Instance, false},
    {Attribute::BodyPartExamined, &SeriesAttributes::bodyPartExamined, "BodyPartExamined", DCM_BodyPartExamined,
     Level::Series, false},
    {Attribute::ContentLabel, &SeriesAttributes::contentLabel, "ContentLabel", DCM_ContentLabel, Level::Instance,
     false},
    {Attribute::ContentDescription, &SeriesAttributes::contentDescription, "ContentDescription",
     DCM_ContentDescription, Level::Instance, true},
    {Attribute::ContentCreatorName, &SeriesAttributes::contentCreatorName, "ContentCreatorName",
     DCM_ContentCreatorName, Level::Instance, true},
    {Attribute::ClinicalTrialSeriesID, &SeriesAttributes::clinicalTrialSeriesID, "ClinicalTrialSeriesID",
     DCM_ClinicalTrialSeriesID, Level::Series, true},
    {Attribute::ClinicalTrialTimePointID, &SeriesAttributes::clinicalTrialTimePointID, "ClinicalTrialTimePointID",
     DCM_ClinicalTrialTimePointID, Level::Series, true},
    {Attribute::ClinicalTrialCoordinatingCenterName, &SeriesAttributes::clinicalTrialCoordinatingCenterName,
     "ClinicalTrialCoordinatingCenterName", DCM_ClinicalTrialCoordinatingCenterName, Level::Series, true},
};

const Description& describe(Attribute attribute) {
  for (const auto& d : kAttributes)
    if (d.attribute == attribute) return d;
  throwInternal("series attribute without a description");
}

bool emitted(Emit emit, const std::string& value) { return emit == Emit::Always || !value.empty(); }

}  // namespace

// Each profile reproduces what the IOD's writer and reader did before the
// attributes were shared: the DICOM order is the order of the writes.
const SeriesProfile& segmentationProfile() {
  static const SeriesProfile profile = {
      {Attribute::SeriesNumber, Emit::Always, Emit::Always},
      {Attribute::SeriesDescription, Emit::Always, Emit::IfSet},
      {Attribute::BodyPartExamined, Emit::Always, Emit::IfSet},
      {Attribute::ClinicalTrialCoordinatingCenterName, Emit::IfSet, Emit::Always},
      {Attribute::ClinicalTrialSeriesID, Emit::Always, Emit::Always},
      {Attribute::ClinicalTrialTimePointID, Emit::Always, Emit::Always},
      {Attribute::InstanceNumber, Emit::Always, Emit::Always},
      {Attribute::ContentLabel, Emit::IfSet, Emit::Always},
      {Attribute::ContentDescription, Emit::IfSet, Emit::Always},
      {Attribute::ContentCreatorName, Emit::Always, Emit::Always},
  };
  return profile;
}

const SeriesProfile& parametricMapProfile() {
  static const SeriesProfile profile = {
      {Attribute::SeriesNumber, Emit::Always, Emit::Always},
      {Attribute::SeriesDescription, Emit::Always, Emit::IfSet},
      {Attribute::BodyPartExamined, Emit::Always, Emit::IfSet},
      {Attribute::InstanceNumber, Emit::Always, Emit::Always},
      {Attribute::ContentLabel, Emit::IfSet, Emit::Always},
      {Attribute::ContentDescription, Emit::IfSet, Emit::Always},
      {Attribute::ContentCreatorName, Emit::IfSet, Emit::Always},
  };
  return profile;
}

// A Real World Value Mapping object has the same attributes as a parametric
// map (General Series, Content Identification), written the same way.
const SeriesProfile& realWorldValueMappingProfile() { return parametricMapProfile(); }

const SeriesProfile& measurementReportProfile() {
  static const SeriesProfile profile = {
      {Attribute::SeriesDescription, Emit::IfSet, Emit::Always},
      {Attribute::SeriesNumber, Emit::IfSet, Emit::Always},
      {Attribute::InstanceNumber, Emit::IfSet, Emit::Always},
  };
  return profile;
}

const char* jsonKey(Attribute attribute) { return describe(attribute).key; }
DcmTagKey dicomTag(Attribute attribute) { return describe(attribute).tag; }

std::string& field(SeriesAttributes& attributes, Attribute attribute) {
  return attributes.*(describe(attribute).member);
}

const std::string& field(const SeriesAttributes& attributes, Attribute attribute) {
  return attributes.*(describe(attribute).member);
}

void readJson(const nlohmann::json& document, const SeriesProfile& profile, SeriesAttributes& attributes) {
  for (const AttributeUse& use : profile) {
    const char* key = jsonKey(use.attribute);
    if (document.contains(key)) field(attributes, use.attribute) = scalarText(document.at(key));
  }
}

void writeJson(const SeriesAttributes& attributes, const SeriesProfile& profile, nlohmann::json& document) {
  for (const AttributeUse& use : profile) {
    const std::string& value = field(attributes, use.attribute);
    if (emitted(use.json, value)) document[jsonKey(use.attribute)] = value;
  }
}

void writeDicom(DcmItem& dataset, const SeriesAttributes& attributes, const SeriesProfile& profile,
                const dicom::ValueWriter& writer, const std::string& origin, std::optional<Level> level) {
  for (const AttributeUse& use : profile) {
    const Description& d = describe(use.attribute);
    if (level && d.level != *level) continue;
    const std::string& value = attributes.*(d.member);
    if (emitted(use.dicom, value)) writer.put(dataset, d.tag, value, {origin, d.key});
  }
}

void readDicom(DcmItem& dataset, const SeriesProfile& profile, SeriesAttributes& attributes) {
  for (const AttributeUse& use : profile)
    field(attributes, use.attribute) = dicom::getString(dataset, dicomTag(use.attribute));
}

bool needsUtf8(const SeriesAttributes& attributes, const SeriesProfile& profile) {
  for (const AttributeUse& use : profile) {
    const Description& d = describe(use.attribute);
    if (d.text && !dicom::isAscii(attributes.*(d.member))) return true;
  }
  return false;
}

}  // namespace qidcm::iod
