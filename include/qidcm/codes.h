#pragma once
// Coded concepts (DICOM Code Sequence Macro) and display colours.
#include <array>
#include <cstdint>
#include <optional>
#include <string>

namespace qidcm {

struct Code {
  std::string value;        // CodeValue (or LongCodeValue / URNCodeValue when long)
  std::string scheme;       // CodingSchemeDesignator
  std::string meaning;      // CodeMeaning
  std::string schemeVersion;  // CodingSchemeVersion, optional

  bool operator==(const Code& o) const {
    return value == o.value && scheme == o.scheme && meaning == o.meaning && schemeVersion == o.schemeVersion;
  }
  bool operator!=(const Code& o) const { return !(*this == o); }
};

// Codes qidcm writes itself.
namespace codes {
Code segmentationDerivation();          // (113076, DCM, "Segmentation")
Code sourceImagePurpose();              // (121322, DCM, "Source image for image processing operation")
Code backgroundCategory();              // (309825002, SCT, "Spatial and Relational Concept")
Code backgroundType();                  // (125040, DCM, "Background")
Code tissueCategory();                  // (85756007, SCT, "Tissue")
}  // namespace codes

using RGB = std::array<int, 3>;               // sRGB, 0..255 each
using CIELab = std::array<std::uint16_t, 3>;  // DICOM-encoded CIELab (PS3.3 C.10.7.1.1)

// sRGB (D65) to DICOM CIELab and back. The two are exact inverses on the
// integer grids: labToRgb(rgbToLab(c)) == c for every 8-bit colour.
CIELab rgbToLab(const RGB& rgb);
RGB labToRgb(const CIELab& lab);

// dcmqi's default segment colour (128, 174, 128) and the CIELab it writes
// when no colour is known.
RGB defaultSegmentRgb();

}  // namespace qidcm
