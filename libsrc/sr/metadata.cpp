#include <nlohmann/json.hpp>

#include "iod/series.h"
#include "json/json_codes.h"
#include "qidcm/error.h"
#include "qidcm/schema.h"
#include "qidcm/sr/metadata.h"

namespace qidcm::sr {
namespace {

std::optional<Code> optionalCode(const nlohmann::json& j, const char* key) {
  if (!j.contains(key)) return std::nullopt;
  return codeFromJson(j.at(key));
}

AlgorithmIdentification algorithmFromJson(const nlohmann::json& j) {
  AlgorithmIdentification a;
  a.name = j.value("AlgorithmName", "");
  a.version = j.value("AlgorithmVersion", "");
  if (j.contains("AlgorithmParameters")) a.parameters = j.at("AlgorithmParameters").get<std::vector<std::string>>();
  return a;
}

nlohmann::json algorithmToJson(const AlgorithmIdentification& a) {
  nlohmann::json j = {{"AlgorithmName", a.name}, {"AlgorithmVersion", a.version}};
  if (!a.parameters.empty()) j["AlgorithmParameters"] = a.parameters;
  return j;
}

std::vector<NumericProperty> propertiesFromJson(const nlohmann::json& list, const char* concept, const char* value,
                                                const char* units) {
  std::vector<NumericProperty> out;
  for (const auto& p : list) out.push_back({codeFromJson(p.at(concept)), scalarText(p.at(value)), codeFromJson(p.at(units))});
  return out;
}

nlohmann::json propertiesToJson(const std::vector<NumericProperty>& list, const char* concept, const char* value,
                                const char* units) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& p : list) out.push_back({{concept, codeToJson(p.concept)}, {value, p.value}, {units, codeToJson(p.units)}});
  return out;
}

Measurement measurementFromJson(const nlohmann::json& j) {
  Measurement m;
  m.value = j.at("value").is_string() ? j.at("value").get<std::string>() : j.at("value").dump();
  m.quantity = codeFromJson(j.at("quantity"));
  m.units = codeFromJson(j.at("units"));
  m.derivationModifier = optionalCode(j, "derivationModifier");
  if (j.contains("measurementModifiers"))
    for (const auto& mod : j.at("measurementModifiers"))
      m.modifiers.push_back({codeFromJson(mod.at("modifier")), codeFromJson(mod.at("modifierValue"))});
  if (j.contains("measurementDerivationParameters"))
    m.derivationParameters = propertiesFromJson(j.at("measurementDerivationParameters"), "derivationParameter",
                                                "derivationParameterValue", "derivationParameterUnits");
  if (j.contains("measurementNumProperties"))
    m.properties = propertiesFromJson(j.at("measurementNumProperties"), "numProperty", "numPropertyValue",
                                      "numPropertyUnits");
  m.populationDescription = j.value("measurementPopulationDescription", "");
  if (j.contains("measurementAlgorithmIdentification"))
    m.algorithm = algorithmFromJson(j.at("measurementAlgorithmIdentification"));
  return m;
}

nlohmann::json measurementToJson(const Measurement& m) {
  nlohmann::json j = {{"value", m.value}, {"quantity", codeToJson(m.quantity)}, {"units", codeToJson(m.units)}};
  if (m.derivationModifier) j["derivationModifier"] = codeToJson(*m.derivationModifier);
  if (!m.modifiers.empty()) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& mod : m.modifiers)
      list.push_back({{"modifier", codeToJson(mod.concept)}, {"modifierValue", codeToJson(mod.value)}});
    j["measurementModifiers"] = list;
  }
  if (!m.derivationParameters.empty())
    j["measurementDerivationParameters"] = propertiesToJson(m.derivationParameters, "derivationParameter",
                                                            "derivationParameterValue", "derivationParameterUnits");
  if (!m.properties.empty())
    j["measurementNumProperties"] = propertiesToJson(m.properties, "numProperty", "numPropertyValue", "numPropertyUnits");
  if (!m.populationDescription.empty()) j["measurementPopulationDescription"] = m.populationDescription;
  if (m.algorithm) j["measurementAlgorithmIdentification"] = algorithmToJson(*m.algorithm);
  return j;
}

}  // namespace

Metadata parseMetadata(const nlohmann::json& input, const std::string& file) {
  const nlohmann::json d = prepareMetadata(SchemaId::MeasurementReport, input, file);
  Metadata m;
  m.sourceFile = file;
  auto text = [&](const char* key, std::string& target) {
    if (d.contains(key)) target = scalarText(d.at(key));
  };
  iod::readJson(d, iod::measurementReportProfile(), m);
  text("activitySession", m.activitySession);
  text("timePoint", m.timePoint);
  if (d.contains("compositeContext")) m.compositeContext = d.at("compositeContext").get<std::vector<std::string>>();
  if (d.contains("imageLibrary")) m.imageLibrary = d.at("imageLibrary").get<std::vector<std::string>>();
  const auto& o = d.at("observerContext");
  m.observer.type = o.at("ObserverType") == "DEVICE" ? Observer::Type::Device : Observer::Type::Person;
  m.observer.personName = o.value("PersonObserverName", "");
  m.observer.deviceUID = o.value("DeviceObserverUID", "");
  m.observer.deviceName = o.value("DeviceObserverName", "");
  m.observer.deviceManufacturer = o.value("DeviceObserverManufacturer", "");
  m.observer.deviceModelName = o.value("DeviceObserverModelName", "");
  m.observer.deviceSerialNumber = o.value("DeviceObserverSerialNumber", "");
  m.verified = d.value("VerificationFlag", "UNVERIFIED") == "VERIFIED";
  m.complete = d.value("CompletionFlag", "PARTIAL") == "COMPLETE";
  m.procedureReported = optionalCode(d, "procedureReported");
  m.measurementMethod = optionalCode(d, "measurementMethod");
  for (const auto& g : d.at("Measurements")) {
    MeasurementGroup group;
    // What a volumetric group needs is checked by the writer; the schema lets
    // through the groups of other report kinds, so that reader output validates.
    group.trackingIdentifier = g.value("TrackingIdentifier", "");
    group.trackingUID = g.value("TrackingUniqueIdentifier", "");
    group.referencedSegment = g.value("ReferencedSegment", 0u);
    group.sourceSeriesUID = g.value("SourceSeriesForImageSegmentation", "");
    group.segmentationUID = g.value("segmentationSOPInstanceUID", "");
    group.rwvmUID = g.value("rwvmMapUsedForMeasurement", "");
    group.measurementMethod = optionalCode(g, "MeasurementMethod");
    if (!group.measurementMethod) group.measurementMethod = optionalCode(g, "measurementMethod");  // dcmqi's reader key
    if (g.contains("Finding")) group.finding = codeFromJson(g.at("Finding"));
    group.findingSite = optionalCode(g, "FindingSite");
    group.laterality = optionalCode(g, "Laterality");
    group.activitySession = g.value("activitySession", "");
    group.timePoint = g.value("timePoint", "");
    if (g.contains("measurementAlgorithmIdentification"))
      group.algorithm = algorithmFromJson(g.at("measurementAlgorithmIdentification"));
    for (const auto& item : g.at("measurementItems")) group.measurements.push_back(measurementFromJson(item));
    if (g.contains("qualitativeEvaluations"))
      for (const auto& q : g.at("qualitativeEvaluations")) {
        QualitativeEvaluation e;
        e.concept = codeFromJson(q.at("conceptCode"));
        if (q.at("conceptValue").is_object())
          e.code = codeFromJson(q.at("conceptValue"));
        else
          e.text = q.at("conceptValue").get<std::string>();
        group.qualitativeEvaluations.push_back(e);
      }
    m.groups.push_back(std::move(group));
  }
  return m;
}

Metadata readMetadataFile(const std::string& path) { return parseMetadata(readJsonFile(path), path); }

nlohmann::json toJson(const Metadata& m) {
  nlohmann::json j;
  iod::writeJson(m, iod::measurementReportProfile(), j);
  if (!m.compositeContext.empty()) j["compositeContext"] = m.compositeContext;
  if (!m.imageLibrary.empty()) j["imageLibrary"] = m.imageLibrary;
  nlohmann::json o;
  if (m.observer.type == Observer::Type::Person) {
    o = {{"ObserverType", "PERSON"}, {"PersonObserverName", m.observer.personName}};
  } else {
    o = {{"ObserverType", "DEVICE"}};
    auto put = [&](const char* key, const std::string& v) {
      if (!v.empty()) o[key] = v;
    };
    put("DeviceObserverUID", m.observer.deviceUID);
    put("DeviceObserverName", m.observer.deviceName);
    put("DeviceObserverManufacturer", m.observer.deviceManufacturer);
    put("DeviceObserverModelName", m.observer.deviceModelName);
    put("DeviceObserverSerialNumber", m.observer.deviceSerialNumber);
  }
  j["observerContext"] = o;
  j["VerificationFlag"] = m.verified ? "VERIFIED" : "UNVERIFIED";
  j["CompletionFlag"] = m.complete ? "COMPLETE" : "PARTIAL";
  j["activitySession"] = m.activitySession;
  j["timePoint"] = m.timePoint;
  // Report-level values apply to groups without their own; empty means none.
  if (m.procedureReported) j["procedureReported"] = codeToJson(*m.procedureReported);
  if (m.measurementMethod) j["measurementMethod"] = codeToJson(*m.measurementMethod);
  nlohmann::json groups = nlohmann::json::array();
  for (const auto& g : m.groups) {
    nlohmann::json gj;
    if (!g.trackingIdentifier.empty()) gj["TrackingIdentifier"] = g.trackingIdentifier;
    if (!g.trackingUID.empty()) gj["TrackingUniqueIdentifier"] = g.trackingUID;
    if (g.referencedSegment > 0) gj["ReferencedSegment"] = g.referencedSegment;
    if (!g.sourceSeriesUID.empty()) gj["SourceSeriesForImageSegmentation"] = g.sourceSeriesUID;
    if (!g.segmentationUID.empty()) gj["segmentationSOPInstanceUID"] = g.segmentationUID;
    if (!g.rwvmUID.empty()) gj["rwvmMapUsedForMeasurement"] = g.rwvmUID;
    if (g.measurementMethod) gj["MeasurementMethod"] = codeToJson(*g.measurementMethod);
    if (!g.finding.value.empty()) gj["Finding"] = codeToJson(g.finding);
    if (g.findingSite) gj["FindingSite"] = codeToJson(*g.findingSite);
    if (g.laterality) gj["Laterality"] = codeToJson(*g.laterality);
    if (!g.activitySession.empty()) gj["activitySession"] = g.activitySession;
    if (!g.timePoint.empty()) gj["timePoint"] = g.timePoint;
    if (g.algorithm) gj["measurementAlgorithmIdentification"] = algorithmToJson(*g.algorithm);
    nlohmann::json items = nlohmann::json::array();
    for (const auto& meas : g.measurements) items.push_back(measurementToJson(meas));
    gj["measurementItems"] = items;
    if (!g.qualitativeEvaluations.empty()) {
      nlohmann::json list = nlohmann::json::array();
      for (const auto& q : g.qualitativeEvaluations)
        list.push_back({{"conceptCode", codeToJson(q.concept)},
                        {"conceptValue", q.code ? codeToJson(*q.code) : nlohmann::json(q.text)}});
      gj["qualitativeEvaluations"] = list;
    }
    groups.push_back(gj);
  }
  j["Measurements"] = groups;
  return j;
}

}  // namespace qidcm::sr
