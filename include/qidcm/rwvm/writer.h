#pragma once
// Real World Value Mapping writer (PS3.3 A.46): mappings from the stored
// values of referenced images to a real-world quantity, in a DICOM object of
// its own (SOP Class 1.2.840.10008.5.1.4.1.1.67, Modality RWV), as
// pet2suv writes SUV next to a PET series.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "qidcm/codes.h"
#include "qidcm/series.h"

namespace qidcm::rwvm {

struct ReferencedImage {
  std::string sopClassUID;
  std::string sopInstanceUID;
};

// One item of the Referenced Image Real World Value Mapping Sequence: a
// mapping (Real World Value Mapping Item Macro) and the images it applies to.
struct Mapping {
  double slope = 1;
  double intercept = 0;
  Code units;                      // Measurement Units Code Sequence (UCUM)
  std::string lutLabel;            // LUT Label (SH, at most 16 characters)
  std::string lutExplanation;      // LUT Explanation
  // Quantity Definition Sequence: (concept name, concept code) CODE items.
  std::vector<std::pair<Code, Code>> quantityDefinition;
  std::vector<std::size_t> images;  // indexes into Content::images
};

struct Content : SeriesAttributes {
  Content() {
    seriesNumber = "1";
    instanceNumber = "1";
    contentLabel = "RWV";
  }
  // An instance of the referenced series: patient and study are copied from it.
  std::string contextPath;
  std::string seriesInstanceUID;     // of the referenced images
  std::vector<ReferencedImage> images;
  std::vector<Mapping> mappings;     // each image in exactly one mapping
  // The referenced images' Pixel Representation and Bits Stored: the First
  // and Last Value Mapped (US or SS) span the stored value range.
  bool pixelSigned = false;
  unsigned bitsStored = 16;
};

struct WriteSummary {
  std::string sopInstanceUID;
  std::size_t mappings = 0;
  std::size_t images = 0;
  std::uint64_t bytes = 0;
};

// Writes `content` to `outputPath` (explicit VR little endian) atomically.
// Throws Error (Input) for Bits Stored outside 1..16, Error (Internal) for
// an image in no mapping or in two, and Error (Output) when the file cannot
// be written.
WriteSummary writeRealWorldValueMapping(const Content& content, const std::string& outputPath);

}  // namespace qidcm::rwvm
