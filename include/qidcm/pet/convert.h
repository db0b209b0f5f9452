#pragma once
// pet2suv: a PET series -> SUV, as a Real World Value Mapping object, a
// float32 parametric map, an image and a provenance JSON (doc/pet2suv.md).
#include <cstddef>
#include <string>
#include <vector>

#include "qidcm/compression.h"
#include "qidcm/pet/suv.h"
#include "qidcm/volume.h"

namespace qidcm::pet {

struct ConvertOptions {
  SuvType suvType = SuvType::BodyWeight;
  // Outputs; empty: not written. At least one is needed.
  std::string outputRWVM;
  std::string outputParametricMap;
  std::string outputImage;
  std::string outputMetadata;
  Compression compression = Compression::None;  // the parametric map's (none or deflate)
  // For programs (the Python module): keep the SUV image and the provenance
  // JSON in the summary; either counts as an output.
  bool keepImage = false;
  bool keepReport = false;
};

struct ConvertSummary {
  std::string seriesInstanceUID;
  std::size_t slices = 0;
  std::size_t mappings = 0;  // distinct SUV factors: RWVM items
  SuvResult suv;
  Volume image;        // float32 SUV on the series' grid, with keepImage
  std::string report;  // the provenance JSON (as --outputMetadata writes it), with keepReport
};

// Finds the one PET series under `directories`, computes its SUV factors
// (qidcm/pet/suv.h) and writes the requested outputs, all or nothing.
// Throws Error (Input) naming the file and attribute at fault: no PET series
// (another modality), two PET series, enhanced multi-frame PET, and every
// refusal of computeSuv. Warnings go to the log and to the JSON.
ConvertSummary convertPetSeries(const std::vector<std::string>& directories, const ConvertOptions& options);

}  // namespace qidcm::pet
