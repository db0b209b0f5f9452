#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>

#include "qidcm/error.h"
#include "radiomics/feature_name.h"
#include "radiomics/features_input.h"

using namespace qidcm::radiomics;
using Catch::Matchers::Contains;

namespace {

std::string writeFile(const std::string& name, const std::string& text) {
  const std::string path = std::string(QIDCM_TEST_WORK) + "/" + name;
  std::system(("mkdir -p '" + std::string(QIDCM_TEST_WORK) + "'").c_str());
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

}  // namespace

TEST_CASE("radiomics: Python literals in pyradiomics' diagnostics become JSON") {
  const auto v = parsePythonLiteral(
      "{'distances': [1], 'voxelArrayShift': 2000, 'interpolator': None, 'force2D': False, 'normalize': True, "
      "'binWidth': 25.5, 'resampledPixelSpacing': (1, 1, 2.5), 'label': \"x,y\", 'weird': nan, 'neg': -inf,}");
  REQUIRE(v.is_object());
  CHECK(v["distances"] == nlohmann::json::array({1}));
  CHECK(v["voxelArrayShift"] == 2000);
  CHECK(v["interpolator"].is_null());
  CHECK(v["force2D"] == false);
  CHECK(v["normalize"] == true);
  CHECK(v["binWidth"] == 25.5);
  CHECK(v["resampledPixelSpacing"] == nlohmann::json::array({1, 1, 2.5}));
  CHECK(v["label"] == "x,y");
  CHECK(v["weird"] == "nan");
  CHECK(v["neg"] == "-inf");
  CHECK(parsePythonLiteral("1.3.0.post61.dev0+gec8ca3f") == "1.3.0.post61.dev0+gec8ca3f");  // not a literal: text
  CHECK(parsePythonLiteral("(162, 84, 11)") == nlohmann::json::array({162, 84, 11}));
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  CHECK(parsePythonLiteral(deep) == deep);  // too deep to be settings: kept as text, no crash
}

TEST_CASE("radiomics: feature columns and their image types") {
  CHECK(isFeatureColumn("original_firstorder_Mean"));
  CHECK(isFeatureColumn("wavelet-LLH_glcm_Contrast"));
  CHECK_FALSE(isFeatureColumn("diagnostics_Versions_PyRadiomics"));
  CHECK_FALSE(isFeatureColumn("original_unknown_Mean"));
  CHECK_FALSE(isFeatureColumn("Image"));

  auto n = parseFeatureName("log-sigma-3-0-mm-3D_glszm_ZoneEntropy");
  REQUIRE(n);
  CHECK(n->family == "log");
  CHECK(n->settingsKey == "LoG");
  CHECK(n->sigma.value() == 3.0);
  CHECK(n->featureClass == "glszm");
  CHECK(n->feature == "ZoneEntropy");
  CHECK(parseFeatureName("log-sigma-0-5-mm-3D_firstorder_Mean")->sigma.value() == 0.5);
  CHECK(parseFeatureName("log-sigma-3-mm-3D_firstorder_Mean")->sigma.value() == 3.0);

  n = parseFeatureName("wavelet2-HLH_firstorder_Mean");
  REQUIRE(n);
  CHECK(n->family == "wavelet");
  CHECK(n->band == "HLH");
  CHECK(n->waveletLevel == 2);
  CHECK(parseFeatureName("wavelet-LH_glcm_Idm")->band == "LH");
  CHECK(parseFeatureName("wavelet-LLH_glcm_Idm")->waveletLevel == 1);

  n = parseFeatureName("lbp-3D-m2_firstorder_Mean");
  REQUIRE(n);
  CHECK(n->family == "lbp-3D");
  CHECK(n->lbpOutput == "m2");
  CHECK(parseFeatureName("lbp-3D-k_firstorder_Mean")->lbpOutput == "k");
  CHECK(parseFeatureName("lbp-2D_firstorder_Mean")->family == "lbp-2D");
  // square and squareroot are two filters (pyradiomics-dcm mixed them up).
  CHECK(parseFeatureName("square_firstorder_Mean")->family == "square");
  CHECK(parseFeatureName("squareroot_firstorder_Mean")->family == "squareroot");
  CHECK_FALSE(parseFeatureName("wavelet-XYZ_firstorder_Mean"));
  CHECK_FALSE(parseFeatureName("sharpened_firstorder_Mean"));
}

TEST_CASE("radiomics: pyradiomics' batch CSV, quoted cells and all") {
  const std::string path = writeFile(
      "batch.csv",
      "Image,Mask,Label,diagnostics_Versions_PyRadiomics,diagnostics_Configuration_Settings,"
      "original_shape_MeshVolume,original_firstorder_Mean,original_firstorder_Kurtosis\n"
      "a.nrrd,a_label.nrrd,1,v3.0.1,\"{'binWidth': 25, 'interpolator': None, 'note': \"\"q\"\"}\",16149.4954427,"
      "825.2354363065023,nan\r\n"
      "b.nrrd,b_label.nrrd,2,v3.0.1,{},1,2,3\n");
  const auto cases = readFeatures(path);
  REQUIRE(cases.size() == 2);
  CHECK(cases[0].where == "row 2");
  CHECK(cases[0].label == 1);
  CHECK(cases[1].label == 2);
  CHECK(cases[0].image == "a.nrrd");
  CHECK(cases[0].diagnostics.at("diagnostics_Versions_PyRadiomics") == "v3.0.1");
  CHECK(cases[0].diagnostics.at("diagnostics_Configuration_Settings")["binWidth"] == 25);
  CHECK(cases[0].diagnostics.at("diagnostics_Configuration_Settings")["note"] == "q");
  REQUIRE(cases[0].features.size() == 3);
  CHECK(cases[0].features[0] == std::make_pair(std::string("original_shape_MeshVolume"), std::string("16149.4954427")));
  CHECK(cases[0].features[2].second == "nan");

  CHECK_THROWS_WITH(readFeatures(writeFile("nofeatures.csv", "Image,Mask\na,b\n")),
                    Contains("row 2") && Contains("no feature column"));
  CHECK_THROWS_WITH(readFeatures(writeFile("badlabel.csv", "Label,original_firstorder_Mean\nx,1\n")),
                    Contains("row 2 Label") && Contains("not a positive integer"));
  for (const char* label : {"1e30", "nan", "0", "1.5", "70000"})
    CHECK_THROWS_WITH(readFeatures(writeFile("label.csv", std::string("Label,original_firstorder_Mean\n") + label + ",1\n")),
                      Contains("Label") && Contains("not a positive integer"));
  CHECK_THROWS_WITH(readFeatures(writeFile("long.csv", "original_firstorder_Mean\n1,2\n")), Contains("2 cells"));
}

TEST_CASE("radiomics: pyradiomics' JSON: one case, a list, JSON Lines, bare NaN") {
  auto cases = readFeatures(writeFile(
      "one.json", "{\"original_firstorder_Mean\": 0.0028931492429888645, \"original_firstorder_Skewness\": NaN, "
                  "\"diagnostics_Configuration_Settings\": {\"binWidth\": 25}, \"note\": \"NaN in text\"}"));
  REQUIRE(cases.size() == 1);
  REQUIRE(cases[0].features.size() == 2);
  CHECK(cases[0].features[0].second == "0.0028931492429888645");
  CHECK(cases[0].features[1].second == "NaN");
  CHECK(cases[0].diagnostics.at("diagnostics_Configuration_Settings")["binWidth"] == 25);
  cases = readFeatures(writeFile("list.json", "[{\"original_firstorder_Mean\": 1, \"Label\": 2}, "
                                              "{\"original_firstorder_Mean\": 2, \"Label\": 3}]"));
  REQUIRE(cases.size() == 2);
  CHECK(cases[1].label == 3);
  CHECK(cases[1].where == "case 2");
  cases = readFeatures(writeFile("lines.json", "{\"original_firstorder_Mean\": 1}\n\n{\"original_firstorder_Mean\": "
                                               "Infinity}\n"));
  REQUIRE(cases.size() == 2);
  CHECK(cases[1].features[0].second == "Infinity");
}
