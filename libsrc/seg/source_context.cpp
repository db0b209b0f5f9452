#include <set>

#include "dicom/functional_groups.h"
#include "qidcm/log.h"
#include "qidcm/uid.h"
#include "seg/context.h"

namespace qidcm::seg {
namespace {
const std::vector<SourceReference> kNoReferences;
}

dicom::Derivation segmentationDerivation() {
  return {codes::segmentationDerivation(), "", codes::sourceImagePurpose()};
}

SourceSeriesContext::SourceSeriesContext(const SourceIndex& sources, const std::vector<SliceMatch>& matches,
                                         const Plan& plan, bool perFrameReferences)
    : sources_(sources), matches_(matches), perFrame_(perFrameReferences) {
  std::set<std::size_t> referenced;
  if (perFrame_) {
    for (const auto& m : matches_)
      if (m.any()) {
        primaryInstance_ = m.primaryInstance;
        break;
      }
    for (const auto& frame : plan.frames)
      for (const auto& ref : referencesOf(frame)) referenced.insert(ref.instance);
  } else {
    for (std::size_t i = 0; i < sources_.instances().size(); ++i) referenced.insert(i);
  }
  referenced_.assign(referenced.begin(), referenced.end());
}

const std::vector<SourceReference>& SourceSeriesContext::referencesOf(const PlannedFrame& frame) const {
  if (!perFrame_ || frame.file >= matches_.size()) return kNoReferences;
  const auto& perSlice = matches_[frame.file].perSlice;
  return frame.slice < perSlice.size() ? perSlice[frame.slice] : kNoReferences;
}

dicom::SourceContext SourceSeriesContext::writePatientStudy(DcmItem& dataset, const dicom::ValueWriter& writer) const {
  const SourceInstance& primary = sources_.instances()[primaryInstance_];
  dicom::SourceContext context = dicom::copyPatientStudyContext(dataset, primary.path, writer, true);
  if (!context.frameOfReference) {
    log::warning(primary.path + ": source has no Frame of Reference UID; a new one is generated");
    writer.put(dataset, DCM_FrameOfReferenceUID, newUid());
    writer.put(dataset, DCM_PositionReferenceIndicator, "");
  }
  return context;
}

void SourceSeriesContext::writeFrameReferences(const PlannedFrame& frame, const Vec3&, DcmItem& group,
                                               const dicom::ValueWriter& writer) const {
  const auto& refs = referencesOf(frame);
  if (!refs.empty()) dicom::writeDerivationImage(group, refs, sources_, segmentationDerivation(), writer);
}

void SourceSeriesContext::writeSharedReferences(DcmItem& shared, const dicom::ValueWriter& writer) const {
  if (perFrame_ || referenced_.empty()) return;
  std::vector<SourceReference> all;
  for (std::size_t i : referenced_) {
    const SourceInstance& src = sources_.instances()[i];
    if (src.multiFrame) {
      for (const auto& f : src.frames) all.push_back({i, f.frameNumber});
    } else {
      all.push_back({i, 0});
    }
  }
  dicom::writeDerivationImage(shared, all, sources_, segmentationDerivation(), writer);
}

void SourceSeriesContext::writeCommonInstanceReference(DcmItem& dataset, const std::string& studyInstanceUID,
                                                       const dicom::ValueWriter& writer) const {
  if (!referenced_.empty())
    dicom::writeCommonInstanceReference(dataset, referenced_, sources_, studyInstanceUID, writer);
}

}  // namespace qidcm::seg
