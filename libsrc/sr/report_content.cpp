#include "sr/report_content.h"

#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmsr/cmr/tid1600.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "qidcm/error.h"
#include "qidcm/geometry.h"
#include "qidcm/log.h"
#include "qidcm/uid.h"
#include "sr/concepts.h"
#include "sr/tree_builder.h"

namespace qidcm::sr {
namespace {

constexpr auto CONTAINS = DSRTypes::RT_contains;
constexpr auto HAS_OBS_CONTEXT = DSRTypes::RT_hasObsContext;
constexpr auto HAS_CONCEPT_MOD = DSRTypes::RT_hasConceptMod;
constexpr auto HAS_PROPERTIES = DSRTypes::RT_hasProperties;
constexpr auto INFERRED_FROM = DSRTypes::RT_inferredFrom;

bool isDecimalStringSyntax(const std::string& s) {
  if (s.empty() || s.size() > 16) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.' || c == 'e' || c == 'E')) return false;
  return true;
}

const ReferencedInstance* findInstance(const std::vector<ReferencedInstance>& list, const std::string& uid) {
  for (const auto& r : list)
    if (r.sopInstanceUID == uid) return &r;
  return nullptr;
}

// TID 1002 Observer Context (person or device).
void addObserverContext(TreeBuilder& b, const Observer& o) {
  if (o.type == Observer::Type::Person) {
    b.code(HAS_OBS_CONTEXT, concepts::observerType(), concepts::person(), "observerContext.ObserverType");
    b.pname(HAS_OBS_CONTEXT, concepts::personObserverName(), o.personName, "observerContext.PersonObserverName");
    return;
  }
  b.code(HAS_OBS_CONTEXT, concepts::observerType(), concepts::device(), "observerContext.ObserverType");
  b.uidref(HAS_OBS_CONTEXT, concepts::deviceObserverUID(), o.deviceUID, "observerContext.DeviceObserverUID");
  const std::pair<Code, const std::string*> optional[] = {
      {concepts::deviceObserverName(), &o.deviceName},
      {concepts::deviceObserverManufacturer(), &o.deviceManufacturer},
      {concepts::deviceObserverModelName(), &o.deviceModelName},
      {concepts::deviceObserverSerialNumber(), &o.deviceSerialNumber}};
  for (const auto& [concept, value] : optional)
    if (!value->empty()) b.text(HAS_OBS_CONTEXT, concept, *value, "observerContext");
}

// TID 4019 Algorithm Identification, as concept modifiers of a measurement.
void addAlgorithm(TreeBuilder& b, const AlgorithmIdentification& a, const std::string& key) {
  b.text(HAS_CONCEPT_MOD, concepts::algorithmName(), a.name, key + ".AlgorithmName");
  b.text(HAS_CONCEPT_MOD, concepts::algorithmVersion(), a.version, key + ".AlgorithmVersion");
  for (std::size_t i = 0; i < a.parameters.size(); ++i)
    b.text(HAS_CONCEPT_MOD, concepts::algorithmParameters(), a.parameters[i],
           key + ".AlgorithmParameters[" + std::to_string(i) + "]");
}

void addNumericProperties(TreeBuilder& b, const std::vector<NumericProperty>& list, const std::string& file,
                          const std::string& key) {
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string where = key + "[" + std::to_string(i) + "]";
    const std::string value = decimalString(list[i].value, file, where);
    if (value.empty()) throwInput(file, where, "value '" + list[i].value + "' cannot be stored in DICOM");
    b.num(INFERRED_FROM, list[i].concept, value, list[i].units, where);
  }
}

// TID 1419 row 5: one measurement, with its modifiers, derivation,
// algorithm, derivation parameters, population and properties.
bool addMeasurement(TreeBuilder& b, const Measurement& m, const std::optional<AlgorithmIdentification>& groupAlgorithm,
                    const std::string& file, const std::string& key) {
  const std::string value = decimalString(m.value, file, key + ".value");
  if (value.empty()) {
    log::warning(file + ": " + key + " (" + m.quantity.meaning + (m.derivationModifier ? ", " + m.derivationModifier->meaning : "") +
                 "): value '" + m.value + "' cannot be stored in DICOM; measurement skipped");
    return false;
  }
  // A value the decimal string rounds is also stored exactly, as Floating
  // Point Value.
  const double exact = std::strtod(m.value.c_str(), nullptr);
  std::optional<double> floatingPoint;
  if (std::strtod(value.c_str(), nullptr) != exact) floatingPoint = exact;
  b.openNum(CONTAINS, m.quantity, value, m.units, key, floatingPoint);
  for (std::size_t i = 0; i < m.modifiers.size(); ++i)
    b.code(HAS_CONCEPT_MOD, m.modifiers[i].concept, m.modifiers[i].value,
           key + ".measurementModifiers[" + std::to_string(i) + "]");
  if (m.derivationModifier) b.code(HAS_CONCEPT_MOD, concepts::derivation(), *m.derivationModifier, key + ".derivationModifier");
  addNumericProperties(b, m.derivationParameters, file, key + ".measurementDerivationParameters");
  if (m.algorithm)
    addAlgorithm(b, *m.algorithm, key + ".measurementAlgorithmIdentification");
  else if (groupAlgorithm)
    addAlgorithm(b, *groupAlgorithm, key + ".measurementAlgorithmIdentification");
  if (!m.populationDescription.empty())
    b.text(HAS_PROPERTIES, concepts::populationDescription(), m.populationDescription,
           key + ".measurementPopulationDescription");
  addNumericProperties(b, m.properties, file, key + ".measurementNumProperties");
  b.close();
  return true;
}

// TID 1411 Volumetric ROI Measurements (with TID 1502 time point context and
// TID 1419 ROI measurements).
void addMeasurementGroup(TreeBuilder& b, const Metadata& md, std::size_t index,
                         const std::vector<ReferencedInstance>& context, ContentCounts& counts) {
  const MeasurementGroup& g = md.groups[index];
  const std::string key = "Measurements[" + std::to_string(index) + "]";
  const std::string& file = md.sourceFile;
  auto require = [&](bool present, const char* name) {
    if (!present) throwInput(file, key + "." + name, "required by tid1500writer");
  };
  require(!g.trackingIdentifier.empty(), "TrackingIdentifier");
  require(g.referencedSegment > 0, "ReferencedSegment");
  require(!g.segmentationUID.empty(), "segmentationSOPInstanceUID");
  require(!g.sourceSeriesUID.empty(), "SourceSeriesForImageSegmentation");
  require(!g.finding.value.empty(), "Finding");

  b.open(CONTAINS, concepts::measurementGroup(), key);
  const std::string& session = g.activitySession.empty() ? md.activitySession : g.activitySession;
  if (!session.empty()) b.text(HAS_OBS_CONTEXT, concepts::activitySession(), session, key + ".activitySession");
  b.text(HAS_OBS_CONTEXT, concepts::trackingIdentifier(), g.trackingIdentifier, key + ".TrackingIdentifier");
  b.uidref(HAS_OBS_CONTEXT, concepts::trackingUID(), g.trackingUID.empty() ? newUid() : g.trackingUID,
           key + ".TrackingUniqueIdentifier");
  b.code(CONTAINS, concepts::finding(), g.finding, key + ".Finding");
  const std::string& timePoint = g.timePoint.empty() ? md.timePoint : g.timePoint;
  if (!timePoint.empty()) b.text(HAS_OBS_CONTEXT, concepts::timePoint(), timePoint, key + ".timePoint");

  const ReferencedInstance* seg = findInstance(context, g.segmentationUID);
  if (!seg)
    log::warning(file + ": " + key + ".segmentationSOPInstanceUID: " + g.segmentationUID +
                 " is not among the compositeContext instances, so it is not listed as evidence");
  b.image(CONTAINS, concepts::referencedSegment(), seg ? seg->sopClassUID : UID_SegmentationStorage,
          g.segmentationUID, g.referencedSegment, key + ".ReferencedSegment");
  b.uidref(CONTAINS, concepts::sourceSeriesForSegmentation(), g.sourceSeriesUID,
           key + ".SourceSeriesForImageSegmentation");
  if (!g.rwvmUID.empty()) {
    const ReferencedInstance* rwvm = findInstance(context, g.rwvmUID);
    if (!rwvm)
      log::warning(file + ": " + key + ".rwvmMapUsedForMeasurement: " + g.rwvmUID +
                   " is not among the compositeContext instances, so it is not listed as evidence");
    b.composite(CONTAINS, concepts::realWorldValueMap(), rwvm ? rwvm->sopClassUID : UID_RealWorldValueMappingStorage,
                g.rwvmUID, key + ".rwvmMapUsedForMeasurement");
  }
  const std::optional<Code>& method = g.measurementMethod ? g.measurementMethod : md.measurementMethod;
  if (method) b.code(HAS_CONCEPT_MOD, concepts::measurementMethod(), *method, key + ".MeasurementMethod");
  if (g.findingSite) {
    b.openCode(HAS_CONCEPT_MOD, concepts::findingSite(), *g.findingSite, key + ".FindingSite");
    if (g.laterality) b.code(HAS_CONCEPT_MOD, concepts::laterality(), *g.laterality, key + ".Laterality");
    b.close();
  } else if (g.laterality) {
    throwInput(file, key + ".Laterality", "needs a FindingSite to qualify");
  }
  for (std::size_t i = 0; i < g.measurements.size(); ++i) {
    if (addMeasurement(b, g.measurements[i], g.algorithm, file, key + ".measurementItems[" + std::to_string(i) + "]"))
      ++counts.measurements;
    else
      ++counts.skipped;
  }
  for (std::size_t i = 0; i < g.qualitativeEvaluations.size(); ++i) {
    const QualitativeEvaluation& q = g.qualitativeEvaluations[i];
    const std::string where = key + ".qualitativeEvaluations[" + std::to_string(i) + "]";
    if (q.code)
      b.code(CONTAINS, q.concept, *q.code, where);
    else
      b.text(CONTAINS, q.concept, q.text, where);
  }
  b.close();
  ++counts.groups;
}

// TID 1600 Image Library, built by DCMTK from the image headers: one group,
// every descriptor, the ones all entries share moved up to the group.
void addImageLibrary(TreeBuilder& b, const std::vector<ReferencedInstance>& images, const std::string& file) {
  TID1600_ImageLibrary library;
  auto check = [&](const OFCondition& status, const std::string& where, const std::string& what) {
    if (status.bad()) throwInput(where, "", what + ": " + status.text());
  };
  if (!images.empty()) {
    check(library.addImageGroup(), file, "image library group");
    for (const auto& image : images)
      check(library.addImageEntry(*image.header->getDataset(), TID1600_ImageLibrary::withAllDescriptors),
            image.path, "image library entry");
    if (images.size() > 1) {
      const OFCondition moved = library.moveCommonImageDescriptorsToImageGroups();
      if (moved.bad() && moved != CMR_EC_NoImageLibraryEntryDescriptorsToBeMoved)
        check(moved, file, "image library descriptors");
    }
  }
  b.insert(library.cloneTree(), CONTAINS, "imageLibrary");
}

}  // namespace

std::string decimalString(const std::string& text, const std::string& file, const std::string& key) {
  std::string s = text;
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.erase(s.begin());
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.pop_back();
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size()) throwInput(file, key, "'" + text + "' is not a number");
  if (!std::isfinite(v)) return {};
  if (isDecimalStringSyntax(s)) return s;
  // The most significant digits that fit DS's 16 characters.
  char shortened[40];
  for (int digits = 17; digits > 0; --digits) {
    std::snprintf(shortened, sizeof shortened, "%.*g", digits, v);
    if (std::strlen(shortened) <= 16) break;
  }
  return shortened;
}

ContentCounts buildReportContent(DSRDocumentTree& tree, const Metadata& md,
                                 const std::vector<ReferencedInstance>& compositeContext,
                                 const std::vector<ReferencedInstance>& imageLibrary) {
  ContentCounts counts;
  TreeBuilder b(tree, md.sourceFile);
  b.root(concepts::measurementReport(), "1500");
  b.code(HAS_CONCEPT_MOD, concepts::language(), concepts::englishUS());
  addObserverContext(b, md.observer);
  b.code(HAS_CONCEPT_MOD, concepts::procedureReported(),
         md.procedureReported ? *md.procedureReported : concepts::imagingProcedure(), "procedureReported");
  addImageLibrary(b, imageLibrary, md.sourceFile);
  counts.imageLibraryEntries = imageLibrary.size();
  b.open(CONTAINS, concepts::imagingMeasurements(), "Measurements");
  for (std::size_t i = 0; i < md.groups.size(); ++i) addMeasurementGroup(b, md, i, compositeContext, counts);
  b.close();
  return counts;
}

}  // namespace qidcm::sr
