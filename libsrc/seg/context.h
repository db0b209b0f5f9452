#pragma once
// Where a SEG's patient/study context and its references come from: the
// source images (itkimage2segimage) or another SEG (bin2labelsegimage). The
// document asks its context; it does not know which kind it has.
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcitem.h>

#include <string>
#include <vector>

#include "dicom/dataset_util.h"
#include "dicom/functional_groups.h"
#include "dicom/modules.h"
#include "source/source_references.h"
#include "seg/plan.h"

namespace qidcm::seg {

class DocumentContext {
 public:
  virtual ~DocumentContext() = default;
  // Patient, study and frame of reference modules (and Specific Character Set).
  virtual dicom::SourceContext writePatientStudy(DcmItem& dataset, const dicom::ValueWriter& writer) const = 0;
  // Derivation Image of one frame (nothing when it has no source).
  virtual void writeFrameReferences(const PlannedFrame& frame, const Vec3& position, DcmItem& group,
                                    const dicom::ValueWriter& writer) const = 0;
  // References that hold for every frame, in the shared functional groups.
  virtual void writeSharedReferences(DcmItem& shared, const dicom::ValueWriter& writer) const = 0;
  // Common Instance Reference module.
  virtual void writeCommonInstanceReference(DcmItem& dataset, const std::string& studyInstanceUID,
                                            const dicom::ValueWriter& writer) const = 0;
  virtual std::size_t referencedInstances() const = 0;
};

// Context from scanned source images, matched to the frames by geometry.
class SourceSeriesContext : public DocumentContext {
 public:
  SourceSeriesContext(const SourceIndex& sources, const std::vector<SliceMatch>& matches, const Plan& plan,
                      bool perFrameReferences, const std::vector<InstanceReference>& derivedFrom = {});
  dicom::SourceContext writePatientStudy(DcmItem& dataset, const dicom::ValueWriter& writer) const override;
  void writeFrameReferences(const PlannedFrame& frame, const Vec3& position, DcmItem& group,
                            const dicom::ValueWriter& writer) const override;
  void writeSharedReferences(DcmItem& shared, const dicom::ValueWriter& writer) const override;
  void writeCommonInstanceReference(DcmItem& dataset, const std::string& studyInstanceUID,
                                    const dicom::ValueWriter& writer) const override;
  std::size_t referencedInstances() const override { return references_.referencedInstances(); }

 private:
  source::SourceReferences references_;
};

// The derivation every SEG frame declares.
source::Derivation segmentationDerivation(const std::vector<InstanceReference>& derivedFrom = {});

}  // namespace qidcm::seg
