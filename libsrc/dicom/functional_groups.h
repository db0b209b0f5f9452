#pragma once
// Functional group macros (PS3.3 C.7.6.16) shared by the multi-frame objects
// qidcm writes.
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcitem.h>

#include <string>
#include <vector>

#include "dicom/dataset_util.h"
#include "qidcm/codes.h"
#include "qidcm/geometry.h"

namespace qidcm::dicom {

// Plane Orientation (Patient): row and column cosines of the grid.
void writePlaneOrientation(DcmItem& group, const Grid& grid, const ValueWriter& writer);
// Pixel Measures: Pixel Spacing in DICOM order (between rows, then between
// columns), Slice Thickness and Spacing Between Slices.
void writePixelMeasures(DcmItem& group, const Grid& grid, const ValueWriter& writer);
// Plane Position (Patient).
void writePlanePosition(DcmItem& group, const Vec3& position, const ValueWriter& writer);
// Frame Content with Dimension Index Values and, optionally, Stack ID and
// In-Stack Position Number.
void writeFrameContent(DcmItem& group, const std::vector<Uint32>& dimensionIndexValues, const ValueWriter& writer,
                       const std::string& stackID = "", Uint32 inStackPosition = 0);

// Multi-frame Dimension module: one Dimension Organization, one index per
// pointer (dimension index pointer, functional group pointer, label).
struct DimensionIndex {
  DcmTagKey pointer;
  DcmTagKey functionalGroup;
  std::string label;
};
void writeDimensions(DcmItem& dataset, const std::vector<DimensionIndex>& indices, const ValueWriter& writer);

}  // namespace qidcm::dicom
