#include <nlohmann/json.hpp>

#include "iod/series.h"
#include "json/json_codes.h"
#include "qidcm/error.h"
#include "qidcm/schema.h"
#include "qidcm/seg/metadata.h"

namespace qidcm::seg {

std::string SegmentDescription::effectiveLabel() const {
  if (!label.empty()) return label;
  if (!description.empty()) return description.substr(0, 64);
  return type.meaning;
}

CIELab SegmentDescription::effectiveLab() const {
  if (lab) return *lab;
  return rgbToLab(rgb ? *rgb : defaultSegmentRgb());
}

namespace {

std::optional<Code> optionalCode(const nlohmann::json& segment, const char* key) {
  if (!segment.contains(key)) return std::nullopt;
  return codeFromJson(segment.at(key));
}

SegmentDescription segmentFromJson(const nlohmann::json& j) {
  SegmentDescription s;
  s.labelID = j.at("labelID").get<std::uint64_t>();
  s.label = j.value("SegmentLabel", "");
  s.description = j.value("SegmentDescription", "");
  s.category = codeFromJson(j.at("SegmentedPropertyCategoryCodeSequence"));
  s.type = codeFromJson(j.at("SegmentedPropertyTypeCodeSequence"));
  s.typeModifier = optionalCode(j, "SegmentedPropertyTypeModifierCodeSequence");
  s.anatomicRegion = optionalCode(j, "AnatomicRegionSequence");
  if (s.anatomicRegion) s.anatomicRegionModifier = optionalCode(j, "AnatomicRegionModifierSequence");
  s.algorithmType = parseSegmentAlgorithmType(j.value("SegmentAlgorithmType", "SEMIAUTOMATIC"))
                        .value_or(SegmentAlgorithmType::Semiautomatic);
  s.algorithmName = j.value("SegmentAlgorithmName", "");
  if (j.contains("recommendedDisplayRGBValue")) {
    const auto& v = j.at("recommendedDisplayRGBValue");
    s.rgb = RGB{v.at(0).get<int>(), v.at(1).get<int>(), v.at(2).get<int>()};
  }
  if (j.contains("RecommendedDisplayCIELabValue")) {
    const auto& v = j.at("RecommendedDisplayCIELabValue");
    s.lab = CIELab{v.at(0).get<std::uint16_t>(), v.at(1).get<std::uint16_t>(), v.at(2).get<std::uint16_t>()};
  }
  s.trackingID = j.value("TrackingIdentifier", "");
  s.trackingUID = j.value("TrackingUniqueIdentifier", "");
  if (j.contains("ROINumber")) s.roiNumber = j.at("ROINumber").get<int>();
  s.interpretedType = j.value("RTROIInterpretedType", "");
  s.codingNote = j.value("codingNote", "");
  return s;
}

nlohmann::json segmentToJson(const SegmentDescription& s) {
  nlohmann::json j;
  j["labelID"] = s.labelID;
  j["SegmentLabel"] = s.label;
  j["SegmentDescription"] = s.description;
  j["SegmentedPropertyCategoryCodeSequence"] = codeToJson(s.category);
  j["SegmentedPropertyTypeCodeSequence"] = codeToJson(s.type);
  if (s.typeModifier) j["SegmentedPropertyTypeModifierCodeSequence"] = codeToJson(*s.typeModifier);
  if (s.anatomicRegion) {
    j["AnatomicRegionSequence"] = codeToJson(*s.anatomicRegion);
    if (s.anatomicRegionModifier) j["AnatomicRegionModifierSequence"] = codeToJson(*s.anatomicRegionModifier);
  }
  j["SegmentAlgorithmType"] = toString(s.algorithmType);
  if (s.algorithmType != SegmentAlgorithmType::Manual && !s.algorithmName.empty())
    j["SegmentAlgorithmName"] = s.algorithmName;
  if (s.rgb) j["recommendedDisplayRGBValue"] = {(*s.rgb)[0], (*s.rgb)[1], (*s.rgb)[2]};
  if (s.lab) j["RecommendedDisplayCIELabValue"] = {(*s.lab)[0], (*s.lab)[1], (*s.lab)[2]};
  if (!s.trackingID.empty()) j["TrackingIdentifier"] = s.trackingID;
  if (!s.trackingUID.empty()) j["TrackingUniqueIdentifier"] = s.trackingUID;
  if (s.roiNumber) j["ROINumber"] = *s.roiNumber;
  if (!s.interpretedType.empty()) j["RTROIInterpretedType"] = s.interpretedType;
  if (!s.codingNote.empty()) j["codingNote"] = s.codingNote;
  return j;
}

}  // namespace

Metadata parseMetadata(const nlohmann::json& input, const std::string& file) {
  const nlohmann::json document = prepareMetadata(SchemaId::Segmentation, input, file);
  Metadata m;
  m.sourceFile = file;
  if (document.contains("seriesAttributes")) {
    // dcmqi's legacy place for these two keys; the top-level keys win.
    const auto& legacy = document.at("seriesAttributes");
    if (legacy.contains("ContentLabel")) m.contentLabel = scalarText(legacy.at("ContentLabel"));
    if (legacy.contains("ContentDescription")) m.contentDescription = scalarText(legacy.at("ContentDescription"));
  }
  iod::readJson(document, iod::segmentationProfile(), m);
  if (document.contains("segmentationType"))
    m.segmentationType = parseSegmentationType(document.at("segmentationType").get<std::string>());
  if (document.contains("segmentAttributesFileMapping"))
    m.segmentAttributesFileMapping = document.at("segmentAttributesFileMapping").get<std::vector<std::string>>();
  for (const auto& fileSegments : document.at("segmentAttributes")) {
    std::vector<SegmentDescription> list;
    for (const auto& segment : fileSegments) list.push_back(segmentFromJson(segment));
    m.segmentAttributes.push_back(std::move(list));
  }
  if (!m.segmentAttributesFileMapping.empty() &&
      m.segmentAttributesFileMapping.size() != m.segmentAttributes.size())
    throwInput(file, "segmentAttributesFileMapping",
               "has " + std::to_string(m.segmentAttributesFileMapping.size()) +
                   " entries but segmentAttributes has " + std::to_string(m.segmentAttributes.size()));
  for (std::size_t f = 0; f < m.segmentAttributes.size(); ++f) {
    const auto& list = m.segmentAttributes[f];
    for (std::size_t a = 0; a < list.size(); ++a)
      for (std::size_t b = a + 1; b < list.size(); ++b)
        if (list[a].labelID == list[b].labelID)
          throwInput(file, "segmentAttributes[" + std::to_string(f) + "][" + std::to_string(b) + "].labelID",
                     "label " + std::to_string(list[b].labelID) + " is described twice for the same input file");
  }
  return m;
}

Metadata readMetadataFile(const std::string& path) { return parseMetadata(readJsonFile(path), path); }

nlohmann::json toJson(const Metadata& m) {
  nlohmann::json j;
  iod::writeJson(m, iod::segmentationProfile(), j);
  if (!m.segmentAttributesFileMapping.empty()) j["segmentAttributesFileMapping"] = m.segmentAttributesFileMapping;
  nlohmann::json groups = nlohmann::json::array();
  for (const auto& list : m.segmentAttributes) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& s : list) arr.push_back(segmentToJson(s));
    groups.push_back(arr);
  }
  j["segmentAttributes"] = groups;
  return j;
}

}  // namespace qidcm::seg
