#include "dicom/source_references.h"

#include <set>

#include "qidcm/log.h"
#include "qidcm/uid.h"

namespace qidcm::dicom {
namespace {
const std::vector<SourceReference> kNoReferences;
}

SourceReferences::SourceReferences(const SourceIndex& sources, const std::vector<SliceMatch>& matches,
                                   const std::vector<std::pair<std::size_t, std::size_t>>& frames, bool perFrame,
                                   Derivation derivation)
    : sources_(sources), matches_(matches), perFrame_(perFrame), derivation_(std::move(derivation)) {
  std::set<std::size_t> referenced;
  if (perFrame_) {
    for (const auto& m : matches_)
      if (m.any()) {
        primary_ = m.primaryInstance;
        break;
      }
    for (const auto& [image, slice] : frames)
      for (const auto& ref : referencesOf(image, slice)) referenced.insert(ref.instance);
  } else {
    for (std::size_t i = 0; i < sources_.instances().size(); ++i) referenced.insert(i);
  }
  referenced_.assign(referenced.begin(), referenced.end());
}

const std::vector<SourceReference>& SourceReferences::referencesOf(std::size_t image, std::size_t slice) const {
  if (!perFrame_ || image >= matches_.size()) return kNoReferences;
  const auto& perSlice = matches_[image].perSlice;
  return slice < perSlice.size() ? perSlice[slice] : kNoReferences;
}

SourceContext SourceReferences::writePatientStudy(DcmItem& dataset, const ValueWriter& writer) const {
  const SourceInstance& source = primary();
  SourceContext context = copyPatientStudyContext(dataset, source.path, writer, true);
  if (!context.frameOfReference) {
    log::warning(source.path + ": source has no Frame of Reference UID; a new one is generated");
    writer.put(dataset, DCM_FrameOfReferenceUID, newUid());
    writer.put(dataset, DCM_PositionReferenceIndicator, "");
  }
  return context;
}

void SourceReferences::writeFrameReferences(std::size_t image, std::size_t slice, DcmItem& group,
                                            const ValueWriter& writer) const {
  const auto& refs = referencesOf(image, slice);
  if (!refs.empty()) {
    writeDerivationImage(group, refs, sources_, derivation_, writer);
  } else if (perFrame_ && !referenced_.empty()) {
    // Once some frames have the Derivation Image macro every frame has it;
    // its sequence is Type 2, empty for a frame without a source.
    ensureSequence(group, DCM_DerivationImageSequence);
  }
}

void SourceReferences::writeSharedReferences(DcmItem& shared, const ValueWriter& writer) const {
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
  writeDerivationImage(shared, all, sources_, derivation_, writer);
}

void SourceReferences::writeCommonInstanceReference(DcmItem& dataset, const std::string& studyInstanceUID,
                                                    const ValueWriter& writer) const {
  if (!referenced_.empty()) dicom::writeCommonInstanceReference(dataset, referenced_, sources_, studyInstanceUID, writer);
}

}  // namespace qidcm::dicom
