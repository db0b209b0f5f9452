#pragma once
// References from a derived object (SEG, parametric map) to the source images
// it was made from: per frame (Derivation Image), per object (Common Instance
// Reference), and the patient/study context those sources supply. Built from
// the source index and the slice matches of each image.
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcitem.h>

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "dicom/functional_groups.h"
#include "dicom/modules.h"
#include "qidcm/source.h"

namespace qidcm::source {

using dicom::SourceContext;
using dicom::ValueWriter;

struct Derivation {
  Code derivationCode;
  std::string description;
  Code purposeOfReference;
  // Instances other than the indexed images that every derivation item names.
  std::vector<InstanceReference> otherSources;
};

// Derivation Image: one item with the derivation code and a Source Image item
// per reference (with Referenced Frame Number for multi-frame sources).
void writeDerivationImage(DcmItem& group, const std::vector<SourceReference>& sources, const SourceIndex& index,
                          const Derivation& derivation, const ValueWriter& writer);

// Common Instance Reference module for every referenced source instance:
// Referenced Series Sequence for the instances of `studyInstanceUID`, grouped
// by series; Studies Containing Other Referenced Instances for the rest.
void writeCommonInstanceReference(DcmItem& dataset, const std::vector<std::size_t>& instances,
                                  const SourceIndex& index, const std::string& studyInstanceUID,
                                  const ValueWriter& writer, const std::vector<InstanceReference>& others = {});

// Plane positions of the source series in `directory` that holds most of the
// `referenced` instances (for rebuilding a grid on the source's extent).
// Throws Error (Input) when the directory holds none of them.
std::vector<Vec3> referencedSeriesPositions(const std::set<std::string>& referenced, const std::string& directory,
                                            const Vec3& normal, const std::string& path);


class SourceReferences {
 public:
  // `frames` lists (image, slice) of every frame; `matches[image]` are that
  // image's slice matches (empty when not matched). With `perFrame` false,
  // every source is referenced once, in the shared functional groups.
  SourceReferences(const SourceIndex& sources, const std::vector<SliceMatch>& matches,
                   const std::vector<std::pair<std::size_t, std::size_t>>& frames, bool perFrame,
                   Derivation derivation);

  // The source whose patient, study and frame of reference the object takes:
  // one of the series matching the most slices, else the first source.
  const SourceInstance& primary() const { return sources_.instances()[primary_]; }

  SourceContext writePatientStudy(DcmItem& dataset, const ValueWriter& writer) const;
  void writeFrameReferences(std::size_t image, std::size_t slice, DcmItem& group, const ValueWriter& writer) const;
  void writeSharedReferences(DcmItem& shared, const ValueWriter& writer) const;
  void writeCommonInstanceReference(DcmItem& dataset, const std::string& studyInstanceUID,
                                    const ValueWriter& writer) const;
  std::size_t referencedInstances() const { return referenced_.size(); }

 private:
  const std::vector<SourceReference>& referencesOf(std::size_t image, std::size_t slice) const;

  const SourceIndex& sources_;
  const std::vector<SliceMatch>& matches_;
  bool perFrame_;
  Derivation derivation_;
  std::size_t primary_ = 0;
  std::vector<std::size_t> referenced_;
};

}  // namespace qidcm::source
