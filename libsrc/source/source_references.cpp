#include "source/source_references.h"

#include <map>
#include <set>

#include "qidcm/log.h"
#include "qidcm/error.h"
#include "qidcm/uid.h"

namespace qidcm::source {

using dicom::appendItem;
using dicom::ensureSequence;
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
  if (!referenced_.empty())
    source::writeCommonInstanceReference(dataset, referenced_, sources_, studyInstanceUID, writer,
                                         derivation_.otherSources);
}

void writeDerivationImage(DcmItem& group, const std::vector<SourceReference>& sources, const SourceIndex& index,
                          const Derivation& derivation, const ValueWriter& writer) {
  DcmItem& item = appendItem(group, DCM_DerivationImageSequence);
  if (!derivation.description.empty())
    writer.put(item, DCM_DerivationDescription, derivation.description);
  writer.putCode(item, DCM_DerivationCodeSequence, derivation.derivationCode);
  for (const auto& ref : sources) {
    const SourceInstance& src = index.instances()[ref.instance];
    DcmItem& source = appendItem(item, DCM_SourceImageSequence);
    writer.put(source, DCM_ReferencedSOPClassUID, src.sopClassUID);
    writer.put(source, DCM_ReferencedSOPInstanceUID, src.sopInstanceUID);
    if (ref.frameNumber > 0) writer.put(source, DCM_ReferencedFrameNumber, std::to_string(ref.frameNumber));
    writer.putCode(source, DCM_PurposeOfReferenceCodeSequence, derivation.purposeOfReference);
  }
  for (const InstanceReference& other : derivation.otherSources) {
    DcmItem& source = appendItem(item, DCM_SourceImageSequence);
    writer.put(source, DCM_ReferencedSOPClassUID, other.sopClassUID);
    writer.put(source, DCM_ReferencedSOPInstanceUID, other.sopInstanceUID);
    writer.putCode(source, DCM_PurposeOfReferenceCodeSequence, derivation.purposeOfReference);
  }
}

void writeCommonInstanceReference(DcmItem& dataset, const std::vector<std::size_t>& instances,
                                  const SourceIndex& index, const std::string& studyInstanceUID,
                                  const ValueWriter& writer, const std::vector<InstanceReference>& others) {
  // study -> series (sorted) -> (SOP Instance UID, SOP Class UID) in the order given
  using Members = std::vector<std::pair<std::string, std::string>>;
  std::map<std::string, std::map<std::string, Members>> tree;
  for (std::size_t i : instances) {
    const SourceInstance& src = index.instances()[i];
    tree[src.studyInstanceUID][src.seriesInstanceUID].emplace_back(src.sopInstanceUID, src.sopClassUID);
  }
  for (const InstanceReference& other : others)
    tree[other.studyInstanceUID][other.seriesInstanceUID].emplace_back(other.sopInstanceUID, other.sopClassUID);
  auto writeSeries = [&](DcmItem& parent, const std::map<std::string, Members>& series) {
    for (const auto& [seriesUID, members] : series) {
      DcmItem& seriesItem = appendItem(parent, DCM_ReferencedSeriesSequence);
      for (const auto& [instanceUID, classUID] : members) {
        DcmItem& ref = appendItem(seriesItem, DCM_ReferencedInstanceSequence);
        writer.put(ref, DCM_ReferencedSOPClassUID, classUID);
        writer.put(ref, DCM_ReferencedSOPInstanceUID, instanceUID);
      }
      writer.put(seriesItem, DCM_SeriesInstanceUID, seriesUID);
    }
  };
  for (const auto& [study, series] : tree) {
    if (study == studyInstanceUID) {
      writeSeries(dataset, series);
    } else {
      DcmItem& studyItem = appendItem(dataset, DCM_StudiesContainingOtherReferencedInstancesSequence);
      writer.put(studyItem, DCM_StudyInstanceUID, study);
      writeSeries(studyItem, series);
    }
  }
}

std::vector<Vec3> referencedSeriesPositions(const std::set<std::string>& referenced, const std::string& directory,
                                            const Vec3& normal, const std::string& path) {
  const SourceIndex index = SourceIndex::scan({}, {directory});
  std::map<std::string, std::size_t> hits;
  for (const auto& inst : index.instances())
    if (referenced.count(inst.sopInstanceUID)) ++hits[inst.seriesInstanceUID];
  std::string best;
  std::size_t most = 0;
  for (const auto& [uid, count] : hits)
    if (count > most) {
      most = count;
      best = uid;
    }
  if (best.empty()) throwInput(directory, "", "holds none of the images " + path + " references");
  std::vector<Vec3> positions;
  for (const auto& inst : index.instances()) {
    if (inst.seriesInstanceUID != best) continue;
    if (!parallelPlanes(normal, cross(inst.rowCosine, inst.columnCosine)))
      throwInput(inst.path, "ImageOrientationPatient (0020,0037)", "is not parallel to the frames of " + path);
    for (const auto& frame : inst.frames) positions.push_back(frame.position);
  }
  return positions;
}

}  // namespace qidcm::source
