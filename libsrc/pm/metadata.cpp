#include <cstdlib>
#include <nlohmann/json.hpp>
#include <sstream>

#include "iod/series.h"
#include "json/json_codes.h"
#include "qidcm/error.h"
#include "qidcm/geometry.h"
#include "qidcm/pm/metadata.h"
#include "qidcm/schema.h"

namespace qidcm::pm {
namespace {

double decimal(const nlohmann::json& node, const std::string& file, const char* key) {
  const std::string text = scalarText(node);
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || (end && *end != '\0')) throwInput(file, key, "'" + text + "' is not a number");
  return v;
}

std::string number(double v) { return formatDS(v); }

}  // namespace

Metadata parseMetadata(const nlohmann::json& input, const std::string& file) {
  const nlohmann::json document = prepareMetadata(SchemaId::ParametricMap, input, file);
  Metadata m;
  m.sourceFile = file;
  auto text = [&](const char* key, std::string& target) {
    if (document.contains(key)) target = scalarText(document.at(key));
  };
  iod::readJson(document, iod::parametricMapProfile(), m);
  text("DerivationDescription", m.derivationDescription);
  text("FrameLaterality", m.frameLaterality);
  text("DerivedPixelContrast", m.derivedPixelContrast);
  m.quantity = codeFromJson(document.at("QuantityValueCode"));
  m.units = codeFromJson(document.at("MeasurementUnitsCode"));
  if (document.contains("MeasurementMethodCode")) m.measurementMethod = codeFromJson(document.at("MeasurementMethodCode"));
  if (document.contains("ModelFittingMethodCode"))
    m.modelFittingMethod = codeFromJson(document.at("ModelFittingMethodCode"));
  if (document.contains("DerivationCode")) m.derivation = codeFromJson(document.at("DerivationCode"));
  if (document.contains("AnatomicRegionSequence")) m.anatomicRegion = codeFromJson(document.at("AnatomicRegionSequence"));
  if (document.contains("SourceImageDiffusionBValues"))
    for (const auto& b : document.at("SourceImageDiffusionBValues")) m.diffusionBValues.push_back(scalarText(b));
  if (document.contains("RealWorldValueSlope"))
    m.slope = decimal(document.at("RealWorldValueSlope"), file, "RealWorldValueSlope");
  if (document.contains("RealWorldValueIntercept"))
    m.intercept = decimal(document.at("RealWorldValueIntercept"), file, "RealWorldValueIntercept");
  for (std::size_t n = 0; n < m.diffusionBValues.size(); ++n)
    decimal(nlohmann::json(m.diffusionBValues[n]), file,
            ("SourceImageDiffusionBValues[" + std::to_string(n) + "]").c_str());
  return m;
}

Metadata readMetadataFile(const std::string& path) { return parseMetadata(readJsonFile(path), path); }

nlohmann::json toJson(const Metadata& m) {
  nlohmann::json j;
  iod::writeJson(m, iod::parametricMapProfile(), j);
  j["QuantityValueCode"] = codeToJson(m.quantity);
  j["MeasurementUnitsCode"] = codeToJson(m.units);
  if (m.measurementMethod) j["MeasurementMethodCode"] = codeToJson(*m.measurementMethod);
  if (m.modelFittingMethod) j["ModelFittingMethodCode"] = codeToJson(*m.modelFittingMethod);
  if (m.derivation) j["DerivationCode"] = codeToJson(*m.derivation);
  j["DerivationDescription"] = m.derivationDescription;
  if (!m.diffusionBValues.empty()) j["SourceImageDiffusionBValues"] = m.diffusionBValues;
  j["RealWorldValueSlope"] = number(m.slope);
  j["RealWorldValueIntercept"] = number(m.intercept);
  j["AnatomicRegionSequence"] = codeToJson(m.anatomicRegion);
  j["FrameLaterality"] = m.frameLaterality;
  j["DerivedPixelContrast"] = m.derivedPixelContrast;
  return j;
}

}  // namespace qidcm::pm
