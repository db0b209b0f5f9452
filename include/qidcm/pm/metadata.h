#pragma once
// Parametric map metadata: the typed form of dcmqi's parametric-map JSON,
// shared by the writer (input) and the reader (meta.json).
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "qidcm/codes.h"
#include "qidcm/series.h"

namespace qidcm::pm {

// Required: quantity and units. Codes are (value, scheme, meaning), e.g.
//   quantity = {"113041", "DCM", "Apparent Diffusion Coefficient"};
//   units    = {"um2/s", "UCUM", "um2/s"};
// slope and intercept are written as the Real World Value Mapping (stored
// pixel values are not changed). Without a derivation code, the quantity
// code is written as Derivation Code (with a warning). diffusionBValues are
// in s/mm2. Of the series attributes (qidcm/series.h) a parametric map has
// all but the Clinical Trial Series ones.
struct Metadata : SeriesAttributes {
  Metadata() {
    seriesDescription = "Parametric map";
    seriesNumber = "300";
    instanceNumber = "1";
    contentLabel = "PARAMETRIC_MAP";
    contentDescription = "Parametric map";
  }
  Code quantity;                            // QuantityValueCode
  Code units;                               // MeasurementUnitsCode
  std::optional<Code> measurementMethod;    // MeasurementMethodCode
  std::optional<Code> modelFittingMethod;   // ModelFittingMethodCode
  std::optional<Code> derivation;           // DerivationCode
  std::string derivationDescription;
  std::vector<std::string> diffusionBValues;  // SourceImageDiffusionBValues
  double slope = 1.0;                       // RealWorldValueSlope
  double intercept = 0.0;                   // RealWorldValueIntercept
  // LUT Label (SH, 16 characters); empty: the units' code value, cut to 16.
  // Not a JSON key (pet2suv sets it: "SUVlbmJames128").
  std::string lutLabel;
  Code anatomicRegion{"85756007", "SCT", "Tissue", ""};
  std::string frameLaterality = "U";          // R, L, U or B
  std::string derivedPixelContrast = "NONE";  // Derived Pixel Contrast (0008,9208), e.g. ADC, T1, NONE

  std::string sourceFile;  // where it came from, for messages
};

// Validates against pm-schema.json (compiled in), then maps to the struct;
// throws Error (Input) naming `file` and the JSON path at fault. Keys the
// schema does not know are warned about and ignored.
Metadata parseMetadata(const nlohmann::json& document, const std::string& file);
// Reads, validates and parses a JSON file.
Metadata readMetadataFile(const std::string& path);
// The JSON form, as paramap2itkimage writes it (parseMetadata reads it back).
nlohmann::json toJson(const Metadata& metadata);

}  // namespace qidcm::pm
