#pragma once
// One item of the Segment Sequence (PS3.3 C.8.20.2.2).
#include "dicom/dataset_util.h"
#include "qidcm/seg/metadata.h"

namespace qidcm::seg {

// Writes Segment `number` described by `segment` into `item`. `withColour`
// is false for PALETTE COLOR label maps, where the CIELab value is not allowed.
void writeSegmentItem(DcmItem& item, std::uint16_t number, const SegmentDescription& segment, bool withColour,
                      const dicom::ValueWriter& writer, const dicom::Origin& origin);

// The Background segment a label map describes pixel value 0 with.
SegmentDescription backgroundSegment();

// Reads item `index` of a Segment Sequence, tolerantly: missing optional
// content and a missing Segment Algorithm Type or Coding Scheme Designator
// give warnings (naming `path` and the item) and placeholders, not errors.
// Sets `number`; throws Error (Input) when the Segment Number is missing.
SegmentDescription readSegmentItem(DcmItem& item, std::size_t index, const std::string& path,
                                   std::uint16_t& number);

}  // namespace qidcm::seg
