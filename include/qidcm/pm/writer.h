#pragma once
// Parametric map writer: a scalar image + metadata + source series -> DICOM
// Parametric Map (float32, float64, or 16-bit integer pixels).
#include <cstdint>
#include <string>
#include <vector>

#include "qidcm/compression.h"
#include "qidcm/pm/metadata.h"
#include "qidcm/source.h"
#include "qidcm/volume.h"

namespace qidcm::pm {

// The stored pixel type. Auto keeps the image's type when DICOM can store it:
// float32 -> Float Pixel Data, float64 -> Double Float Pixel Data, integers
// that fit 16 bits -> Pixel Data (signed or unsigned), other integers ->
// Double Float Pixel Data.
enum class PixelType { Auto, Float32, Float64, Int16, UInt16 };
std::string toString(PixelType type);
PixelType parsePixelType(const std::string& text);  // throws Error (Usage)

struct WriterOptions {
  PixelType pixelType = PixelType::Auto;
  // Integer maps: any; float maps: none or deflate (see qidcm/compression.h).
  Compression compression = Compression::None;
  bool checkValues = true;
  double matchTolerance = 0.1;  // fraction of the slice spacing
};

struct WriteSummary {
  std::string sopInstanceUID;
  std::size_t frames = 0;
  std::size_t referencedInstances = 0;
  std::size_t matchedSlices = 0;
  PixelType pixelType = PixelType::Float32;
  std::string modality;
  std::uint64_t bytes = 0;
};

// Writes the map to `outputPath` atomically: one frame per slice of the
// image's grid, each referencing the source images it lies on; Modality,
// patient, study and frame of reference come from the matched source
// series. `imagePath` names the image in messages. The output's directory
// must exist (Error (Output) naming it otherwise). Throws Error.
WriteSummary writeParametricMap(const Volume& image, const std::string& imagePath, const Metadata& metadata,
                                const SourceIndex& sources, const std::string& outputPath,
                                const WriterOptions& options);

struct WriterFiles {
  std::string image;
  std::string metadata;
  std::vector<std::string> dicomFiles;
  std::vector<std::string> dicomDirectories;
  std::string output;
};
WriteSummary writeParametricMapFiles(const WriterFiles& files, const WriterOptions& options);

}  // namespace qidcm::pm
