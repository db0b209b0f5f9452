#pragma once
// pyradiomics features -> TID 1500 concept names and units (doc/radiomics-codes.md).
#include <string>
#include <vector>

namespace qidcm::radiomics {

// The unit of a feature's value. U is the intensity unit of the image the
// feature was computed on (e.g. [hnsf'U] for CT): One "1", Millimetre "mm",
// SquareMillimetre "mm2", CubicMillimetre "mm3", PerMillimetre "/mm",
// Intensity "U", IntensitySquared "U2", IntensitySquaredVolume "U2.mm3".
enum class UnitKind { One, Millimetre, SquareMillimetre, CubicMillimetre, PerMillimetre, Intensity, IntensitySquared, IntensitySquaredVolume };

struct FeatureCode {
  const char* featureClass;   // pyradiomics class: firstorder, shape, shape2D, glcm, glrlm, glszm, gldm, ngtdm
  const char* feature;        // pyradiomics name, e.g. "Mean"
  const char* value;          // "Q4LE" or "R101"
  const char* scheme;         // "IBSI" or "99QIDCM"
  const char* meaning;
  UnitKind unit;
  // Energy, RootMeanSquared: the code used when voxelArrayShift != 0 (else nullptr);
  // its scheme is always 99QIDCM and its unit is `unit`.
  const char* shiftedValue = nullptr;
  const char* shiftedMeaning = nullptr;
};

struct NamedCode { const char* value; const char* scheme; const char* meaning; };

// Every current pyradiomics feature of the eight classes, in a fixed order
// (class by class, as in doc/radiomics-codes.md).
const std::vector<FeatureCode>& featureCodes();

// nullptr when unknown. `feature` may be a legacy name that maps to a current one.
const FeatureCode* findFeature(const std::string& featureClass, const std::string& feature);

// The current name for a legacy one, or "" (for a warning).
std::string currentName(const std::string& featureClass, const std::string& feature);

// Image filter modifier: concept (R800) and one value per pyradiomics image type family.
NamedCode imageFilterConcept();
// "original", "wavelet", "log", "square", "squareroot", "logarithm", "exponential", "gradient", "lbp-2D", "lbp-3D" -> code; nullptr-valued NamedCode{} when unknown.
// The keys of pyradiomics' EnabledImageTypes setting ("Original", "Wavelet", "LoG", ..., "LBP2D", "LBP3D") are accepted too.
NamedCode imageFilterCode(const std::string& family);

NamedCode waveletBandConcept();                        // R801
NamedCode waveletBandCode(const std::string& band);    // "LLH", "LH", ... ; {} when unknown

NamedCode lbp3DOutputConcept();                        // R802
NamedCode lbp3DOutputCode(const std::string& output);  // "k" (kurtosis) or "m1", "m2", ... (level N, 1 <= N <= 49); {} when unknown

// Derivation parameters: "sigma", "waveletLevel", "resampledSpacingX"/"Y"/"Z", "voxelArrayShift", "gldm_a", "distances", "binWidth" (IBSI Q3RU), "binCount" (IBSI K15C), "resegmentLower", "resegmentUpper", "normalizeScale".
// {} when unknown.
NamedCode parameterCode(const std::string& name);

}  // namespace qidcm::radiomics
