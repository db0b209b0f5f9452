#include "seg/context.h"

namespace qidcm::seg {
namespace {
std::vector<std::pair<std::size_t, std::size_t>> framesOf(const Plan& plan) {
  std::vector<std::pair<std::size_t, std::size_t>> frames;
  for (const auto& f : plan.frames) frames.emplace_back(f.file, f.slice);
  return frames;
}
}  // namespace

source::Derivation segmentationDerivation(const std::vector<InstanceReference>& derivedFrom) {
  return {codes::segmentationDerivation(), "", codes::sourceImagePurpose(), derivedFrom};
}

SourceSeriesContext::SourceSeriesContext(const SourceIndex& sources, const std::vector<SliceMatch>& matches,
                                         const Plan& plan, bool perFrameReferences,
                                         const std::vector<InstanceReference>& derivedFrom)
    : references_(sources, matches, framesOf(plan), perFrameReferences, segmentationDerivation(derivedFrom)) {}

dicom::SourceContext SourceSeriesContext::writePatientStudy(DcmItem& dataset, const dicom::ValueWriter& writer) const {
  return references_.writePatientStudy(dataset, writer);
}

void SourceSeriesContext::writeFrameReferences(const PlannedFrame& frame, const Vec3&, DcmItem& group,
                                               const dicom::ValueWriter& writer) const {
  references_.writeFrameReferences(frame.file, frame.slice, group, writer);
}

void SourceSeriesContext::writeSharedReferences(DcmItem& shared, const dicom::ValueWriter& writer) const {
  references_.writeSharedReferences(shared, writer);
}

void SourceSeriesContext::writeCommonInstanceReference(DcmItem& dataset, const std::string& studyInstanceUID,
                                                       const dicom::ValueWriter& writer) const {
  references_.writeCommonInstanceReference(dataset, studyInstanceUID, writer);
}

}  // namespace qidcm::seg
