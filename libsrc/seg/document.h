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
#include "seg/context.h"
#include "seg/plan.h"

namespace qidcm::seg {

class Document {
 public:
  // `grids[f]` places the frames of image f.
  Document(const Plan& plan, const std::vector<Grid>& grids, const Metadata& metadata,
           const DocumentContext& context, const WriterOptions& options);

  // Everything but the Per-frame Functional Groups and the Pixel Data.
  std::unique_ptr<DcmDataset> head() const;
  // Per-frame Functional Groups item of frame `frame`.
  void fillPerFrame(std::size_t frame, DcmItem& item) const;

  const std::string& sopInstanceUID() const { return sopInstanceUID_; }
  const std::string& seriesInstanceUID() const { return seriesInstanceUID_; }

 private:
  void writeSegmentationImage(DcmDataset& ds) const;
  void writePalette(DcmDataset& ds) const;
  void writeSharedGroups(DcmDataset& ds) const;

  const Plan& plan_;
  const std::vector<Grid>& grids_;
  const Metadata& metadata_;
  const DocumentContext& context_;
  const WriterOptions& options_;
  dicom::ValueWriter writer_;
  std::string sopInstanceUID_;
  std::string seriesInstanceUID_;
};

// Writes the SEG the plan describes (document, then streamed frames), atomically.
WriteSummary writeDocument(const Plan& plan, const std::vector<Grid>& grids, const std::vector<LabelImage>& images,
                           const Metadata& metadata, const DocumentContext& context, const std::string& outputPath,
                           const WriterOptions& options);

}  // namespace qidcm::seg
