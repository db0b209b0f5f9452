#pragma once
// Parametric map reader: DICOM Parametric Map (float, double or integer
// pixels, any transfer syntax the SEG reader handles) -> image + metadata.
#include <string>

#include "qidcm/pm/metadata.h"
#include "qidcm/volume.h"

namespace qidcm::pm {

struct ReaderOptions {
  // Return real-world values (stored * slope + intercept) as floating point
  // instead of the stored values.
  bool realWorldValues = false;
};

struct ReadResult {
  Volume image;  // the stored type (or float32/float64 for real-world values)
  Metadata metadata;
  std::size_t frames = 0;
  std::string transferSyntax;
};

// The image's grid spans the map's frames (first to last plane). Throws Error.
ReadResult readParametricMap(const std::string& path, const ReaderOptions& options);

// Writes <dir>/<prefix>-pmap.<ext> and <dir>/<prefix>-meta.json, all or nothing.
ReadResult readParametricMapToFiles(const std::string& input, const std::string& outputDirectory,
                                    const std::string& prefix, const std::string& outputType,
                                    const ReaderOptions& options);

}  // namespace qidcm::pm
