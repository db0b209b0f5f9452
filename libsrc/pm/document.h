#pragma once
// The Parametric Map document (PS3.3 A.75): every module but the per-frame
// functional groups and the pixel data, which are streamed.
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdatset.h>

#include <memory>
#include <string>
#include <vector>

#include "dicom/dataset_util.h"
#include "source/source_references.h"
#include "qidcm/pm/metadata.h"
#include "qidcm/pm/writer.h"

namespace qidcm::pm {

// What the pixels are, as the document needs to describe them.
struct PixelDescription {
  PixelType type = PixelType::Float32;  // never Auto
  double minimum = 0, maximum = 0;      // of the stored values
};

unsigned bitsAllocated(PixelType type);
bool isFloating(PixelType type);

class Document {
 public:
  // `slices` lists the grid slices in frame order (ascending position).
  Document(const Grid& grid, const std::vector<std::size_t>& slices, const Metadata& metadata,
           const PixelDescription& pixels, const source::SourceReferences& references, const std::string& modality,
           const WriterOptions& options);

  std::unique_ptr<DcmDataset> head() const;
  void fillPerFrame(std::size_t frame, DcmItem& item) const;

  const std::string& sopInstanceUID() const { return sopInstanceUID_; }

 private:
  void writeRealWorldValueMapping(DcmItem& shared) const;

  const Grid& grid_;
  const std::vector<std::size_t>& slices_;
  const Metadata& metadata_;
  PixelDescription pixels_;
  const source::SourceReferences& references_;
  std::string modality_;
  dicom::ValueWriter writer_;
  std::string sopInstanceUID_;
};

}  // namespace qidcm::pm
