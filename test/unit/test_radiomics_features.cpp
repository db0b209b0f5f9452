#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "radiomics/feature_table.h"

using namespace qidcm::radiomics;

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

struct Known {
  const char* featureClass;
  const char* feature;
  const char* value;
  const char* scheme;
  const char* meaning;
  UnitKind unit;
};

// Every code named here was checked by hand against the IBSI reference
// manual (and for texture codes against PS3.16's CIDs); the meaning is
// PS3.16's where a CID lists the code. See doc/radiomics-codes.md.
const Known kKnown[] = {
    // firstorder
    {"firstorder", "Mean", "Q4LE", "IBSI", "Mean intensity", UnitKind::Intensity},
    {"firstorder", "Variance", "ECT3", "IBSI", "Intensity variance", UnitKind::IntensitySquared},
    {"firstorder", "Skewness", "KE2A", "IBSI", "Intensity skewness", UnitKind::One},
    {"firstorder", "Median", "Y12H", "IBSI", "Median intensity", UnitKind::Intensity},
    {"firstorder", "Minimum", "1GSF", "IBSI", "Minimum intensity", UnitKind::Intensity},
    {"firstorder", "10Percentile", "QG58", "IBSI", "10th intensity percentile", UnitKind::Intensity},
    {"firstorder", "90Percentile", "8DWT", "IBSI", "90th intensity percentile", UnitKind::Intensity},
    {"firstorder", "Maximum", "84IY", "IBSI", "Maximum intensity", UnitKind::Intensity},
    {"firstorder", "InterquartileRange", "SALO", "IBSI", "Intensity interquartile range", UnitKind::Intensity},
    {"firstorder", "Range", "2OJQ", "IBSI", "Intensity range", UnitKind::Intensity},
    {"firstorder", "RobustMeanAbsoluteDeviation", "1128", "IBSI", "Intensity-based robust mean absolute deviation",
     UnitKind::Intensity},
    {"firstorder", "Energy", "N8CA", "IBSI", "Intensity-based energy", UnitKind::IntensitySquared},
    {"firstorder", "Entropy", "TLU2", "IBSI", "Intensity Histogram Entropy", UnitKind::One},
    {"firstorder", "Uniformity", "BJ5W", "IBSI", "Intensity Histogram Uniformity", UnitKind::One},
    {"firstorder", "Kurtosis", "R101", "99QIDCM", "Intensity kurtosis, not excess (pyradiomics)", UnitKind::One},
    {"firstorder", "TotalEnergy", "R103", "99QIDCM", "Total energy (pyradiomics)", UnitKind::IntensitySquaredVolume},
    // shape
    {"shape", "MeshVolume", "RNU0", "IBSI", "Volume of Mesh", UnitKind::CubicMillimetre},
    {"shape", "VoxelVolume", "YEKZ", "IBSI", "Volume from Voxel Summation", UnitKind::CubicMillimetre},
    {"shape", "SurfaceArea", "C0JK", "IBSI", "Surface Area of Mesh", UnitKind::SquareMillimetre},
    {"shape", "SurfaceVolumeRatio", "2PR5", "IBSI", "Surface to Volume Ratio", UnitKind::PerMillimetre},
    {"shape", "Sphericity", "QCFX", "IBSI", "Sphericity", UnitKind::One},
    {"shape", "Maximum3DDiameter", "L0JK", "IBSI", "Maximum 3D Diameter of a Mesh", UnitKind::Millimetre},
    {"shape", "MajorAxisLength", "TDIC", "IBSI", "Major Axis in 3D Length", UnitKind::Millimetre},
    {"shape", "LeastAxisLength", "7J51", "IBSI", "Least Axis in 3D Length", UnitKind::Millimetre},
    {"shape", "Flatness", "N17B", "IBSI", "Flatness", UnitKind::One},
    {"shape", "Maximum2DDiameterSlice", "R111", "99QIDCM", "Maximum 2D diameter (Slice)", UnitKind::Millimetre},
    // shape2D
    {"shape2D", "MeshSurface", "R121", "99QIDCM", "Mesh surface area (2D)", UnitKind::SquareMillimetre},
    {"shape2D", "PerimeterSurfaceRatio", "R124", "99QIDCM", "Perimeter to surface ratio (2D)", UnitKind::PerMillimetre},
    // glcm
    {"glcm", "Autocorrelation", "QWB0", "IBSI", "Autocorrelation of GLCM", UnitKind::One},
    {"glcm", "JointEnergy", "8ZQL", "IBSI", "Angular Second Moment of GLCM", UnitKind::One},
    {"glcm", "SumSquares", "UR99", "IBSI", "Joint Variance of GLCM", UnitKind::One},
    {"glcm", "MaximumProbability", "GYBY", "IBSI", "Joint Maximum of GLCM", UnitKind::One},
    {"glcm", "Imc1", "R8DG", "IBSI", "First Measure of Information Correlation of GLCM", UnitKind::One},
    {"glcm", "Imc2", "JN9H", "IBSI", "Second Measure of Information Correlation of GLCM", UnitKind::One},
    {"glcm", "Idmn", "1QCO", "IBSI", "Normalized Inverse Difference Moment of GLCM", UnitKind::One},
    {"glcm", "MCC", "R141", "99QIDCM", "Maximal correlation coefficient of GLCM", UnitKind::One},
    // glrlm
    {"glrlm", "ShortRunEmphasis", "22OV", "IBSI", "Short Runs Emphasis", UnitKind::One},
    {"glrlm", "GrayLevelNonUniformity", "R5YN", "IBSI", "Gray Level Nonuniformity in Runs", UnitKind::One},
    {"glrlm", "RunEntropy", "HJ9O", "IBSI", "Run Entropy", UnitKind::One},
    {"glrlm", "LongRunHighGrayLevelEmphasis", "3KUM", "IBSI", "Long Run High Gray Level Emphasis", UnitKind::One},
    // glszm, including every row pyradiomics-dcm's featuresDict_IBSIv7.tsv gets wrong
    {"glszm", "SmallAreaEmphasis", "5QRC", "IBSI", "Small Zone Emphasis", UnitKind::One},
    {"glszm", "GrayLevelNonUniformity", "JNSA", "IBSI", "Gray Level Nonuniformity of Size Zone Counts", UnitKind::One},
    {"glszm", "LowGrayLevelZoneEmphasis", "XMSY", "IBSI", "Low Gray Level Zone Emphasis", UnitKind::One},
    {"glszm", "HighGrayLevelZoneEmphasis", "5GN9", "IBSI", "High Gray Level Zone Emphasis", UnitKind::One},
    {"glszm", "SmallAreaLowGrayLevelEmphasis", "5RAI", "IBSI", "Small Zone Low Gray Level Emphasis", UnitKind::One},
    {"glszm", "SmallAreaHighGrayLevelEmphasis", "HW1V", "IBSI", "Small Zone High Gray Level Emphasis", UnitKind::One},
    {"glszm", "LargeAreaLowGrayLevelEmphasis", "YH51", "IBSI", "Large Zone Low Gray Level Emphasis", UnitKind::One},
    {"glszm", "LargeAreaHighGrayLevelEmphasis", "J17V", "IBSI", "Large Zone High Gray Level Emphasis", UnitKind::One},
    {"glszm", "ZoneVariance", "3NSA", "IBSI", "Zone Size Variance", UnitKind::One},
    {"glszm", "ZoneEntropy", "GU8N", "IBSI", "Zone Size Entropy", UnitKind::One},
    // gldm (IBSI NGLDM)
    {"gldm", "SmallDependenceEmphasis", "SODN", "IBSI", "Low dependence emphasis", UnitKind::One},
    {"gldm", "GrayLevelNonUniformity", "FP8K", "IBSI", "Grey level non-uniformity of NGLDM", UnitKind::One},
    {"gldm", "DependenceEntropy", "FCBV", "IBSI", "Dependence count entropy", UnitKind::One},
    {"gldm", "LargeDependenceHighGrayLevelEmphasis", "9QMG", "IBSI", "High dependence high grey level emphasis",
     UnitKind::One},
    // ngtdm
    {"ngtdm", "Coarseness", "QCDE", "IBSI", "Coarseness of NGTDM", UnitKind::One},
    {"ngtdm", "Contrast", "65HE", "IBSI", "Contrast of NGTDM", UnitKind::One},
    {"ngtdm", "Strength", "1X9X", "IBSI", "Strength of NGTDM", UnitKind::One},
};

const char* const kClasses[] = {"firstorder", "shape", "shape2D", "glcm", "glrlm", "glszm", "gldm", "ngtdm"};

// Every code of the page: features (and their shifted codes), modifiers, parameters.
std::vector<NamedCode> allCodes() {
  std::vector<NamedCode> codes;
  for (const FeatureCode& f : featureCodes()) {
    codes.push_back({f.value, f.scheme, f.meaning});
    if (f.shiftedValue) codes.push_back({f.shiftedValue, "99QIDCM", f.shiftedMeaning});
  }
  codes.push_back(imageFilterConcept());
  for (const char* family : {"original", "wavelet", "log", "square", "squareroot", "logarithm", "exponential",
                             "gradient", "lbp-2D", "lbp-3D"})
    codes.push_back(imageFilterCode(family));
  codes.push_back(waveletBandConcept());
  for (const char* band : {"LLL", "LLH", "LHL", "LHH", "HLL", "HLH", "HHL", "HHH", "LL", "LH", "HL", "HH"})
    codes.push_back(waveletBandCode(band));
  codes.push_back(lbp3DOutputConcept());
  codes.push_back(lbp3DOutputCode("k"));
  for (int n = 1; n <= 49; ++n) codes.push_back(lbp3DOutputCode("m" + std::to_string(n)));
  for (const char* p : {"sigma", "waveletLevel", "resampledSpacingX", "resampledSpacingY", "resampledSpacingZ",
                        "voxelArrayShift", "gldm_a", "distances", "binWidth", "binCount", "resegmentLower",
                        "resegmentUpper", "normalizeScale"})
    codes.push_back(parameterCode(p));
  return codes;
}

}  // namespace

TEST_CASE("known pyradiomics features map to their IBSI or 99QIDCM code, meaning and unit") {
  REQUIRE(std::size(kKnown) >= 30);
  for (const Known& k : kKnown) {
    INFO(k.featureClass << " " << k.feature);
    const FeatureCode* f = findFeature(k.featureClass, k.feature);
    REQUIRE(f != nullptr);
    CHECK(std::string(f->featureClass) == k.featureClass);
    CHECK(std::string(f->feature) == k.feature);
    CHECK(std::string(f->value) == k.value);
    CHECK(std::string(f->scheme) == k.scheme);
    CHECK(std::string(f->meaning) == k.meaning);
    CHECK(f->unit == k.unit);
  }
}

TEST_CASE("a voxelArrayShift gives Energy and RootMeanSquared a 99QIDCM code, and Kurtosis is never IBSI's") {
  const FeatureCode* energy = findFeature("firstorder", "Energy");
  REQUIRE(energy != nullptr);
  CHECK(std::string(energy->value) == "N8CA");
  REQUIRE(energy->shiftedValue != nullptr);
  CHECK(std::string(energy->shiftedValue) == "R104");
  CHECK(std::string(energy->shiftedMeaning) == "Intensity-based energy with intensity shift");

  const FeatureCode* rms = findFeature("firstorder", "RootMeanSquared");
  REQUIRE(rms != nullptr);
  CHECK(std::string(rms->value) == "5ZWQ");
  CHECK(rms->unit == UnitKind::Intensity);
  REQUIRE(rms->shiftedValue != nullptr);
  CHECK(std::string(rms->shiftedValue) == "R105");
  CHECK(std::string(rms->shiftedMeaning) == "Root mean square intensity with intensity shift");

  // Only those two have a shifted code; TotalEnergy has its own code either way.
  for (const FeatureCode& f : featureCodes()) {
    INFO(f.featureClass << " " << f.feature);
    const std::string name = f.feature;
    const bool shiftable = std::string(f.featureClass) == "firstorder" && (name == "Energy" || name == "RootMeanSquared");
    CHECK((f.shiftedValue != nullptr) == shiftable);
    CHECK((f.shiftedMeaning != nullptr) == shiftable);
  }
  CHECK(std::string(findFeature("firstorder", "TotalEnergy")->scheme) == "99QIDCM");

  // pyradiomics' Kurtosis is IBSI's excess kurtosis (IPH6) + 3.
  const FeatureCode* kurtosis = findFeature("firstorder", "Kurtosis");
  REQUIRE(kurtosis != nullptr);
  CHECK(std::string(kurtosis->scheme) == "99QIDCM");
  // Codes pyradiomics-dcm's table uses wrongly (GLDZM codes on GLSZM features, excess kurtosis).
  for (const FeatureCode& f : featureCodes()) {
    INFO(f.featureClass << " " << f.feature);
    CHECK(std::string(f.value) != "S1RA");
    CHECK(std::string(f.value) != "K26C");
    CHECK(std::string(f.value) != "IPH6");
  }
}

TEST_CASE("the table holds every current pyradiomics feature of the eight classes") {
  std::map<std::string, int> perClass;
  for (const FeatureCode& f : featureCodes()) {
    INFO(f.featureClass << " " << f.feature);
    CHECK(std::find_if(std::begin(kClasses), std::end(kClasses),
                       [&](const char* c) { return std::string(c) == f.featureClass; }) != std::end(kClasses));
    ++perClass[f.featureClass];
    CHECK(findFeature(f.featureClass, f.feature) == &f);
    CHECK(currentName(f.featureClass, f.feature).empty());
  }
  CHECK(perClass["firstorder"] == 19);
  CHECK(perClass["shape"] == 17);
  CHECK(perClass["shape2D"] == 10);
  CHECK(perClass["glcm"] == 24);
  CHECK(perClass["glrlm"] == 16);
  CHECK(perClass["glszm"] == 16);
  CHECK(perClass["gldm"] == 16);
  CHECK(perClass["ngtdm"] == 5);
  CHECK(featureCodes().size() == 123);
  CHECK(findFeature("glcm", "NoSuchFeature") == nullptr);
  CHECK(findFeature("glszm", "Contrast") == nullptr);  // a name of another class
  CHECK(findFeature("firstorder", "mean") == nullptr);  // names are case-sensitive
}

TEST_CASE("code values are unique per scheme and fit SH, meanings are unique and fit LO") {
  std::set<std::string> values;
  std::set<std::string> meanings;
  for (const NamedCode& c : allCodes()) {
    REQUIRE(c.value != nullptr);
    REQUIRE(c.scheme != nullptr);
    REQUIRE(c.meaning != nullptr);
    const std::string value = c.value, scheme = c.scheme, meaning = c.meaning;
    INFO(value << " " << scheme << " \"" << meaning << "\"");
    CHECK((scheme == "IBSI" || scheme == "99QIDCM"));
    CHECK(!value.empty());
    CHECK(value.size() <= 16);
    CHECK(!meaning.empty());
    CHECK(meaning.size() <= 64);
    CHECK(values.insert(scheme + ":" + value).second);
    CHECK(meanings.insert(lower(meaning)).second);  // unique even ignoring case
    if (scheme == "IBSI") {
      CHECK(value.size() == 4);
      CHECK(std::all_of(value.begin(), value.end(),
                        [](unsigned char ch) { return std::isdigit(ch) || std::isupper(ch); }));
    } else {
      // R1nn features, R8nn modifiers, R9nn parameters.
      REQUIRE(value.size() == 4);
      CHECK(value[0] == 'R');
      CHECK(std::all_of(value.begin() + 1, value.end(), [](unsigned char ch) { return std::isdigit(ch); }));
      CHECK((value[1] == '1' || value[1] == '8' || value[1] == '9'));
    }
  }
  // Features are R1nn, every other 99QIDCM code R8nn or R9nn.
  for (const FeatureCode& f : featureCodes()) {
    INFO(f.featureClass << " " << f.feature);
    if (std::string(f.scheme) == "99QIDCM") CHECK(std::string(f.value).rfind("R1", 0) == 0);
    if (f.shiftedValue) CHECK(std::string(f.shiftedValue).rfind("R1", 0) == 0);
  }
}

TEST_CASE("no volume, area, length or intensity feature is unitless") {
  auto has = [](const std::string& name, const char* part) { return name.find(part) != std::string::npos; };
  for (const FeatureCode& f : featureCodes()) {
    const std::string cls = f.featureClass, name = f.feature;
    INFO(cls << " " << name);
    if (cls == "shape" || cls == "shape2D") {
      if (has(name, "Volume") && !has(name, "Ratio"))
        CHECK(f.unit == UnitKind::CubicMillimetre);
      else if ((has(name, "Surface") || has(name, "Area")) && !has(name, "Ratio"))
        CHECK(f.unit == UnitKind::SquareMillimetre);
      else if (has(name, "Ratio"))
        CHECK(f.unit == UnitKind::PerMillimetre);
      else if (has(name, "Diameter") || has(name, "AxisLength") || name == "Perimeter")
        CHECK(f.unit == UnitKind::Millimetre);
      else
        CHECK(f.unit == UnitKind::One);
    } else if (cls == "firstorder") {
      if (name == "Skewness" || name == "Kurtosis" || name == "Entropy" || name == "Uniformity")
        CHECK(f.unit == UnitKind::One);
      else if (name == "Variance" || name == "Energy")
        CHECK(f.unit == UnitKind::IntensitySquared);
      else if (name == "TotalEnergy")
        CHECK(f.unit == UnitKind::IntensitySquaredVolume);
      else
        CHECK(f.unit == UnitKind::Intensity);
    } else {
      CHECK(f.unit == UnitKind::One);  // texture features are on bin indices
    }
  }
}

TEST_CASE("every feature of pyradiomics' baseline CSVs is in the table") {
  for (const char* cls : kClasses) {
    const std::string path = std::string(QIDCM_SHARED_DATA) + "/pyradiomics/data/baseline/baseline_" + cls + ".csv";
    INFO(path);
    std::ifstream in(path);
    REQUIRE(in.good());
    std::string line;
    REQUIRE(std::getline(in, line));
    REQUIRE(line.rfind("featureName,", 0) == 0);
    int features = 0;
    while (std::getline(in, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      const std::string name = line.substr(0, line.find(','));
      if (name.empty() || name.rfind("diagnostics_", 0) == 0) continue;
      INFO(name);
      // <imageType>_<class>_<feature>; no part contains "_".
      const std::size_t a = name.find('_');
      const std::size_t b = name.find('_', a + 1);
      REQUIRE(a != std::string::npos);
      REQUIRE(b != std::string::npos);
      REQUIRE(name.find('_', b + 1) == std::string::npos);
      CHECK(name.substr(0, a) == "original");
      CHECK(imageFilterCode(name.substr(0, a)).value != nullptr);
      CHECK(name.substr(a + 1, b - a - 1) == cls);
      const FeatureCode* f = findFeature(name.substr(a + 1, b - a - 1), name.substr(b + 1));
      CHECK(f != nullptr);
      if (f) CHECK(currentName(cls, name.substr(b + 1)).empty());  // no legacy name in the baseline
      ++features;
    }
    CHECK(features >= 5);
  }
}

TEST_CASE("legacy names map only onto a feature with the same definition") {
  struct Pair {
    const char* featureClass;
    const char* oldName;
    const char* current;
  };
  const Pair mapped[] = {
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
  for (const Pair& p : mapped) {
    INFO(p.featureClass << " " << p.oldName);
    CHECK(currentName(p.featureClass, p.oldName) == p.current);
    const FeatureCode* f = findFeature(p.featureClass, p.oldName);
    REQUIRE(f != nullptr);
    CHECK(f == findFeature(p.featureClass, p.current));
    CHECK(std::string(f->feature) == p.current);
  }
  CHECK(std::string(findFeature("glcm", "Dissimilarity")->value) == "TF7R");  // not 8S9J

  // Names whose definition changed between versions stay unknown.
  for (auto [cls, name] : {std::pair{"glcm", "SumVariance"}, std::pair{"shape", "Volume"}, std::pair{"shape", "Roundness"}}) {
    INFO(cls << " " << name);
    CHECK(findFeature(cls, name) == nullptr);
    CHECK(currentName(cls, name).empty());
  }
  // A legacy name belongs to its class only.
  CHECK(findFeature("glrlm", "Dissimilarity") == nullptr);
  CHECK(std::string(findFeature("firstorder", "Energy")->value) == "N8CA");
}

TEST_CASE("image filter, wavelet sub-band, LBP output and derivation parameter codes") {
  auto is = [](const NamedCode& c, const char* value, const char* scheme, const char* meaning) {
    return c.value && c.scheme && c.meaning && std::string(c.value) == value && std::string(c.scheme) == scheme &&
           std::string(c.meaning) == meaning;
  };
  CHECK(is(imageFilterConcept(), "R800", "99QIDCM", "Image filter"));
  CHECK(is(imageFilterCode("original"), "R810", "99QIDCM", "No filter (original image)"));
  CHECK(is(imageFilterCode("wavelet"), "R811", "99QIDCM", "Stationary wavelet transform"));
  CHECK(is(imageFilterCode("log"), "R812", "99QIDCM", "Laplacian of Gaussian"));
  CHECK(is(imageFilterCode("square"), "R813", "99QIDCM", "Square"));
  CHECK(is(imageFilterCode("squareroot"), "R814", "99QIDCM", "Square root"));  // not "square"
  CHECK(is(imageFilterCode("logarithm"), "R815", "99QIDCM", "Logarithm"));
  CHECK(is(imageFilterCode("exponential"), "R816", "99QIDCM", "Exponential"));
  CHECK(is(imageFilterCode("gradient"), "R817", "99QIDCM", "Gradient magnitude"));
  CHECK(is(imageFilterCode("lbp-2D"), "R818", "99QIDCM", "Local binary pattern 2D"));
  CHECK(is(imageFilterCode("lbp-3D"), "R819", "99QIDCM", "Local binary pattern 3D"));
  CHECK(is(imageFilterCode("LoG"), "R812", "99QIDCM", "Laplacian of Gaussian"));  // EnabledImageTypes key
  CHECK(is(imageFilterCode("LBP3D"), "R819", "99QIDCM", "Local binary pattern 3D"));
  CHECK(imageFilterCode("wavelet-LLH").value == nullptr);  // a family, not an image type
  CHECK(imageFilterCode("").value == nullptr);

  CHECK(is(waveletBandConcept(), "R801", "99QIDCM", "Wavelet sub-band"));
  CHECK(is(waveletBandCode("LLL"), "R830", "99QIDCM", "Wavelet sub-band LLL"));
  CHECK(is(waveletBandCode("LLH"), "R831", "99QIDCM", "Wavelet sub-band LLH"));
  CHECK(is(waveletBandCode("HHH"), "R837", "99QIDCM", "Wavelet sub-band HHH"));
  CHECK(is(waveletBandCode("LL"), "R838", "99QIDCM", "Wavelet sub-band LL"));
  CHECK(is(waveletBandCode("HH"), "R841", "99QIDCM", "Wavelet sub-band HH"));
  CHECK(waveletBandCode("llh").value == nullptr);
  CHECK(waveletBandCode("LLLL").value == nullptr);
  CHECK(waveletBandCode("").value == nullptr);

  CHECK(is(lbp3DOutputConcept(), "R802", "99QIDCM", "LBP 3D output"));
  CHECK(is(lbp3DOutputCode("k"), "R849", "99QIDCM", "LBP 3D kurtosis"));
  CHECK(is(lbp3DOutputCode("m1"), "R851", "99QIDCM", "LBP 3D level 1"));
  CHECK(is(lbp3DOutputCode("m2"), "R852", "99QIDCM", "LBP 3D level 2"));
  CHECK(is(lbp3DOutputCode("m49"), "R899", "99QIDCM", "LBP 3D level 49"));
  for (const char* bad : {"", "m", "m0", "m01", "m50", "m-1", "mx", "K", "m1 "}) {
    INFO("\"" << bad << "\"");
    CHECK(lbp3DOutputCode(bad).value == nullptr);
  }

  CHECK(is(parameterCode("sigma"), "R901", "99QIDCM", "Laplacian of Gaussian sigma"));
  CHECK(is(parameterCode("waveletLevel"), "R902", "99QIDCM", "Wavelet decomposition level"));
  CHECK(is(parameterCode("resampledSpacingX"), "R903", "99QIDCM", "Resampled voxel spacing x"));
  CHECK(is(parameterCode("resampledSpacingY"), "R904", "99QIDCM", "Resampled voxel spacing y"));
  CHECK(is(parameterCode("resampledSpacingZ"), "R905", "99QIDCM", "Resampled voxel spacing z"));
  CHECK(is(parameterCode("voxelArrayShift"), "R906", "99QIDCM", "Voxel array shift"));
  CHECK(is(parameterCode("gldm_a"), "R907", "99QIDCM", "GLDM dependence cutoff alpha"));
  CHECK(is(parameterCode("distances"), "R908", "99QIDCM", "Texture neighbour distance"));
  CHECK(is(parameterCode("binWidth"), "Q3RU", "IBSI", "Fixed bin size"));
  CHECK(is(parameterCode("binCount"), "K15C", "IBSI", "Fixed bin number"));
  CHECK(is(parameterCode("resegmentLower"), "R909", "99QIDCM", "Range resegmentation lower bound"));
  CHECK(is(parameterCode("resegmentUpper"), "R910", "99QIDCM", "Range resegmentation upper bound"));
  CHECK(is(parameterCode("normalizeScale"), "R911", "99QIDCM", "Intensity normalisation scale"));
  CHECK(parameterCode("label").value == nullptr);
  CHECK(parameterCode("").value == nullptr);
}

TEST_CASE("doc/radiomics-codes.md lists every 99QIDCM code with its meaning") {
  const std::string doc = readFile(std::string(QIDCM_SOURCE_DIR) + "/doc/radiomics-codes.md");
  REQUIRE(doc.size() > 1000);
  for (const NamedCode& c : allCodes()) {
    const std::string value = c.value, meaning = c.meaning;
    INFO(value << " \"" << meaning << "\"");
    // LBP 3D levels: the page lists levels 1 and 2, then the rule R850 + N.
    if (std::string(c.scheme) == "99QIDCM" && value > "R852" && value <= "R899") continue;
    // The row of the code: `value` then, on the same line, its meaning.
    const std::string cell = "`" + value + "`";
    std::size_t at = doc.find(cell);
    bool found = false;
    while (at != std::string::npos && !found) {
      const std::size_t eol = doc.find('\n', at);
      found = doc.substr(at, eol - at).find(meaning) != std::string::npos;
      at = doc.find(cell, at + 1);
    }
    CHECK(found);
    // A feature's private code also has its row in the table of definitions.
    if (std::string(c.scheme) == "99QIDCM" && value.rfind("R1", 0) == 0)
      CHECK(doc.find("\n| " + cell + " | " + meaning + " | ") != std::string::npos);
  }
}
