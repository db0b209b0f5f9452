#include "dicom/functional_group_reader.h"

#include <dcmtk/dcmdata/dcdeftag.h>

#include <cmath>
#include <map>

#include "dicom/dataset_util.h"
#include "qidcm/error.h"

namespace qidcm::dicom {

FunctionalGroups::FunctionalGroups(DcmDataset& ds, const std::string& path, std::size_t frames) : frames_(frames) {
  ds.findAndGetSequenceItem(DCM_SharedFunctionalGroupsSequence, shared_, 0);
  ds.findAndGetSequence(DCM_PerFrameFunctionalGroupsSequence, perFrame_);
  perFrameItems_ = itemsOf(perFrame_);
  const std::size_t items = perFrameItems_.size();
  if (items != frames && !(items == 0 && frames == 1))
    throwInput(path, attributeName(DCM_PerFrameFunctionalGroupsSequence),
               "has " + std::to_string(items) + " item(s) for " + std::to_string(frames) +
                   " frame(s) (Number of Frames)");
}

DcmItem* FunctionalGroups::group(std::size_t frame, const DcmTagKey& sequence) const {
  DcmItem* item = nullptr;
  DcmItem* perFrame = frame < perFrameItems_.size() ? perFrameItems_[frame] : nullptr;
  if (perFrame && perFrame->findAndGetSequenceItem(sequence, item, 0).good() && item) return item;
  if (shared_ && shared_->findAndGetSequenceItem(sequence, item, 0).good() && item) return item;
  return nullptr;
}

bool readDoubles(DcmItem& item, const DcmTagKey& key, double* out, unsigned count) {
  for (unsigned n = 0; n < count; ++n) {
    Float64 v = 0;
    if (item.findAndGetFloat64(key, v, n).bad() || !std::isfinite(v)) return false;
    out[n] = v;
  }
  return true;
}

FrameStack readFrameStack(const FunctionalGroups& groups, const std::string& path, std::size_t rows,
                          std::size_t columns) {
  DcmItem* measures = groups.group(0, DCM_PixelMeasuresSequence);
  double spacing[2] = {0, 0};
  if (!measures || !readDoubles(*measures, DCM_PixelSpacing, spacing, 2) || spacing[0] <= 0 || spacing[1] <= 0)
    throwInput(path, attributeName(DCM_PixelSpacing), "missing or not positive in the Pixel Measures functional group");
  double iop[6];
  DcmItem* orientation = groups.group(0, DCM_PlaneOrientationSequence);
  if (!orientation || !readDoubles(*orientation, DCM_ImageOrientationPatient, iop, 6))
    throwInput(path, attributeName(DCM_ImageOrientationPatient), "missing in the Plane Orientation functional group");
  FrameStack stack;
  stack.rowCosine = {iop[0], iop[1], iop[2]};
  stack.columnCosine = {iop[3], iop[4], iop[5]};
  stack.rowSpacing = spacing[0];
  stack.columnSpacing = spacing[1];
  stack.rows = rows;
  stack.columns = columns;
  double value = 0;
  if (readDoubles(*measures, DCM_SpacingBetweenSlices, &value, 1) && value > 0) stack.spacingBetweenSlices = value;
  if (readDoubles(*measures, DCM_SliceThickness, &value, 1) && value > 0) stack.sliceThickness = value;
  for (std::size_t f = 0; f < groups.frames(); ++f) {
    DcmItem* position = groups.group(f, DCM_PlanePositionSequence);
    double ipp[3];
    if (!position || !readDoubles(*position, DCM_ImagePositionPatient, ipp, 3))
      throwInput(path, attributeName(DCM_ImagePositionPatient),
                 "missing for frame " + std::to_string(f + 1) + " (Plane Position (Patient) functional group)");
    DcmItem* frameOrientation = groups.group(f, DCM_PlaneOrientationSequence);
    double other[6];
    if (frameOrientation && readDoubles(*frameOrientation, DCM_ImageOrientationPatient, other, 6)) {
      for (int n = 0; n < 6; ++n)
        if (std::fabs(other[n] - iop[n]) > 1e-4)
          throwInput(path, attributeName(DCM_ImageOrientationPatient),
                     "frame " + std::to_string(f + 1) + " is oriented differently from frame 1");
    }
    stack.positions.push_back({ipp[0], ipp[1], ipp[2]});
  }
  return stack;
}

std::set<std::string> referencedInstances(DcmDataset& ds, const FunctionalGroups& groups) {
  std::set<std::string> referenced;
  auto collectSeries = [&](DcmItem& parent) {
    DcmSequenceOfItems* series = nullptr;
    if (parent.findAndGetSequence(DCM_ReferencedSeriesSequence, series).bad() || !series) return;
    for (unsigned long s = 0; s < series->card(); ++s) {
      DcmSequenceOfItems* instances = nullptr;
      if (series->getItem(s)->findAndGetSequence(DCM_ReferencedInstanceSequence, instances).good() && instances)
        for (unsigned long i = 0; i < instances->card(); ++i)
          referenced.insert(getString(*instances->getItem(i), DCM_ReferencedSOPInstanceUID));
    }
  };
  collectSeries(ds);
  DcmSequenceOfItems* studies = nullptr;
  if (ds.findAndGetSequence(DCM_StudiesContainingOtherReferencedInstancesSequence, studies).good() && studies)
    for (unsigned long s = 0; s < studies->card(); ++s) collectSeries(*studies->getItem(s));
  for (std::size_t f = 0; f < groups.frames(); ++f) {
    DcmItem* derivation = groups.group(f, DCM_DerivationImageSequence);
    DcmSequenceOfItems* sources = nullptr;
    if (derivation && derivation->findAndGetSequence(DCM_SourceImageSequence, sources).good() && sources)
      for (unsigned long i = 0; i < sources->card(); ++i)
        referenced.insert(getString(*sources->getItem(i), DCM_ReferencedSOPInstanceUID));
  }
  return referenced;
}

}  // namespace qidcm::dicom
