#include "seg/segmentation_type.h"

namespace qidcm::seg {

const TypeStrategy& strategyFor(SegmentationType type) {
  switch (type) {
    case SegmentationType::Fractional: return fractionalStrategy();
    case SegmentationType::Labelmap: return labelmapStrategy();
    case SegmentationType::Binary: break;
  }
  return binaryStrategy();
}

}  // namespace qidcm::seg
