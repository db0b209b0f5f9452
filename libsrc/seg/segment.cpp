#include "seg/segment.h"

namespace qidcm::seg {

void writeSegmentItem(DcmItem& item, std::uint16_t number, const SegmentDescription& s, bool withColour,
                      const dicom::ValueWriter& writer, const std::string& origin) {
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
  if (!s.trackingID.empty()) writer.put(item, DCM_TrackingID, s.trackingID, origin);
  if (!s.trackingUID.empty()) writer.put(item, DCM_TrackingUID, s.trackingUID, origin);
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

}  // namespace qidcm::seg
