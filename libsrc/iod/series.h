#pragma once
// One mapping of qidcm::SeriesAttributes (qidcm/series.h) to JSON and to
// DICOM, for every IOD. What differs between the IODs (which attributes they
// have, which are written when empty, the order of the DICOM writes) is data:
// one SeriesProfile per IOD, below.
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcitem.h>

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "dicom/dataset_util.h"
#include "qidcm/series.h"

namespace qidcm::iod {

enum class Attribute {
  SeriesDescription,
  SeriesNumber,
  InstanceNumber,
  BodyPartExamined,
  ContentLabel,
  ContentDescription,
  ContentCreatorName,
  ClinicalTrialSeriesID,
  ClinicalTrialTimePointID,
  ClinicalTrialCoordinatingCenterName,
};

// Where the attribute sits in the data set: the series-level modules
// (General Series, Clinical Trial Series) or the instance-level ones
// (General Image, Content Identification).
enum class Level { Series, Instance };

// When a value is written: always (an empty one as an empty JSON string or
// an empty DICOM element), or only when not empty.
enum class Emit { Always, IfSet };

struct AttributeUse {
  Attribute attribute;
  Emit json;
  Emit dicom;
};

// The attributes an IOD has, in the order its writer puts them into the data
// set. Attributes left out are neither read nor written.
using SeriesProfile = std::vector<AttributeUse>;

const SeriesProfile& segmentationProfile();
const SeriesProfile& parametricMapProfile();
const SeriesProfile& measurementReportProfile();
const SeriesProfile& realWorldValueMappingProfile();

// The JSON key ("SeriesDescription") and the DICOM tag of an attribute; the
// field that holds its value.
const char* jsonKey(Attribute attribute);
DcmTagKey dicomTag(Attribute attribute);
std::string& field(SeriesAttributes& attributes, Attribute attribute);
const std::string& field(const SeriesAttributes& attributes, Attribute attribute);

// JSON: the profile's keys present in `document` (a validated metadata
// object) replace the values of `attributes`, as text (scalarText).
void readJson(const nlohmann::json& document, const SeriesProfile& profile, SeriesAttributes& attributes);
// Adds the profile's keys to `document`, each as its Emit says.
void writeJson(const SeriesAttributes& attributes, const SeriesProfile& profile, nlohmann::json& document);

// DICOM: writes the profile's attributes (of `level` only, when given) in
// profile order through `writer`, which checks the values and names `origin`
// (the metadata file) and the JSON key in its messages.
void writeDicom(DcmItem& dataset, const SeriesAttributes& attributes, const SeriesProfile& profile,
                const dicom::ValueWriter& writer, const std::string& origin,
                std::optional<Level> level = std::nullopt);
// Reads the profile's attributes from `dataset` as the file has them (absent:
// empty). Nonconforming values are the caller's to warn about
// (dicom::warnNonconformingValues), as for every other attribute.
void readDicom(DcmItem& dataset, const SeriesProfile& profile, SeriesAttributes& attributes);

// Does a value that may hold more than ASCII (LO, PN: not the CS and IS
// attributes) need it? Then the data set is written in UTF-8.
bool needsUtf8(const SeriesAttributes& attributes, const SeriesProfile& profile);

}  // namespace qidcm::iod
