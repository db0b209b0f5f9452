#include "seg/segment.h"

#include <dcmtk/dcmdata/dcsequen.h>

#include "qidcm/error.h"
#include "qidcm/log.h"
#include "qidcm/uid.h"

namespace qidcm::seg {

void writeSegmentItem(DcmItem& item, std::uint16_t number, const SegmentDescription& s, bool withColour,
                      const dicom::ValueWriter& writer, const dicom::Origin& origin) {
  writer.putUint16(item, DCM_SegmentNumber, number);
  writer.put(item, DCM_SegmentLabel, s.effectiveLabel(), origin);
  if (!s.description.empty()) writer.put(item, DCM_SegmentDescription, s.description, origin);
  writer.put(item, DCM_SegmentAlgorithmType, toString(s.algorithmType));
  if (s.algorithmType != SegmentAlgorithmType::Manual && !s.algorithmName.empty())
    writer.put(item, DCM_SegmentAlgorithmName, s.algorithmName, origin);
  writer.putCode(item, DCM_SegmentedPropertyCategoryCodeSequence, s.category, origin);
  DcmItem& type = dicom::appendItem(item, DCM_SegmentedPropertyTypeCodeSequence);
  writer.writeCode(type, s.type, origin);
  if (s.typeModifier) writer.putCode(type, DCM_SegmentedPropertyTypeModifierCodeSequence, *s.typeModifier, origin);
  if (s.anatomicRegion) {
    DcmItem& region = dicom::appendItem(item, DCM_AnatomicRegionSequence);
    writer.writeCode(region, *s.anatomicRegion, origin);
    if (s.anatomicRegionModifier)
      writer.putCode(region, DCM_AnatomicRegionModifierSequence, *s.anatomicRegionModifier, origin);
  }
  if (withColour) {
    const CIELab lab = s.effectiveLab();
    writer.putUint16Array(item, DCM_RecommendedDisplayCIELabValue, {lab[0], lab[1], lab[2]});
  }
  // Tracking ID and Tracking UID are each required when the other is present
  // (Segment Description Macro): a missing UID is generated (as dcmqi does),
  // a missing ID is the segment's label.
  if (!s.trackingID.empty() || !s.trackingUID.empty()) {
    const std::string id = s.trackingID.empty() ? s.effectiveLabel() : s.trackingID;
    const std::string uid = s.trackingUID.empty() ? newUid() : s.trackingUID;
    if (s.trackingUID.empty()) log::debug("segment " + std::to_string(number) + ": Tracking UID " + uid + " generated");
    writer.put(item, DCM_TrackingID, id, origin);
    writer.put(item, DCM_TrackingUID, uid, origin);
  }
}

SegmentDescription backgroundSegment() {
  SegmentDescription s;
  s.labelID = 0;
  s.label = "Background";
  s.category = codes::backgroundCategory();
  s.type = codes::backgroundType();
  s.algorithmType = SegmentAlgorithmType::Manual;
  s.rgb = RGB{0, 0, 0};
  return s;
}

namespace {

// A code from the first item of `seq` in `item`; nullopt when absent.
std::optional<Code> readCode(DcmItem& parent, const DcmTagKey& seq, const std::string& where, const std::string& path,
                             DcmItem** codeItem = nullptr) {
  DcmItem* item = nullptr;
  if (parent.findAndGetSequenceItem(seq, item, 0).bad() || !item) return std::nullopt;
  if (codeItem) *codeItem = item;
  Code code;
  code.value = dicom::getString(*item, DCM_CodeValue);
  if (code.value.empty()) code.value = dicom::getString(*item, DCM_LongCodeValue);
  if (code.value.empty()) code.value = dicom::getString(*item, DCM_URNCodeValue);
  code.scheme = dicom::getString(*item, DCM_CodingSchemeDesignator);
  code.schemeVersion = dicom::getString(*item, DCM_CodingSchemeVersion);
  code.meaning = dicom::getString(*item, DCM_CodeMeaning);
  const std::string name = dicom::attributeName(seq);
  if (code.value.empty()) {
    log::warning(path + ": " + where + " " + name + " has no Code Value; written as \"unknown\"");
    code.value = "unknown";
  }
  if (code.scheme.empty()) {
    log::warning(path + ": " + where + " " + name + " has no Coding Scheme Designator; written as 99UNKNOWN");
    code.scheme = "99UNKNOWN";
  }
  if (code.meaning.empty()) {
    log::warning(path + ": " + where + " " + name + " has no Code Meaning; written as its Code Value");
    code.meaning = code.value;
  }
  return code;
}


}  // namespace

SegmentDescription readSegmentItem(DcmItem& item, std::size_t index, const std::string& path,
                                   std::uint16_t& number) {
  const std::string where = "Segment Sequence item " + std::to_string(index + 1);
  if (item.findAndGetUint16(DCM_SegmentNumber, number).bad())
    throwInput(path, dicom::attributeName(DCM_SegmentNumber), "missing in " + where);
  const std::string segment = "segment " + std::to_string(number);
  SegmentDescription s;
  s.labelID = number;
  // Values are kept as the file has them (the reader warned about those their
  // VR does not allow); writers shorten them.
  s.label = dicom::getString(item, DCM_SegmentLabel);
  s.description = dicom::getString(item, DCM_SegmentDescription);
  const std::string algorithm = dicom::getString(item, DCM_SegmentAlgorithmType);
  if (auto type = parseSegmentAlgorithmType(algorithm)) {
    s.algorithmType = *type;
  } else {
    log::warning(path + ": " + segment + " has " +
                 (algorithm.empty() ? std::string("no Segment Algorithm Type") : "Segment Algorithm Type '" + algorithm + "'") +
                 "; reported as MANUAL");
    s.algorithmType = SegmentAlgorithmType::Manual;
  }
  s.algorithmName = dicom::getString(item, DCM_SegmentAlgorithmName);
  if (s.algorithmType != SegmentAlgorithmType::Manual && s.algorithmName.empty()) {
    log::warning(path + ": " + segment + " is " + toString(s.algorithmType) +
                 " without Segment Algorithm Name; reported as \"unknown\"");
    s.algorithmName = "unknown";
  }
  if (auto c = readCode(item, DCM_SegmentedPropertyCategoryCodeSequence, segment, path)) {
    s.category = *c;
  } else {
    log::warning(path + ": " + segment + " has no Segmented Property Category; reported as Tissue");
    s.category = codes::tissueCategory();
  }
  DcmItem* typeItem = nullptr;
  if (auto c = readCode(item, DCM_SegmentedPropertyTypeCodeSequence, segment, path, &typeItem)) {
    s.type = *c;
    s.typeModifier = readCode(*typeItem, DCM_SegmentedPropertyTypeModifierCodeSequence, segment, path);
  } else {
    log::warning(path + ": " + segment + " has no Segmented Property Type; reported as Tissue");
    s.type = codes::tissueCategory();
  }
  // Old writers put the modifier beside the type instead of inside it.
  if (!s.typeModifier) s.typeModifier = readCode(item, DCM_SegmentedPropertyTypeModifierCodeSequence, segment, path);
  DcmItem* regionItem = nullptr;
  s.anatomicRegion = readCode(item, DCM_AnatomicRegionSequence, segment, path, &regionItem);
  if (s.anatomicRegion) s.anatomicRegionModifier = readCode(*regionItem, DCM_AnatomicRegionModifierSequence, segment, path);
  Uint16 lab[3];
  bool haveLab = true;
  for (unsigned long n = 0; n < 3; ++n)
    haveLab = haveLab && item.findAndGetUint16(DCM_RecommendedDisplayCIELabValue, lab[n], n).good();
  if (haveLab) {
    // Both forms: RGB as dcmqi reports it, CIELab so that a rewrite is exact.
    s.lab = CIELab{lab[0], lab[1], lab[2]};
    s.rgb = labToRgb(*s.lab);
  }
  s.trackingID = dicom::getString(item, DCM_TrackingID);
  s.trackingUID = dicom::getString(item, DCM_TrackingUID);
  return s;
}

}  // namespace qidcm::seg
