#pragma once
// bin2labelsegimage: a BINARY SEG re-encoded as a Label Map SEG (Sup 243),
// without research-format files in between.
#include <string>

#include "qidcm/seg/writer.h"

namespace qidcm::seg {

struct LabelmapConversionOptions {
  bool palette = false;     // PALETTE COLOR instead of MONOCHROME2
  bool force16Bit = false;  // 16-bit pixels even for <= 255 segments
  Compression compression = Compression::None;
  bool checkValues = true;
};

// Patient, study, frame of reference, series attributes, segments and
// per-frame source references come from the input. Segments that overlap
// are refused, naming two of them and a frame position. Throws Error.
WriteSummary convertToLabelmap(const std::string& input, const std::string& output,
                               const LabelmapConversionOptions& options);

}  // namespace qidcm::seg
