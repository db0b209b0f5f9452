#pragma once
// The SEG document: every module of the Segmentation IOD, built from the
// plan, the metadata and the source references. The bulky per-frame
// functional groups are produced one frame at a time for streaming.
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdatset.h>

#include <memory>
#include <vector>

#include "dicom/dataset_util.h"
#include "dicom/functional_groups.h"
#include "seg/plan.h"

namespace qidcm::seg {

class Document {
 public:
  // `matches[f]` are the source matches of image f (empty when the geometry
  // check is off).
  Document(const Plan& plan, const std::vector<LabelImage>& images, const Metadata& metadata,
           const SourceIndex& sources, const std::vector<SliceMatch>& matches, const WriterOptions& options);

  // Everything but the Per-frame Functional Groups and the Pixel Data.
  std::unique_ptr<DcmDataset> head() const;
  // Per-frame Functional Groups item of frame `frame`.
  void fillPerFrame(std::size_t frame, DcmItem& item) const;

  const std::string& sopInstanceUID() const { return sopInstanceUID_; }
  const std::string& seriesInstanceUID() const { return seriesInstanceUID_; }
  std::size_t referencedInstances() const { return referenced_.size(); }

 private:
  const std::vector<SourceReference>& referencesOf(const PlannedFrame& frame) const;
  void writeSegmentationImage(DcmDataset& ds) const;
  void writeSharedGroups(DcmDataset& ds) const;

  const Plan& plan_;
  const std::vector<LabelImage>& images_;
  const Metadata& metadata_;
  const SourceIndex& sources_;
  const std::vector<SliceMatch>& matches_;
  const WriterOptions& options_;
  dicom::ValueWriter writer_;
  dicom::Derivation derivation_;
  std::size_t primaryInstance_;
  std::vector<std::size_t> referenced_;  // instances referenced anywhere
  std::string sopInstanceUID_;
  std::string seriesInstanceUID_;
};

}  // namespace qidcm::seg
