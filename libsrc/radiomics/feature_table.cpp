#include "radiomics/feature_table.h"

#include <unordered_map>
#include <utility>

// The data of doc/radiomics-codes.md, which says where each code and meaning
// comes from. Keep the two in step: test/unit/test_radiomics_features.cpp
// checks that the page lists every 99QIDCM code of this file.

namespace qidcm::radiomics {
namespace {

using U = UnitKind;

constexpr const char* kIbsi = "IBSI";
constexpr const char* kQidcm = "99QIDCM";

// A feature IBSI defines: its IBSI code, with the PS3.16 meaning where a
// PS3.16 context group lists the code, else the IBSI manual's name.
FeatureCode ibsi(const char* cls, const char* name, const char* value, const char* meaning, UnitKind unit) {
  return FeatureCode{cls, name, value, kIbsi, meaning, unit, nullptr, nullptr};
}

// A feature IBSI does not define, or that pyradiomics computes differently.
FeatureCode own(const char* cls, const char* name, const char* value, const char* meaning, UnitKind unit) {
  return FeatureCode{cls, name, value, kQidcm, meaning, unit, nullptr, nullptr};
}

// Energy and RootMeanSquared: the IBSI code without voxelArrayShift, a 99QIDCM one with it.
FeatureCode shifted(const char* cls, const char* name, const char* value, const char* meaning, UnitKind unit,
                    const char* shiftedValue, const char* shiftedMeaning) {
  return FeatureCode{cls, name, value, kIbsi, meaning, unit, shiftedValue, shiftedMeaning};
}

const std::vector<FeatureCode>& table() {
  static const std::vector<FeatureCode> codes = {
      // firstorder: IBSI intensity-based statistics (UHIW, in no PS3.16 CID) and
      // intensity histogram features (ZVCW, CID 7478).
      shifted("firstorder", "Energy", "N8CA", "Intensity-based energy", U::IntensitySquared,
              "R104", "Intensity-based energy with intensity shift"),
      own("firstorder", "TotalEnergy", "R103", "Total energy (pyradiomics)", U::IntensitySquaredVolume),
      ibsi("firstorder", "Entropy", "TLU2", "Intensity Histogram Entropy", U::One),
      ibsi("firstorder", "Minimum", "1GSF", "Minimum intensity", U::Intensity),
      ibsi("firstorder", "10Percentile", "QG58", "10th intensity percentile", U::Intensity),
      ibsi("firstorder", "90Percentile", "8DWT", "90th intensity percentile", U::Intensity),
      ibsi("firstorder", "Maximum", "84IY", "Maximum intensity", U::Intensity),
      ibsi("firstorder", "Mean", "Q4LE", "Mean intensity", U::Intensity),
      ibsi("firstorder", "Median", "Y12H", "Median intensity", U::Intensity),
      ibsi("firstorder", "InterquartileRange", "SALO", "Intensity interquartile range", U::Intensity),
      ibsi("firstorder", "Range", "2OJQ", "Intensity range", U::Intensity),
      ibsi("firstorder", "MeanAbsoluteDeviation", "4FUA", "Intensity-based mean absolute deviation", U::Intensity),
      ibsi("firstorder", "RobustMeanAbsoluteDeviation", "1128", "Intensity-based robust mean absolute deviation",
           U::Intensity),
      shifted("firstorder", "RootMeanSquared", "5ZWQ", "Root mean square intensity", U::Intensity,
              "R105", "Root mean square intensity with intensity shift"),
      own("firstorder", "StandardDeviation", "R102", "Intensity standard deviation (pyradiomics)", U::Intensity),
      ibsi("firstorder", "Skewness", "KE2A", "Intensity skewness", U::One),
      own("firstorder", "Kurtosis", "R101", "Intensity kurtosis, not excess (pyradiomics)", U::One),
      ibsi("firstorder", "Variance", "ECT3", "Intensity variance", U::IntensitySquared),
      ibsi("firstorder", "Uniformity", "BJ5W", "Intensity Histogram Uniformity", U::One),

      // shape: IBSI morphology (HCUG), PS3.16 CID 7477 (and 7470, 7471, 7472).
      ibsi("shape", "MeshVolume", "RNU0", "Volume of Mesh", U::CubicMillimetre),
      ibsi("shape", "VoxelVolume", "YEKZ", "Volume from Voxel Summation", U::CubicMillimetre),
      ibsi("shape", "SurfaceArea", "C0JK", "Surface Area of Mesh", U::SquareMillimetre),
      ibsi("shape", "SurfaceVolumeRatio", "2PR5", "Surface to Volume Ratio", U::PerMillimetre),
      ibsi("shape", "Sphericity", "QCFX", "Sphericity", U::One),
      ibsi("shape", "Compactness1", "SKGS", "Compactness 1", U::One),
      ibsi("shape", "Compactness2", "BQWJ", "Compactness 2", U::One),
      ibsi("shape", "SphericalDisproportion", "KRCK", "Spherical Disproportion", U::One),
      ibsi("shape", "Maximum3DDiameter", "L0JK", "Maximum 3D Diameter of a Mesh", U::Millimetre),
      own("shape", "Maximum2DDiameterSlice", "R111", "Maximum 2D diameter (Slice)", U::Millimetre),
      own("shape", "Maximum2DDiameterColumn", "R112", "Maximum 2D diameter (Column)", U::Millimetre),
      own("shape", "Maximum2DDiameterRow", "R113", "Maximum 2D diameter (Row)", U::Millimetre),
      ibsi("shape", "MajorAxisLength", "TDIC", "Major Axis in 3D Length", U::Millimetre),
      ibsi("shape", "MinorAxisLength", "P9VJ", "Minor Axis in 3D Length", U::Millimetre),
      ibsi("shape", "LeastAxisLength", "7J51", "Least Axis in 3D Length", U::Millimetre),
      ibsi("shape", "Elongation", "Q3CK", "Elongation", U::One),
      ibsi("shape", "Flatness", "N17B", "Flatness", U::One),

      // shape2D: IBSI defines no 2D morphology.
      own("shape2D", "MeshSurface", "R121", "Mesh surface area (2D)", U::SquareMillimetre),
      own("shape2D", "PixelSurface", "R122", "Pixel surface area (2D)", U::SquareMillimetre),
      own("shape2D", "Perimeter", "R123", "Mesh perimeter (2D)", U::Millimetre),
      own("shape2D", "PerimeterSurfaceRatio", "R124", "Perimeter to surface ratio (2D)", U::PerMillimetre),
      own("shape2D", "Sphericity", "R125", "Sphericity (2D)", U::One),
      own("shape2D", "SphericalDisproportion", "R126", "Spherical disproportion (2D)", U::One),
      own("shape2D", "MaximumDiameter", "R127", "Maximum diameter (2D)", U::Millimetre),
      own("shape2D", "MajorAxisLength", "R128", "Major axis length (2D)", U::Millimetre),
      own("shape2D", "MinorAxisLength", "R129", "Minor axis length (2D)", U::Millimetre),
      own("shape2D", "Elongation", "R130", "Elongation (2D)", U::One),

      // glcm: IBSI LFYI, PS3.16 CID 7467.
      ibsi("glcm", "Autocorrelation", "QWB0", "Autocorrelation of GLCM", U::One),
      ibsi("glcm", "JointAverage", "60VM", "Joint Average of GLCM", U::One),
      ibsi("glcm", "ClusterProminence", "AE86", "Cluster Prominence of GLCM", U::One),
      ibsi("glcm", "ClusterShade", "7NFM", "Cluster Shade of GLCM", U::One),
      ibsi("glcm", "ClusterTendency", "DG8W", "Cluster Tendency of GLCM", U::One),
      ibsi("glcm", "Contrast", "ACUI", "Contrast of GLCM", U::One),
      ibsi("glcm", "Correlation", "NI2N", "Correlation of GLCM", U::One),
      ibsi("glcm", "DifferenceAverage", "TF7R", "Difference Average of GLCM", U::One),
      ibsi("glcm", "DifferenceEntropy", "NTRS", "Difference Entropy of GLCM", U::One),
      ibsi("glcm", "DifferenceVariance", "D3YU", "Difference Variance of GLCM", U::One),
      ibsi("glcm", "JointEnergy", "8ZQL", "Angular Second Moment of GLCM", U::One),
      ibsi("glcm", "JointEntropy", "TU9B", "Joint Entropy of GLCM", U::One),
      ibsi("glcm", "Imc1", "R8DG", "First Measure of Information Correlation of GLCM", U::One),
      ibsi("glcm", "Imc2", "JN9H", "Second Measure of Information Correlation of GLCM", U::One),
      ibsi("glcm", "Idm", "WF0Z", "Inverse Difference Moment of GLCM", U::One),
      own("glcm", "MCC", "R141", "Maximal correlation coefficient of GLCM", U::One),
      ibsi("glcm", "Idmn", "1QCO", "Normalized Inverse Difference Moment of GLCM", U::One),
      ibsi("glcm", "Id", "IB1Z", "Inverse Difference of GLCM", U::One),
      ibsi("glcm", "Idn", "NDRX", "Normalized Inverse Difference of GLCM", U::One),
      ibsi("glcm", "InverseVariance", "E8JP", "Inverse Variance of GLCM", U::One),
      ibsi("glcm", "MaximumProbability", "GYBY", "Joint Maximum of GLCM", U::One),
      ibsi("glcm", "SumAverage", "ZGXS", "Sum Average of GLCM", U::One),
      ibsi("glcm", "SumEntropy", "P6QZ", "Sum Entropy of GLCM", U::One),
      ibsi("glcm", "SumSquares", "UR99", "Joint Variance of GLCM", U::One),

      // glrlm: IBSI TP0I, PS3.16 CID 7475.
      ibsi("glrlm", "ShortRunEmphasis", "22OV", "Short Runs Emphasis", U::One),
      ibsi("glrlm", "LongRunEmphasis", "W4KF", "Long Runs Emphasis", U::One),
      ibsi("glrlm", "GrayLevelNonUniformity", "R5YN", "Gray Level Nonuniformity in Runs", U::One),
      ibsi("glrlm", "GrayLevelNonUniformityNormalized", "OVBL", "Normalized Gray Level Nonuniformity in Runs", U::One),
      ibsi("glrlm", "RunLengthNonUniformity", "W92Y", "Run Length Nonuniformity", U::One),
      ibsi("glrlm", "RunLengthNonUniformityNormalized", "IC23", "Normalized Run Length Nonuniformity", U::One),
      ibsi("glrlm", "RunPercentage", "9ZK5", "Run Percentage", U::One),
      ibsi("glrlm", "GrayLevelVariance", "8CE5", "Gray Level Variance in Runs", U::One),
      ibsi("glrlm", "RunVariance", "SXLW", "Run Length Variance", U::One),
      ibsi("glrlm", "RunEntropy", "HJ9O", "Run Entropy", U::One),
      ibsi("glrlm", "LowGrayLevelRunEmphasis", "V3SW", "Low Gray Level Run Emphasis", U::One),
      ibsi("glrlm", "HighGrayLevelRunEmphasis", "G3QZ", "High Gray Level Run Emphasis", U::One),
      ibsi("glrlm", "ShortRunLowGrayLevelEmphasis", "HTZT", "Short Run Low Gray Level Emphasis", U::One),
      ibsi("glrlm", "ShortRunHighGrayLevelEmphasis", "GD3A", "Short Run High Gray Level Emphasis", U::One),
      ibsi("glrlm", "LongRunLowGrayLevelEmphasis", "IVPO", "Long Run Low Gray Level Emphasis", U::One),
      ibsi("glrlm", "LongRunHighGrayLevelEmphasis", "3KUM", "Long Run High Gray Level Emphasis", U::One),

      // glszm: IBSI 9SAK, PS3.16 CID 7476.
      ibsi("glszm", "SmallAreaEmphasis", "5QRC", "Small Zone Emphasis", U::One),
      ibsi("glszm", "LargeAreaEmphasis", "48P8", "Large Zone Emphasis", U::One),
      ibsi("glszm", "GrayLevelNonUniformity", "JNSA", "Gray Level Nonuniformity of Size Zone Counts", U::One),
      ibsi("glszm", "GrayLevelNonUniformityNormalized", "Y1RO", "Normalized Gray Level Nonuniformity of Size Zone Counts",
           U::One),
      ibsi("glszm", "SizeZoneNonUniformity", "4JP3", "Zone Size Nonuniformity", U::One),
      ibsi("glszm", "SizeZoneNonUniformityNormalized", "VB3A", "Normalized Zone Size Nonuniformity", U::One),
      ibsi("glszm", "ZonePercentage", "P30P", "Size Zone Percentage", U::One),
      ibsi("glszm", "GrayLevelVariance", "BYLV", "Gray Level Variance in Size Zones", U::One),
      ibsi("glszm", "ZoneVariance", "3NSA", "Zone Size Variance", U::One),
      ibsi("glszm", "ZoneEntropy", "GU8N", "Zone Size Entropy", U::One),
      ibsi("glszm", "LowGrayLevelZoneEmphasis", "XMSY", "Low Gray Level Zone Emphasis", U::One),
      ibsi("glszm", "HighGrayLevelZoneEmphasis", "5GN9", "High Gray Level Zone Emphasis", U::One),
      ibsi("glszm", "SmallAreaLowGrayLevelEmphasis", "5RAI", "Small Zone Low Gray Level Emphasis", U::One),
      ibsi("glszm", "SmallAreaHighGrayLevelEmphasis", "HW1V", "Small Zone High Gray Level Emphasis", U::One),
      ibsi("glszm", "LargeAreaLowGrayLevelEmphasis", "YH51", "Large Zone Low Gray Level Emphasis", U::One),
      ibsi("glszm", "LargeAreaHighGrayLevelEmphasis", "J17V", "Large Zone High Gray Level Emphasis", U::One),

      // gldm: IBSI NGLDM (REK0), PS3.16 CID 7501.
      ibsi("gldm", "SmallDependenceEmphasis", "SODN", "Low dependence emphasis", U::One),
      ibsi("gldm", "LargeDependenceEmphasis", "IMOQ", "High dependence emphasis", U::One),
      ibsi("gldm", "GrayLevelNonUniformity", "FP8K", "Grey level non-uniformity of NGLDM", U::One),
      ibsi("gldm", "GrayLevelNonUniformityNormalized", "5SPA", "Normalized grey level non-uniformity of NGLDM", U::One),
      ibsi("gldm", "DependenceNonUniformity", "Z87G", "Dependence count non-uniformity", U::One),
      ibsi("gldm", "DependenceNonUniformityNormalized", "OKJI", "Dependence count non-uniformity normalized", U::One),
      ibsi("gldm", "DependencePercentage", "6XV8", "Dependence count percentage", U::One),
      ibsi("gldm", "GrayLevelVariance", "1PFV", "Grey level variance of NGLDM", U::One),
      ibsi("gldm", "DependenceVariance", "DNX2", "Dependence count variance", U::One),
      ibsi("gldm", "DependenceEntropy", "FCBV", "Dependence count entropy", U::One),
      ibsi("gldm", "LowGrayLevelEmphasis", "TL9H", "Low grey level count emphasis", U::One),
      ibsi("gldm", "HighGrayLevelEmphasis", "OAE7", "High grey level count emphasis", U::One),
      ibsi("gldm", "SmallDependenceLowGrayLevelEmphasis", "EQ3F", "Low dependence low grey level emphasis", U::One),
      ibsi("gldm", "SmallDependenceHighGrayLevelEmphasis", "JA6D", "Low dependence high grey level emphasis", U::One),
      ibsi("gldm", "LargeDependenceLowGrayLevelEmphasis", "NBZI", "High dependence low grey level emphasis", U::One),
      ibsi("gldm", "LargeDependenceHighGrayLevelEmphasis", "9QMG", "High dependence high grey level emphasis", U::One),

      // ngtdm: IBSI IPET, PS3.16 CID 7500.
      ibsi("ngtdm", "Coarseness", "QCDE", "Coarseness of NGTDM", U::One),
      ibsi("ngtdm", "Contrast", "65HE", "Contrast of NGTDM", U::One),
      ibsi("ngtdm", "Busyness", "NQ30", "Busyness of NGTDM", U::One),
      ibsi("ngtdm", "Complexity", "HDEZ", "Complexity of NGTDM", U::One),
      ibsi("ngtdm", "Strength", "1X9X", "Strength of NGTDM", U::One),
  };
  return codes;
}

// Names older pyradiomics versions wrote for a feature whose definition is
// identical to a current one (doc/radiomics-codes.md, "Legacy names").
struct Legacy {
  const char* featureClass;
  const char* oldName;
  const char* currentName;
};

constexpr Legacy kLegacy[] = {
    {"glcm", "Dissimilarity", "DifferenceAverage"},
    {"glcm", "Homogeneity1", "Id"},
    {"glcm", "Homogeneity2", "Idm"},
    {"glcm", "SumVariance2", "ClusterTendency"},
    {"glcm", "AverageIntensity", "JointAverage"},
    {"glcm", "Energy", "JointEnergy"},
    {"glcm", "Entropy", "JointEntropy"},
    {"glszm", "IntensityVariability", "GrayLevelNonUniformity"},
    {"glszm", "SizeZoneVariability", "SizeZoneNonUniformity"},
    {"glszm", "LowIntensityEmphasis", "LowGrayLevelZoneEmphasis"},
    {"glszm", "HighIntensityEmphasis", "HighGrayLevelZoneEmphasis"},
    {"glszm", "LowIntensitySmallAreaEmphasis", "SmallAreaLowGrayLevelEmphasis"},
    {"glszm", "HighIntensitySmallAreaEmphasis", "SmallAreaHighGrayLevelEmphasis"},
    {"glszm", "LowIntensityLargeAreaEmphasis", "LargeAreaLowGrayLevelEmphasis"},
    {"glszm", "HighIntensityLargeAreaEmphasis", "LargeAreaHighGrayLevelEmphasis"},
};

std::string key(const std::string& featureClass, const std::string& feature) {
  return featureClass + '\n' + feature;
}

const std::unordered_map<std::string, const FeatureCode*>& index() {
  static const std::unordered_map<std::string, const FeatureCode*> map = [] {
    std::unordered_map<std::string, const FeatureCode*> m;
    for (const FeatureCode& f : table()) m.emplace(key(f.featureClass, f.feature), &f);
    for (const Legacy& l : kLegacy) {
      auto current = m.find(key(l.featureClass, l.currentName));
      if (current != m.end()) m.emplace(key(l.featureClass, l.oldName), current->second);
    }
    return m;
  }();
  return map;
}

struct Named {
  const char* name;
  NamedCode code;
};

template <std::size_t N>
NamedCode lookup(const Named (&codes)[N], const std::string& name) {
  for (const Named& c : codes)
    if (name == c.name) return c.code;
  return NamedCode{};
}

constexpr NamedCode kImageFilter{"R800", kQidcm, "Image filter"};
constexpr NamedCode kWaveletBand{"R801", kQidcm, "Wavelet sub-band"};
constexpr NamedCode kLbp3DOutput{"R802", kQidcm, "LBP 3D output"};

constexpr NamedCode kOriginal{"R810", kQidcm, "No filter (original image)"};
constexpr NamedCode kWavelet{"R811", kQidcm, "Stationary wavelet transform"};
constexpr NamedCode kLoG{"R812", kQidcm, "Laplacian of Gaussian"};
constexpr NamedCode kSquare{"R813", kQidcm, "Square"};
constexpr NamedCode kSquareRoot{"R814", kQidcm, "Square root"};
constexpr NamedCode kLogarithm{"R815", kQidcm, "Logarithm"};
constexpr NamedCode kExponential{"R816", kQidcm, "Exponential"};
constexpr NamedCode kGradient{"R817", kQidcm, "Gradient magnitude"};
constexpr NamedCode kLbp2D{"R818", kQidcm, "Local binary pattern 2D"};
constexpr NamedCode kLbp3D{"R819", kQidcm, "Local binary pattern 3D"};

// Image type prefixes of the feature names, then the keys of EnabledImageTypes.
constexpr Named kFilters[] = {
    {"original", kOriginal},       {"wavelet", kWavelet},         {"log", kLoG},
    {"square", kSquare},           {"squareroot", kSquareRoot},   {"logarithm", kLogarithm},
    {"exponential", kExponential}, {"gradient", kGradient},       {"lbp-2D", kLbp2D},
    {"lbp-3D", kLbp3D},            {"Original", kOriginal},       {"Wavelet", kWavelet},
    {"LoG", kLoG},                 {"Square", kSquare},           {"SquareRoot", kSquareRoot},
    {"Logarithm", kLogarithm},     {"Exponential", kExponential}, {"Gradient", kGradient},
    {"LBP2D", kLbp2D},             {"LBP3D", kLbp3D},
};

constexpr Named kBands[] = {
    {"LLL", {"R830", kQidcm, "Wavelet sub-band LLL"}}, {"LLH", {"R831", kQidcm, "Wavelet sub-band LLH"}},
    {"LHL", {"R832", kQidcm, "Wavelet sub-band LHL"}}, {"LHH", {"R833", kQidcm, "Wavelet sub-band LHH"}},
    {"HLL", {"R834", kQidcm, "Wavelet sub-band HLL"}}, {"HLH", {"R835", kQidcm, "Wavelet sub-band HLH"}},
    {"HHL", {"R836", kQidcm, "Wavelet sub-band HHL"}}, {"HHH", {"R837", kQidcm, "Wavelet sub-band HHH"}},
    {"LL", {"R838", kQidcm, "Wavelet sub-band LL"}},   {"LH", {"R839", kQidcm, "Wavelet sub-band LH"}},
    {"HL", {"R840", kQidcm, "Wavelet sub-band HL"}},   {"HH", {"R841", kQidcm, "Wavelet sub-band HH"}},
};

constexpr Named kParameters[] = {
    {"sigma", {"R901", kQidcm, "Laplacian of Gaussian sigma"}},
    {"waveletLevel", {"R902", kQidcm, "Wavelet decomposition level"}},
    {"resampledSpacingX", {"R903", kQidcm, "Resampled voxel spacing x"}},
    {"resampledSpacingY", {"R904", kQidcm, "Resampled voxel spacing y"}},
    {"resampledSpacingZ", {"R905", kQidcm, "Resampled voxel spacing z"}},
    {"voxelArrayShift", {"R906", kQidcm, "Voxel array shift"}},
    {"gldm_a", {"R907", kQidcm, "GLDM dependence cutoff alpha"}},
    {"distances", {"R908", kQidcm, "Texture neighbour distance"}},
    {"binWidth", {"Q3RU", kIbsi, "Fixed bin size"}},
    {"binCount", {"K15C", kIbsi, "Fixed bin number"}},
    {"resegmentLower", {"R909", kQidcm, "Range resegmentation lower bound"}},
    {"resegmentUpper", {"R910", kQidcm, "Range resegmentation upper bound"}},
    {"normalizeScale", {"R911", kQidcm, "Intensity normalisation scale"}},
};

// LBP 3D level N: R850 + N, for N = 1 .. 49 (R851 .. R899).
constexpr int kMaxLbpLevel = 49;

const std::vector<std::pair<std::string, std::string>>& lbpLevels() {
  static const std::vector<std::pair<std::string, std::string>> levels = [] {
    std::vector<std::pair<std::string, std::string>> v;
    for (int n = 1; n <= kMaxLbpLevel; ++n)
      v.emplace_back("R" + std::to_string(850 + n), "LBP 3D level " + std::to_string(n));
    return v;
  }();
  return levels;
}

}  // namespace

const std::vector<FeatureCode>& featureCodes() { return table(); }

const FeatureCode* findFeature(const std::string& featureClass, const std::string& feature) {
  const auto& m = index();
  auto it = m.find(key(featureClass, feature));
  return it == m.end() ? nullptr : it->second;
}

std::string currentName(const std::string& featureClass, const std::string& feature) {
  for (const Legacy& l : kLegacy)
    if (featureClass == l.featureClass && feature == l.oldName) return l.currentName;
  return "";
}

NamedCode imageFilterConcept() { return kImageFilter; }

NamedCode imageFilterCode(const std::string& family) { return lookup(kFilters, family); }

NamedCode waveletBandConcept() { return kWaveletBand; }

NamedCode waveletBandCode(const std::string& band) { return lookup(kBands, band); }

NamedCode lbp3DOutputConcept() { return kLbp3DOutput; }

NamedCode lbp3DOutputCode(const std::string& output) {
  if (output == "k") return NamedCode{"R849", kQidcm, "LBP 3D kurtosis"};
  // "m" then a level without sign or leading zero.
  if (output.size() < 2 || output.size() > 3 || output[0] != 'm' || output[1] == '0') return NamedCode{};
  int level = 0;
  for (std::size_t i = 1; i < output.size(); ++i) {
    if (output[i] < '0' || output[i] > '9') return NamedCode{};
    level = level * 10 + (output[i] - '0');
  }
  if (level < 1 || level > kMaxLbpLevel) return NamedCode{};
  const auto& entry = lbpLevels()[static_cast<std::size_t>(level - 1)];
  return NamedCode{entry.first.c_str(), kQidcm, entry.second.c_str()};
}

NamedCode parameterCode(const std::string& name) { return lookup(kParameters, name); }

}  // namespace qidcm::radiomics
