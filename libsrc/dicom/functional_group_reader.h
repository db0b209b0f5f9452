#pragma once
// Reading multi-frame functional groups: a frame's macro from its per-frame
// item or from the shared item, and the plane geometry of every frame.
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcsequen.h>

#include <set>
#include <string>
#include <vector>

#include "qidcm/stack.h"

namespace qidcm::dicom {

class FunctionalGroups {
 public:
  // Throws Error (Input) when the per-frame items do not match `frames`.
  FunctionalGroups(DcmDataset& dataset, const std::string& path, std::size_t frames);

  // Macro `sequence` of `frame`: its per-frame item first, then the shared one.
  DcmItem* group(std::size_t frame, const DcmTagKey& sequence) const;
  DcmItem* shared() const { return shared_; }
  std::size_t frames() const { return frames_; }

 private:
  DcmItem* shared_ = nullptr;
  DcmSequenceOfItems* perFrame_ = nullptr;
  std::vector<DcmItem*> perFrameItems_;
  std::size_t frames_;
};

bool readDoubles(DcmItem& item, const DcmTagKey& key, double* out, unsigned count);

// Orientation, pixel measures and each frame's Image Position (Patient).
// Throws Error (Input) naming the attribute and frame that is missing.
FrameStack readFrameStack(const FunctionalGroups& groups, const std::string& path, std::size_t rows,
                          std::size_t columns);

// SOP Instance UIDs the object references: Common Instance Reference and
// every frame's Source Image Sequence.
std::set<std::string> referencedInstances(DcmDataset& dataset, const FunctionalGroups& groups);

}  // namespace qidcm::dicom
