#include "qidcm/pet/convert.h"

#include <cmath>
#include <ctime>
#include <map>

#include <nlohmann/json.hpp>

#include "core/output_transaction.h"
#include "json/json_codes.h"
#include "pet/suv_volume.h"
#include "qidcm/error.h"
#include "qidcm/image_io.h"
#include "qidcm/log.h"
#include "qidcm/pet/series.h"
#include "qidcm/pm/writer.h"
#include "qidcm/rwvm/writer.h"
#include "qidcm/source.h"
#include "qidcm/version.h"

namespace qidcm::pet {
namespace {

std::string where(const std::vector<std::string>& directories) {
  std::string text;
  for (const std::string& d : directories) text += (text.empty() ? "" : ", ") + d;
  return text;
}

// The one PET series among the scanned instances.
std::string petSeries(const SourceIndex& index, const std::vector<std::string>& directories) {
  std::map<std::string, const SourceInstance*> series;
  for (const SourceInstance& instance : index.instances())
    if (instance.modality == "PT") series.emplace(instance.seriesInstanceUID, &instance);
  if (series.empty()) {
    const SourceInstance& first = index.instances().front();
    throwInput(first.path, "Modality (0008,0060)",
               (first.modality.empty() ? std::string("missing") : first.modality) + ", not PT: no PET series under " +
                   where(directories));
  }
  if (series.size() > 1) {
    std::string uids;
    for (const auto& [uid, instance] : series) uids += (uids.empty() ? "" : ", ") + uid;
    throwInput(where(directories), "SeriesInstanceUID (0020,000E)",
               std::to_string(series.size()) + " PET series (" + uids + "); give a directory holding one");
  }
  const SourceInstance& instance = *series.begin()->second;
  if (instance.multiFrame)
    throwInput(instance.path, "SOPClassUID (0008,0016)",
               "an enhanced multi-frame PET image; pet2suv reads single-frame PET series only");
  return series.begin()->first;
}

std::string isoTime(double seconds) {
  const double whole = std::floor(seconds);
  const std::time_t t = static_cast<std::time_t>(whole);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[64];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%09.6f", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec + (seconds - whole));
  return text;
}

// Slices with the same factor share one mapping, in order of first appearance.
std::vector<rwvm::Mapping> mappingsOf(const std::vector<double>& factors, const SuvCodes& codes) {
  std::vector<rwvm::Mapping> mappings;
  std::map<double, std::size_t> bySlope;
  for (std::size_t n = 0; n < factors.size(); ++n) {
    auto [it, added] = bySlope.emplace(factors[n], mappings.size());
    if (added) {
      rwvm::Mapping m;
      m.slope = factors[n];
      m.units = codes.units;
      m.lutLabel = codes.lutLabel;
      m.lutExplanation = codes.units.meaning;
      m.quantityDefinition = {{{"246205007", "SCT", "Quantity", ""}, codes.quantity},
                              {{"370129005", "SCT", "Measurement Method", ""}, codes.method}};
      mappings.push_back(std::move(m));
    }
    mappings[it->second].images.push_back(n);
  }
  return mappings;
}

nlohmann::ordered_json inputValue(const InputValue& v) {
  nlohmann::ordered_json j;
  // Numbers as numbers where the whole value is one.
  char* end = nullptr;
  const double number = std::strtod(v.value.c_str(), &end);
  const bool numeric = end && *end == '\0' && !v.value.empty() && std::isfinite(number) &&
                       v.name != "SeriesDate" && v.name != "SeriesTime" && v.name.find("DateTime") == std::string::npos &&
                       v.name != "RadiopharmaceuticalStartTime";
  if (numeric)
    j["value"] = number;
  else
    j["value"] = v.value;
  j["source"] = v.source;
  return j;
}

nlohmann::ordered_json provenance(const PetSeries& series, const SuvResult& r, const SuvCodes& codes, SuvType type,
                          const std::vector<rwvm::Mapping>& mappings) {
  nlohmann::ordered_json j;
  j["tool"] = "pet2suv";
  j["version"] = QIDCM_VERSION;
  j["seriesInstanceUID"] = series.seriesInstanceUID;
  j["suvType"] = toString(type);
  j["quantity"] = nlohmann::ordered_json(codeToJson(codes.quantity));
  j["units"] = nlohmann::ordered_json(codeToJson(codes.units));
  j["measurementMethod"] = nlohmann::ordered_json(codeToJson(codes.method));
  j["branch"] = {{"units", r.units},
                 {"decayCorrection", series.inputs.decayCorrection},
                 {"referenceTime", r.referenceTime},
                 {"administrationTime", r.administrationTime}};
  nlohmann::ordered_json inputs = nlohmann::ordered_json::object();
  for (const InputValue& v : series.read) inputs[v.name] = inputValue(v);
  j["inputs"] = inputs;
  if (r.referenceDateTime) j["referenceDateTime"] = isoTime(*r.referenceDateTime);
  if (r.administrationDateTime) j["administrationDateTime"] = isoTime(*r.administrationDateTime);
  j["weightKg"] = r.weightKg;
  if (r.doseBq > 0) j["doseBq"] = r.doseBq;
  if (r.decayFactor) j["decayFactor"] = *r.decayFactor;
  j["normalisation"] = r.normalisation;
  nlohmann::ordered_json slices = nlohmann::ordered_json::array();
  for (std::size_t n = 0; n < series.slices.size(); ++n) {
    const PetSlice& s = series.slices[n];
    const SliceInputs& in = series.inputs.slices[n];
    nlohmann::ordered_json slice = {{"sopInstanceUID", s.sopInstanceUID},
                            {"position", {s.position[0], s.position[1], s.position[2]}},
                            {"suvFactor", r.factors[n]}};
    if (in.rescaleSlope)
      slice["rescaleSlope"] = *in.rescaleSlope;
    else
      slice["rescaleSlope"] = nullptr;
    if (in.acquisitionDateTime) slice["acquisitionDateTime"] = isoTime(*in.acquisitionDateTime);
    slices.push_back(slice);
  }
  j["slices"] = slices;
  nlohmann::ordered_json items = nlohmann::ordered_json::array();
  for (const rwvm::Mapping& m : mappings) items.push_back({{"slope", m.slope}, {"instances", m.images.size()}});
  j["mappings"] = items;
  nlohmann::ordered_json warnings = nlohmann::ordered_json::array();
  for (const std::string& w : series.notes) warnings.push_back(w);
  for (const std::string& w : r.warnings) warnings.push_back(w);
  j["warnings"] = warnings;
  return j;
}

}  // namespace

ConvertSummary convertPetSeries(const std::vector<std::string>& directories, const ConvertOptions& options) {
  if (options.outputRWVM.empty() && options.outputParametricMap.empty() && options.outputImage.empty() &&
      options.outputMetadata.empty() && !options.keepImage && !options.keepReport)
    throwUsage("no output given (--outputRWVM, --outputParametricMap, --outputImage or --outputMetadata)");
  OutputTransaction output;
  std::string rwvmPath, pmPath, imagePath, jsonPath;
  if (!options.outputRWVM.empty()) rwvmPath = output.stage(options.outputRWVM);
  if (!options.outputParametricMap.empty()) pmPath = output.stage(options.outputParametricMap);
  if (!options.outputImage.empty()) imagePath = output.stage(options.outputImage);
  if (!options.outputMetadata.empty()) jsonPath = output.stage(options.outputMetadata);

  SourceIndex index;
  {
    log::PhaseTimer timer("scan the DICOM headers");
    index = SourceIndex::scan({}, directories);
  }
  const std::string uid = petSeries(index, directories);
  const SourceIndex sources = index.series(uid);
  std::vector<std::string> files;
  for (const SourceInstance& instance : sources.instances()) files.push_back(instance.path);

  ConvertSummary summary;
  PetSeries series;
  {
    log::PhaseTimer timer("read the PET headers and compute SUV factors");
    series = readPetSeries(files);
    summary.suv = computeSuv(series.inputs, options.suvType, series.slices.front().path);
  }
  for (const std::string& note : series.notes) log::warning(series.slices.front().path + ": " + note);
  for (const std::string& w : summary.suv.warnings) log::warning(series.slices.front().path + ": " + w);
  const SuvCodes codes = suvCodes(options.suvType);
  const std::vector<rwvm::Mapping> mappings = mappingsOf(summary.suv.factors, codes);
  summary.seriesInstanceUID = uid;
  summary.slices = series.slices.size();
  summary.mappings = mappings.size();

  if (!rwvmPath.empty()) {
    log::PhaseTimer timer("write the Real World Value Mapping");
    rwvm::Content content;
    content.seriesDescription = std::string("PET SUV factors (") + codes.lutLabel + ")";
    content.contentLabel = "SUV";
    content.contentDescription = codes.units.meaning;
    content.contextPath = series.slices.front().path;
    content.seriesInstanceUID = uid;
    for (const PetSlice& s : series.slices) content.images.push_back({s.sopClassUID, s.sopInstanceUID});
    content.mappings = mappings;
    content.pixelSigned = series.pixelSigned;
    content.bitsStored = series.bitsStored;
    rwvm::writeRealWorldValueMapping(content, rwvmPath);
  }
  if (!pmPath.empty() || !imagePath.empty() || options.keepImage) {
    Volume suv;
    {
      log::PhaseTimer timer("decode the PET slices into SUV");
      const Grid grid = seriesGrid(sources, uid);
      suv = readSuvVolume(series, summary.suv.factors, grid);
    }
    if (!imagePath.empty()) {
      log::PhaseTimer timer("write the SUV image");
      writeImage(imagePath, suv, true);
    }
    if (!pmPath.empty()) {
      log::PhaseTimer timer("write the parametric map");
      pm::Metadata metadata;
      metadata.quantity = codes.quantity;
      metadata.units = codes.units;
      metadata.measurementMethod = codes.method;
      metadata.derivation = codes.quantity;
      metadata.derivationDescription = std::string(codes.lutLabel) + " computed by pet2suv from the PET headers";
      metadata.lutLabel = codes.lutLabel;
      metadata.seriesDescription = codes.lutLabel;
      metadata.contentLabel = "SUV";
      metadata.contentDescription = codes.units.meaning;
      pm::WriterOptions writer;
      writer.pixelType = pm::PixelType::Float32;
      writer.compression = options.compression;
      pm::writeParametricMap(suv, series.slices.front().path, metadata, sources, pmPath, writer);
    }
    if (options.keepImage) summary.image = std::move(suv);
  }
  if (!jsonPath.empty() || options.keepReport) {
    const std::string text = provenance(series, summary.suv, codes, options.suvType, mappings).dump(2) + "\n";
    if (!jsonPath.empty()) writeTextFile(jsonPath, text, options.outputMetadata);
    if (options.keepReport) summary.report = text;
  }
  output.commit();
  return summary;
}

}  // namespace qidcm::pet
