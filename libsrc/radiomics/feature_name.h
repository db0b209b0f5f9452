#pragma once
// pyradiomics feature names: <imageType>_<class>_<feature>, the image type
// split into the filter and its parameters (wavelet band and level, LoG
// sigma, LBP output).
#include <optional>
#include <string>

namespace qidcm::radiomics {

struct FeatureName {
  std::string imageType;     // "wavelet-LLH", "log-sigma-3-0-mm-3D", ...
  std::string family;        // original, wavelet, log, square, squareroot, logarithm, exponential, gradient,
                             // lbp-2D, lbp-3D (feature_table.h's imageFilterCode)
  std::string settingsKey;   // its key in pyradiomics' EnabledImageTypes: Original, Wavelet, LoG, ...
  std::string band;          // wavelet: "LLH", "LH", ...
  int waveletLevel = 0;      // wavelet: 1, or N of "waveletN-"
  std::optional<double> sigma;  // LoG, mm
  std::string lbpOutput;     // lbp-3D: "m1", "m2", ..., "k"
  std::string featureClass;  // firstorder, shape, ...
  std::string feature;       // Mean, ...
};

// nullopt when the column is not a feature or its image type is unknown.
std::optional<FeatureName> parseFeatureName(const std::string& column);

}  // namespace qidcm::radiomics
