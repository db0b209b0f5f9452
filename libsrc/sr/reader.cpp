#include "qidcm/sr/reader.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "core/output_transaction.h"
#include "qidcm/error.h"
#include "qidcm/log.h"
#include "qidcm/schema.h"
#include "sr/concepts.h"
#include "sr/content_tree.h"

namespace qidcm::sr {
namespace {

std::string describe(const ContentNode& n) {
  std::string s = n.valueType;
  if (!n.concept.value.empty()) s += " (" + n.concept.value + ", " + n.concept.scheme + ", \"" + n.concept.meaning + "\")";
  return s;
}

// Collects what the JSON cannot say, to warn once per kind.
class Unrepresented {
 public:
  void add(const std::string& where, const ContentNode& n) {
    ++count_;
    kinds_[where + " " + describe(n)] += 1;
  }
  std::size_t count() const { return count_; }
  void report(const std::string& path) const {
    for (const auto& [kind, n] : kinds_)
      log::warning(path + ": " + std::to_string(n) + " x " + kind + " not represented in the JSON");
  }

 private:
  std::size_t count_ = 0;
  std::map<std::string, std::size_t> kinds_;
};

bool isAlgorithmItem(const ContentNode& n) {
  return n.valueType == "TEXT" &&
         (n.is(concepts::algorithmName()) || n.is(concepts::algorithmVersion()) || n.is(concepts::algorithmParameters()));
}

void readAlgorithmItem(const ContentNode& n, std::optional<AlgorithmIdentification>& a) {
  if (!a) a.emplace();
  if (n.is(concepts::algorithmName())) a->name = n.text;
  else if (n.is(concepts::algorithmVersion())) a->version = n.text;
  else a->parameters.push_back(n.text);
}

std::optional<Measurement> readMeasurement(const ContentNode& num, Unrepresented& lost) {
  Measurement m;
  m.value = num.text;
  m.quantity = num.concept;
  m.units = num.code;
  if (m.value.empty() || m.units.value.empty()) {
    lost.add("Measurement Group >", num);
    return std::nullopt;
  }
  bool afterPopulation = false;
  for (const ContentNode& c : num.children) {
    if (c.valueType == "CODE" && c.relationship == "HAS CONCEPT MOD") {
      if (c.is(concepts::derivation())) m.derivationModifier = c.code;
      else m.modifiers.push_back({c.concept, c.code});
    } else if (isAlgorithmItem(c)) {
      readAlgorithmItem(c, m.algorithm);
    } else if (c.valueType == "TEXT" && c.is(concepts::populationDescription())) {
      m.populationDescription = c.text;
      afterPopulation = true;
    } else if (c.valueType == "NUM" && !c.code.value.empty() &&
               (c.relationship == "INFERRED FROM" || c.relationship == "HAS PROPERTIES")) {
      const NumericProperty p{c.concept, c.text, c.code};
      // TID 1419: derivation parameters and the population's properties are
      // both INFERRED FROM NUMs; the properties follow the population
      // description. dcmqi wrote properties as HAS PROPERTIES.
      if (afterPopulation || c.relationship == "HAS PROPERTIES") m.properties.push_back(p);
      else m.derivationParameters.push_back(p);
    } else {
      lost.add("NUM >", c);
    }
  }
  if (m.algorithm && (m.algorithm->name.empty() || m.algorithm->version.empty())) m.algorithm.reset();
  return m;
}

MeasurementGroup readGroup(const ContentNode& g, Unrepresented& lost, const std::string& path) {
  MeasurementGroup group;
  for (const ContentNode& c : g.children) {
    if (c.is(concepts::activitySession())) group.activitySession = c.text;
    else if (c.is(concepts::trackingIdentifier())) group.trackingIdentifier = c.text;
    else if (c.is(concepts::trackingUID())) group.trackingUID = c.text;
    else if (c.is(concepts::timePoint())) group.timePoint = c.text;
    else if (c.is(concepts::finding()) && c.valueType == "CODE") group.finding = c.code;
    else if (c.is(concepts::referencedSegment()) && c.valueType == "IMAGE") {
      group.segmentationUID = c.sopInstanceUID;
      if (!c.segments.empty()) group.referencedSegment = c.segments.front();
      if (c.segments.size() > 1)
        log::warning(path + ": a Referenced Segment lists " + std::to_string(c.segments.size()) +
                     " segments; only the first is kept");
    } else if (c.is(concepts::sourceSeriesForSegmentation())) group.sourceSeriesUID = c.text;
    else if (c.is(concepts::realWorldValueMap())) group.rwvmUID = c.sopInstanceUID;
    else if (c.valueType == "CODE" && concepts::isMeasurementMethod(c.concept)) group.measurementMethod = c.code;
    else if (c.valueType == "CODE" && concepts::isFindingSite(c.concept)) {
      group.findingSite = c.code;
      for (const ContentNode& l : c.children) {
        if (l.valueType == "CODE" && concepts::isLaterality(l.concept)) group.laterality = l.code;
        else lost.add("Finding Site >", l);
      }
    } else if (isAlgorithmItem(c)) {
      readAlgorithmItem(c, group.algorithm);
    } else if (c.valueType == "NUM" && c.relationship == "CONTAINS") {
      if (auto m = readMeasurement(c, lost)) group.measurements.push_back(std::move(*m));
    } else if ((c.valueType == "CODE" || c.valueType == "TEXT") && c.relationship == "CONTAINS") {
      QualitativeEvaluation q;
      q.concept = c.concept;
      if (c.valueType == "CODE") q.code = c.code;
      else q.text = c.text;
      group.qualitativeEvaluations.push_back(q);
      for (const ContentNode& d : c.children) lost.add("qualitative evaluation >", d);
    } else {
      lost.add("Measurement Group >", c);
    }
  }
  if (group.algorithm && (group.algorithm->name.empty() || group.algorithm->version.empty())) group.algorithm.reset();
  return group;
}

void readObserverItem(const ContentNode& c, Metadata& md, int& observers) {
  Observer& o = md.observer;
  if (c.is(concepts::observerType())) {
    if (++observers > 1) return;
    o.type = c.code.value == concepts::device().value ? Observer::Type::Device : Observer::Type::Person;
    return;
  }
  if (observers > 1) return;
  if (c.is(concepts::personObserverName())) o.personName = c.text;
  else if (c.is(concepts::deviceObserverUID())) o.deviceUID = c.text;
  else if (c.is(concepts::deviceObserverName())) o.deviceName = c.text;
  else if (c.is(concepts::deviceObserverManufacturer())) o.deviceManufacturer = c.text;
  else if (c.is(concepts::deviceObserverModelName())) o.deviceModelName = c.text;
  else if (c.is(concepts::deviceObserverSerialNumber())) o.deviceSerialNumber = c.text;
}

void collectImages(const ContentNode& n, std::vector<std::string>& out) {
  if (n.valueType == "IMAGE" && !n.sopInstanceUID.empty()) out.push_back(n.sopInstanceUID);
  for (const auto& c : n.children) collectImages(c, out);
}

// One activity session / time point for the report when all groups share
// it; otherwise each group keeps its own.
void hoistCommon(Metadata& md, std::string Metadata::*report, std::string MeasurementGroup::*group) {
  if (md.groups.empty()) return;
  const std::string first = md.groups.front().*group;
  const bool common = std::all_of(md.groups.begin(), md.groups.end(),
                                  [&](const MeasurementGroup& g) { return g.*group == first; });
  md.*report = common ? first : "";
  if (common)
    for (auto& g : md.groups) g.*group = "";
}

}  // namespace

ReadResult readMeasurementReport(const std::string& path) { return interpretReport(readSrDocument(path), path); }

ReadResult interpretReport(const SrDocument& doc, const std::string& path) {
  const ContentNode& root = doc.root;
  if (!(root.is(concepts::measurementReport()) || root.templateId == "1500"))
    throwInput(path, "ConceptNameCodeSequence (0040,A043)",
               "not a TID 1500 Imaging Measurement Report: the root is " + describe(root) +
                   (root.templateId.empty() ? "" : " (TID " + root.templateId + ")") + " in a " + doc.documentType +
                   " document");
  ReadResult result;
  result.documentType = doc.documentType;
  result.sopInstanceUID = doc.sopInstanceUID;
  result.patientID = doc.patientID;
  result.studyInstanceUID = doc.studyInstanceUID;
  result.seriesInstanceUID = doc.seriesInstanceUID;
  Metadata& md = result.metadata;
  md.sourceFile = path;
  static_cast<SeriesAttributes&>(md) = doc.series;
  md.complete = doc.complete;
  md.verified = doc.verified;
  Unrepresented lost;
  int observers = 0;
  bool hasMeasurements = false;
  for (const ContentNode& c : root.children) {
    if (c.relationship == "HAS OBS CONTEXT") {
      readObserverItem(c, md, observers);
    } else if (c.is(concepts::procedureReported())) {
      if (!md.procedureReported) md.procedureReported = c.code;
    } else if (c.is(concepts::language())) {
      // Always written back as en-US.
    } else if (c.is(concepts::imageLibrary())) {
      collectImages(c, md.imageLibrary);
    } else if (c.is(concepts::imagingMeasurements())) {
      hasMeasurements = true;
      for (const ContentNode& g : c.children) {
        if (g.valueType == "CONTAINER" && g.is(concepts::measurementGroup()))
          md.groups.push_back(readGroup(g, lost, path));
        else
          lost.add("Imaging Measurements >", g);
      }
    } else {
      lost.add("report >", c);
    }
  }
  if (observers > 1) log::warning(path + ": " + std::to_string(observers) + " observers; only the first is kept");
  if (observers == 0 && md.observer.personName.empty() && md.observer.deviceUID.empty())
    log::warning(path + ": the report names no observer");
  if (!hasMeasurements) log::warning(path + ": the report has no Imaging Measurements container");

  std::set<std::string> library(md.imageLibrary.begin(), md.imageLibrary.end());
  for (const auto& uid : doc.evidence)
    if (!library.count(uid) && std::find(md.compositeContext.begin(), md.compositeContext.end(), uid) ==
                                   md.compositeContext.end())
      md.compositeContext.push_back(uid);
  hoistCommon(md, &Metadata::activitySession, &MeasurementGroup::activitySession);
  hoistCommon(md, &Metadata::timePoint, &MeasurementGroup::timePoint);

  result.groups = md.groups.size();
  for (const auto& g : md.groups) result.measurements += g.measurements.size();
  result.unrepresentedItems = lost.count();
  lost.report(path);
  return result;
}

ReadResult readMeasurementReportToFile(const std::string& path, const std::string& outputJson) {
  ReadResult result = readMeasurementReport(path);
  nlohmann::json json = toJson(result.metadata);
  if (repairUtf8(json))
    log::warning(path + ": text that is not valid UTF-8 was replaced by U+FFFD in the metadata");
  validateReaderOutput(SchemaId::MeasurementReport, json, path);
  OutputTransaction output;
  writeTextFile(output.stage(outputJson), json.dump(2) + "\n", outputJson);
  output.commit();
  return result;
}

}  // namespace qidcm::sr
