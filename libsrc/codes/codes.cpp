#include "qidcm/codes.h"

namespace qidcm::codes {

Code segmentationDerivation() { return {"113076", "DCM", "Segmentation", ""}; }
Code sourceImagePurpose() { return {"121322", "DCM", "Source image for image processing operation", ""}; }
Code backgroundCategory() { return {"309825002", "SCT", "Spatial and Relational Concept", ""}; }
Code backgroundType() { return {"125040", "DCM", "Background", ""}; }
Code tissueCategory() { return {"85756007", "SCT", "Tissue", ""}; }

}  // namespace qidcm::codes
