#include "dicom/functional_groups.h"

#include <dcmtk/dcmdata/dcdeftag.h>

#include <map>
#include <set>

#include "qidcm/uid.h"

namespace qidcm::dicom {

void writePlaneOrientation(DcmItem& group, const Grid& grid, const ValueWriter& writer) {
  const double iop[6] = {grid.rowCosine()[0], grid.rowCosine()[1], grid.rowCosine()[2],
                         grid.columnCosine()[0], grid.columnCosine()[1], grid.columnCosine()[2]};
  writer.put(appendItem(group, DCM_PlaneOrientationSequence), DCM_ImageOrientationPatient, formatDS(iop, 6));
}

void writePixelMeasures(DcmItem& group, const Grid& grid, const ValueWriter& writer) {
  DcmItem& item = appendItem(group, DCM_PixelMeasuresSequence);
  const double spacing[2] = {grid.spacing[1], grid.spacing[0]};
  writer.put(item, DCM_PixelSpacing, formatDS(spacing, 2));
  writer.put(item, DCM_SliceThickness, formatDS(grid.spacing[2]));
  writer.put(item, DCM_SpacingBetweenSlices, formatDS(grid.spacing[2]));
}

void writePlanePosition(DcmItem& group, const Vec3& position, const ValueWriter& writer) {
  writer.put(appendItem(group, DCM_PlanePositionSequence), DCM_ImagePositionPatient, formatDS(position.data(), 3));
}

void writeFrameContent(DcmItem& group, const std::vector<Uint32>& dimensionIndexValues, const ValueWriter& writer,
                       const std::string& stackID, Uint32 inStackPosition) {
  DcmItem& item = appendItem(group, DCM_FrameContentSequence);
  if (!stackID.empty()) {
    writer.put(item, DCM_StackID, stackID);
    writer.put(item, DCM_InStackPositionNumber, std::to_string(inStackPosition));
  }
  writer.putUint32Array(item, DCM_DimensionIndexValues, dimensionIndexValues);
}

void writeDimensions(DcmItem& dataset, const std::vector<DimensionIndex>& indices, const ValueWriter& writer) {
  const std::string uid = newUid();
  writer.put(appendItem(dataset, DCM_DimensionOrganizationSequence), DCM_DimensionOrganizationUID, uid);
  for (const auto& index : indices) {
    DcmItem& item = appendItem(dataset, DCM_DimensionIndexSequence);
    writer.put(item, DCM_DimensionOrganizationUID, uid);
    writer.putTag(item, DCM_DimensionIndexPointer, index.pointer);
    writer.putTag(item, DCM_FunctionalGroupPointer, index.functionalGroup);
    writer.put(item, DCM_DimensionDescriptionLabel, index.label);
  }
}

}  // namespace qidcm::dicom
