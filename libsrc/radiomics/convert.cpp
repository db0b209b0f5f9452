#include "qidcm/radiomics/convert.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

#include "core/output_transaction.h"
#include "dcmtk/setup.h"
#include "dicom/dataset_util.h"
#include "qidcm/error.h"
#include "qidcm/log.h"
#include "qidcm/seg/reader.h"
#include "qidcm/source.h"
#include "qidcm/sr/metadata.h"
#include "qidcm/sr/writer.h"
#include "qidcm/uid.h"
#include "radiomics/feature_name.h"
#include "radiomics/feature_table.h"
#include "radiomics/features_input.h"

namespace qidcm::radiomics {
namespace {

Code ucum(const std::string& value, const std::string& meaning = {}) {
  return {value, "UCUM", meaning.empty() ? value : meaning, ""};
}

// A composed unit: its meaning spelled out while it fits LO's 64
// characters, else the UCUM expression itself.
Code composed(const std::string& value, const std::string& meaning) {
  return ucum(value, meaning.size() <= 64 ? meaning : value);
}

Code codeOf(const NamedCode& c) { return {c.value ? c.value : "", c.scheme ? c.scheme : "", c.meaning ? c.meaning : "", ""}; }

// `unit` to the power `n`: each simple unit of the term gets the exponent,
// before its annotation (g/ml{SUVbw} squared is g2/ml2{SUVbw}).
Code power(const Code& unit, int n) {
  if (unit.value == "1") return unit;
  std::string out, atom;
  auto flush = [&] {
    if (atom.empty()) return;
    std::string annotation;
    const std::size_t brace = atom.find('{');
    if (brace != std::string::npos && brace > 0) annotation = atom.substr(brace), atom.resize(brace);
    // An exponent the unit already has (cm2) is multiplied, not appended.
    std::size_t digits = atom.size();
    while (digits > 0 && std::isdigit(static_cast<unsigned char>(atom[digits - 1])) && atom.back() != ']') --digits;
    int exponent = 1;
    if (digits < atom.size() && digits > 0) exponent = std::atoi(atom.c_str() + digits), atom.resize(digits);
    out += atom + (brace == 0 ? "" : std::to_string(exponent * n)) + annotation;
    atom.clear();
  };
  for (char c : unit.value) {
    if ((c == '/' || c == '.') && atom.find('[') == std::string::npos) {
      flush();
      out += c;
    } else if ((c == '/' || c == '.') && atom.find(']') != std::string::npos) {
      flush();
      out += c;
    } else {
      atom += c;
    }
  }
  flush();
  return composed(out, unit.meaning + (n == 2 ? " squared" : " to the power " + std::to_string(n)));
}

struct SegInfo {
  std::string sopInstanceUID;
  // The series of the Common Instance Reference: the source images', and
  // others (an RT Structure Set the SEG was made from).
  std::vector<std::string> referencedSeries;
  std::map<unsigned, seg::SegmentDescription> segments;
};

SegInfo readSeg(const std::string& path) {
  dcmtk::configure();
  SegInfo info;
  seg::Metadata md = seg::readSegmentation(path, {}, [](const seg::ReaderImage&) {});
  for (const auto& list : md.segmentAttributes)
    for (const seg::SegmentDescription& s : list) info.segments[static_cast<unsigned>(s.labelID)] = s;
  DcmFileFormat file;
  file.loadFileUntilTag(path.c_str(), EXS_Unknown, EGL_noChange, DCM_MaxReadLength, ERM_autoDetect, DCM_PixelData);
  DcmDataset& ds = *file.getDataset();
  info.sopInstanceUID = dicom::getString(ds, DCM_SOPInstanceUID);
  DcmSequenceOfItems* series = nullptr;
  if (ds.findAndGetSequence(DCM_ReferencedSeriesSequence, series).good() && series)
    for (DcmItem* item : dicom::itemsOf(series)) {
      const std::string uid = dicom::getString(*item, DCM_SeriesInstanceUID);
      if (!uid.empty()) info.referencedSeries.push_back(uid);
    }
  if (info.referencedSeries.empty())
    throwInput(path, "ReferencedSeriesSequence (0008,1115)", "missing: the SEG names no source series");
  return info;
}

// The units of the first Real World Value Mapping item under `item`'s
// sequence `mapping` (a PM's shared functional group, or an RWVM object's
// Referenced Image Real World Value Mapping item).
std::optional<Code> mappingUnits(DcmItem& item) {
  DcmItem* rwvm = nullptr;
  if (item.findAndGetSequenceItem(DCM_RealWorldValueMappingSequence, rwvm, 0).bad() || !rwvm) return std::nullopt;
  DcmItem* units = nullptr;
  if (rwvm->findAndGetSequenceItem(DCM_MeasurementUnitsCodeSequence, units, 0).bad() || !units) return std::nullopt;
  Code c{dicom::getString(*units, DCM_CodeValue), dicom::getString(*units, DCM_CodingSchemeDesignator),
         dicom::getString(*units, DCM_CodeMeaning), ""};
  if (c.value.empty()) c.value = dicom::getString(*units, DCM_LongCodeValue);
  if (c.value.empty()) return std::nullopt;
  return c;
}

// A parametric map's unit, or that of a Real World Value Mapping object in
// the directory that maps the series' images.
std::optional<Code> mappedUnit(const SourceIndex& series, const std::string& directory) {
  const SourceInstance& first = series.instances().front();
  if (first.sopClassUID == "1.2.840.10008.5.1.4.1.1.30") {
    DcmFileFormat file;
    file.loadFileUntilTag(first.path.c_str(), EXS_Unknown, EGL_noChange, DCM_MaxReadLength, ERM_autoDetect,
                          DCM_PerFrameFunctionalGroupsSequence);
    DcmItem* shared = nullptr;
    if (file.getDataset()->findAndGetSequenceItem(DCM_SharedFunctionalGroupsSequence, shared, 0).good() && shared)
      return mappingUnits(*shared);
    return std::nullopt;
  }
  std::set<std::string> images;
  for (const SourceInstance& i : series.instances()) images.insert(i.sopInstanceUID);
  const SourceIndex all = SourceIndex::scanInstances({directory});
  for (const SourceInstance& candidate : all.instances()) {
    if (candidate.sopClassUID != "1.2.840.10008.5.1.4.1.1.67") continue;
    DcmFileFormat file;
    if (file.loadFile(candidate.path.c_str()).bad()) continue;
    DcmSequenceOfItems* references = nullptr;
    if (file.getDataset()->findAndGetSequence(DCM_ReferencedImageRealWorldValueMappingSequence, references).bad() ||
        !references)
      continue;
    for (DcmItem* reference : dicom::itemsOf(references)) {
      DcmSequenceOfItems* referenced = nullptr;
      if (reference->findAndGetSequence(DCM_ReferencedImageSequence, referenced).bad() || !referenced) continue;
      for (DcmItem* image : dicom::itemsOf(referenced))
        if (images.count(dicom::getString(*image, DCM_ReferencedSOPInstanceUID))) {
          if (auto unit = mappingUnits(*reference)) {
            log::warning(candidate.path + ": its Real World Value Mapping gives the intensity unit, " + unit->value +
                         " (--intensityUnit overrides)");
            return unit;
          }
        }
    }
  }
  return std::nullopt;
}

// The intensity unit of the source series.
Code imageUnit(const SourceIndex& series, const std::string& directory, const std::string& override) {
  static const std::map<std::string, std::string> meanings = {
      {"[hnsf'U]", "Hounsfield unit"}, {"[arb'U]", "arbitrary unit"}, {"Bq/ml", "Becquerels/milliliter"},
      {"g/ml{SUVbw}", "Standardized Uptake Value body weight"}};
  if (!override.empty()) {
    const auto m = meanings.find(override);
    return ucum(override, m == meanings.end() ? override : m->second);
  }
  if (auto unit = mappedUnit(series, directory)) return *unit;
  const SourceInstance& first = series.instances().front();
  if (first.modality == "CT") return ucum("[hnsf'U]", "Hounsfield unit");
  if (first.modality == "PT") {
    DcmFileFormat file;
    file.loadFileUntilTag(first.path.c_str(), EXS_Unknown, EGL_noChange, DCM_MaxReadLength, ERM_autoDetect,
                          DCM_PixelData);
    if (dicom::getString(*file.getDataset(), DCM_Units) == "BQML") return ucum("Bq/ml", "Becquerels/milliliter");
  }
  return ucum("[arb'U]", "arbitrary unit");
}

// The unit of the filtered image: linear filters keep the unit; the
// non-linear ones rescale to an arbitrary one; the gradient is per mm; LBP
// codes have none.
Code filteredUnit(const Code& unit, const std::string& family) {
  if (family == "original" || family == "wavelet" || family == "log") return unit;
  if (family == "gradient") return composed(unit.value + "/mm", unit.meaning + " per millimeter");
  if (family == "lbp-2D" || family == "lbp-3D") return ucum("1", "no units");
  return ucum("[arb'U]", "arbitrary unit");
}

Code featureUnit(UnitKind kind, const Code& intensity) {
  switch (kind) {
    case UnitKind::One: return ucum("1", "no units");
    case UnitKind::Millimetre: return ucum("mm", "millimeter");
    case UnitKind::SquareMillimetre: return ucum("mm2", "square millimeter");
    case UnitKind::CubicMillimetre: return ucum("mm3", "cubic millimeter");
    case UnitKind::PerMillimetre: return ucum("/mm", "per millimeter");
    case UnitKind::Intensity: return intensity;
    case UnitKind::IntensitySquared: return power(intensity, 2);
    case UnitKind::IntensitySquaredVolume: {
      const Code squared = power(intensity, 2);
      return composed(squared.value + ".mm3", squared.meaning + " times cubic millimeter");
    }
  }
  return ucum("1", "no units");
}

std::optional<double> numberIn(const nlohmann::json& settings, const char* key) {
  if (!settings.is_object() || !settings.contains(key)) return std::nullopt;
  const nlohmann::json& v = settings.at(key);
  if (v.is_number()) return v.get<double>();
  return std::nullopt;
}

std::string text(double v) {
  char s[32];
  std::snprintf(s, sizeof s, "%.10g", v);
  return s;
}

// The settings an image type was computed with: the global ones, overridden
// by its entry in EnabledImageTypes.
nlohmann::json effectiveSettings(const FeatureCase& c, const std::string& settingsKey) {
  nlohmann::json settings = nlohmann::json::object();
  if (auto it = c.diagnostics.find("diagnostics_Configuration_Settings");
      it != c.diagnostics.end() && it->second.is_object())
    settings = it->second;
  if (auto it = c.diagnostics.find("diagnostics_Configuration_EnabledImageTypes");
      it != c.diagnostics.end() && it->second.is_object() && it->second.contains(settingsKey) &&
      it->second.at(settingsKey).is_object())
    for (const auto& [key, value] : it->second.at(settingsKey).items()) settings[key] = value;
  return settings;
}

sr::NumericProperty parameter(const char* name, double value, const Code& unit) {
  return {codeOf(parameterCode(name)), text(value), unit};
}

bool isTexture(const std::string& cls) {
  return cls == "glcm" || cls == "glrlm" || cls == "glszm" || cls == "gldm" || cls == "ngtdm";
}

struct Built {
  std::size_t skipped = 0;
};

std::optional<sr::Measurement> measurementOf(const FeatureCase& c, const std::string& column, const std::string& value,
                                             const Code& intensity, const std::string& file, Built& built) {
  const std::string where = c.where + " " + column;
  const std::optional<FeatureName> name = parseFeatureName(column);
  if (!name) {
    log::warning(file + ": " + where + ": unknown image type '" + column.substr(0, column.find('_')) +
                 "'; feature left out");
    ++built.skipped;
    return std::nullopt;
  }
  const FeatureCode* code = findFeature(name->featureClass, name->feature);
  if (!code) {
    log::warning(file + ": " + where + ": no code for " + name->featureClass + " feature '" + name->feature +
                 "' (doc/radiomics-codes.md); feature left out");
    ++built.skipped;
    return std::nullopt;
  }
  const std::string current = currentName(name->featureClass, name->feature);
  if (!current.empty()) {
    for (const auto& other : c.features)
      if (other.first == name->imageType + "_" + name->featureClass + "_" + current) {
        log::warning(file + ": " + where + ": '" + name->feature + "' is pyradiomics' old name of '" + current +
                     "', which the row also has; left out");
        ++built.skipped;
        return std::nullopt;
      }
    log::warning(file + ": " + where + ": '" + name->feature + "' is pyradiomics' old name of '" + current + "'");
  }
  char* end = nullptr;
  const double v = std::strtod(value.c_str(), &end);
  if (!value.empty() && end != value.c_str() + value.size())
    throwInput(file, where, "'" + value + "' is not a number");
  if (value.empty() || !std::isfinite(v)) {
    log::warning(file + ": " + where + ": value '" + value + "' is not a finite number; feature left out");
    ++built.skipped;
    return std::nullopt;
  }
  const nlohmann::json settings = effectiveSettings(c, name->settingsKey);
  // pyradiomics' normalize rescales the image to (x - mean) / sd x scale:
  // no physical unit left.
  const bool normalised = settings.contains("normalize") && settings["normalize"] == true;
  const Code unit = filteredUnit(normalised ? ucum("[arb'U]", "arbitrary unit") : intensity, name->family);
  // Without the setting the shift is unknown (pyradiomics' default was
  // 2000 before 1.1.1, 0 since): the shifted code, which says so.
  const std::optional<double> shiftSetting = numberIn(settings, "voxelArrayShift");
  const double shift = shiftSetting.value_or(0);

  sr::Measurement m;
  m.value = value;
  const bool shifted = code->shiftedValue && (!shiftSetting || shift != 0);
  m.quantity = shifted ? Code{code->shiftedValue, "99QIDCM", code->shiftedMeaning, ""}
                       : Code{code->value, code->scheme, code->meaning, ""};
  m.units = featureUnit(code->unit, unit);
  m.modifiers.push_back({codeOf(imageFilterConcept()), codeOf(imageFilterCode(name->family))});
  if (!name->band.empty()) m.modifiers.push_back({codeOf(waveletBandConcept()), codeOf(waveletBandCode(name->band))});
  if (!name->lbpOutput.empty())
    m.modifiers.push_back({codeOf(lbp3DOutputConcept()), codeOf(lbp3DOutputCode(name->lbpOutput))});

  const Code mm = ucum("mm", "millimeter"), one = ucum("1", "no units");
  if (name->sigma) m.derivationParameters.push_back(parameter("sigma", *name->sigma, mm));
  if (name->waveletLevel) m.derivationParameters.push_back(parameter("waveletLevel", name->waveletLevel, one));
  if (name->featureClass != "shape" && name->featureClass != "shape2D") {
    const auto binCount = numberIn(settings, "binCount");
    const auto binWidth = numberIn(settings, "binWidth");
    const bool discretised = isTexture(name->featureClass) || name->feature == "Entropy" || name->feature == "Uniformity";
    if (discretised && binCount) m.derivationParameters.push_back(parameter("binCount", *binCount, one));
    else if (discretised && binWidth) m.derivationParameters.push_back(parameter("binWidth", *binWidth, unit));
  }
  if ((code->shiftedValue || name->feature == "TotalEnergy") && shiftSetting)
    m.derivationParameters.push_back(parameter("voxelArrayShift", shift, unit));
  if (settings.contains("resampledPixelSpacing") && settings["resampledPixelSpacing"].is_array() &&
      settings["resampledPixelSpacing"].size() == 3) {
    const char* axes[] = {"resampledSpacingX", "resampledSpacingY", "resampledSpacingZ"};
    for (std::size_t n = 0; n < 3; ++n)
      if (settings["resampledPixelSpacing"][n].is_number())
        m.derivationParameters.push_back(parameter(axes[n], settings["resampledPixelSpacing"][n].get<double>(), mm));
  }
  if (normalised && name->featureClass != "shape" && name->featureClass != "shape2D")
    m.derivationParameters.push_back(parameter("normalizeScale", numberIn(settings, "normalizeScale").value_or(1), one));
  if (name->featureClass == "gldm")
    if (auto a = numberIn(settings, "gldm_a")) m.derivationParameters.push_back(parameter("gldm_a", *a, one));
  if ((name->featureClass == "glcm" || name->featureClass == "gldm" || name->featureClass == "ngtdm") &&
      settings.contains("distances") && settings["distances"].is_array())
    for (const auto& d : settings["distances"])
      if (d.is_number()) m.derivationParameters.push_back(parameter("distances", d.get<double>(), one));
  if (settings.contains("resegmentRange") && settings["resegmentRange"].is_array() &&
      settings["resegmentRange"].size() >= 1) {
    const auto& r = settings["resegmentRange"];
    if (r[0].is_number()) m.derivationParameters.push_back(parameter("resegmentLower", r[0].get<double>(), unit));
    if (r.size() > 1 && r[1].is_number())
      m.derivationParameters.push_back(parameter("resegmentUpper", r[1].get<double>(), unit));
  }
  return m;
}

std::string versionOf(const FeatureCase& c) {
  const auto it = c.diagnostics.find("diagnostics_Versions_PyRadiomics");
  if (it == c.diagnostics.end()) return {};
  return it->second.is_string() ? it->second.get<std::string>() : it->second.dump();
}

sr::Metadata reportDefaults(const std::string& metadataPath) {
  if (metadataPath.empty()) {
    sr::Metadata md;
    md.observer.type = sr::Observer::Type::Device;
    md.observer.deviceUID = newUid();
    md.observer.deviceName = "pyradiomics";
    md.seriesDescription = "Radiomics features";
    return md;
  }
  nlohmann::json document;
  {
    std::ifstream in(metadataPath);
    if (!in) throwInput(metadataPath, "", "cannot be read");
    document = nlohmann::json::parse(in, nullptr, false);
  }
  if (document.is_discarded() || !document.is_object()) throwInput(metadataPath, "", "not a JSON object");
  if (document.contains("Measurements") && !(document["Measurements"].is_array() && document["Measurements"].empty()))
    log::warning(metadataPath + ": Measurements: ignored; the groups come from the features");
  // The schema wants a group: a placeholder, dropped once the file is parsed.
  const nlohmann::json none = {{"CodeValue", "1"}, {"CodingSchemeDesignator", "UCUM"}, {"CodeMeaning", "no units"}};
  document["Measurements"] = nlohmann::json::array(
      {{{"measurementItems", nlohmann::json::array({{{"value", "0"}, {"quantity", none}, {"units", none}}})}}});
  if (!document.contains("observerContext"))
    document["observerContext"] = {{"ObserverType", "DEVICE"}, {"DeviceObserverUID", newUid()},
                                   {"DeviceObserverName", "pyradiomics"}};
  sr::Metadata md = sr::parseMetadata(document, metadataPath);
  md.groups.clear();
  if (!document.contains("SeriesDescription")) md.seriesDescription = "Radiomics features";
  md.compositeContext.clear();
  md.imageLibrary.clear();
  return md;
}

}  // namespace

std::map<long, unsigned> parseSegmentMap(const std::vector<std::string>& values) {
  std::map<long, unsigned> map;
  for (const std::string& value : values) {
    std::size_t start = 0;
    while (start <= value.size()) {
      std::size_t comma = value.find(',', start);
      if (comma == std::string::npos) comma = value.size();
      const std::string pair = value.substr(start, comma - start);
      start = comma + 1;
      if (pair.empty()) continue;
      const std::size_t eq = pair.find('=');
      char* end1 = nullptr;
      char* end2 = nullptr;
      const long label = eq == std::string::npos ? 0 : std::strtol(pair.c_str(), &end1, 10);
      const long number = eq == std::string::npos ? 0 : std::strtol(pair.c_str() + eq + 1, &end2, 10);
      if (eq == std::string::npos || end1 != pair.c_str() + eq || *end2 != '\0' || label < 1 || number < 1 ||
          number > 65535)
        throwUsage("--segmentMap: '" + pair + "' is not label=segmentNumber (positive integers)");
      map[label] = static_cast<unsigned>(number);
    }
  }
  return map;
}

ConvertSummary convertFeatures(const ConvertOptions& options, const std::string& outputPath) {
  {
    OutputTransaction probe;
    probe.stage(outputPath);
  }
  const std::vector<FeatureCase> cases = readFeatures(options.featuresPath);
  const SegInfo seg = readSeg(options.segPath);
  // The source series: the referenced series whose images are in the library.
  const SourceIndex images = SourceIndex::scan({}, {options.imageLibraryDirectory});
  SourceIndex library;
  std::string sourceSeries;
  for (const std::string& uid : seg.referencedSeries)
    if (library.empty()) {
      library = images.series(uid);
      sourceSeries = uid;
    }
  if (library.empty()) {
    std::string uids;
    for (const std::string& uid : seg.referencedSeries) uids += (uids.empty() ? "" : ", ") + uid;
    throwInput(options.segPath, "ReferencedSeriesSequence (0008,1115)",
               "its source series (" + uids + ") is not under " + options.imageLibraryDirectory);
  }
  const Code intensity = imageUnit(library, options.imageLibraryDirectory, options.intensityUnit);

  sr::Metadata md = reportDefaults(options.metadataPath);
  md.compositeContext = {fileNameOf(options.segPath)};
  for (const SourceInstance& instance : library.instances()) md.imageLibrary.push_back(instance.sopInstanceUID);

  ConvertSummary summary;
  summary.cases = cases.size();
  Built built;
  for (const FeatureCase& c : cases) {
    const long label = c.label.value_or(1);
    const auto mapped = options.segmentMap.find(label);
    const unsigned number = mapped == options.segmentMap.end() ? static_cast<unsigned>(label) : mapped->second;
    const auto segment = seg.segments.find(number);
    if (segment == seg.segments.end())
      throwInput(options.featuresPath, c.where + " Label",
                 std::to_string(label) + " names Segment Number " + std::to_string(number) + ", which " +
                     options.segPath + " does not have (--segmentMap maps labels to segments)");
    const seg::SegmentDescription& s = segment->second;
    sr::MeasurementGroup g;
    g.trackingIdentifier = s.effectiveLabel();
    g.trackingUID = newUid();
    g.referencedSegment = number;
    g.segmentationUID = seg.sopInstanceUID;
    g.sourceSeriesUID = sourceSeries;
    g.finding = s.type;
    g.findingSite = s.anatomicRegion;
    sr::AlgorithmIdentification algorithm;
    algorithm.name = "pyradiomics";
    algorithm.version = versionOf(c);
    if (algorithm.version.empty()) {
      log::warning(options.featuresPath + ": " + c.where +
                   ": no diagnostics_Versions_PyRadiomics; the algorithm version is written as 'unknown'");
      algorithm.version = "unknown";
    }
    for (const char* key : {"diagnostics_Configuration_Settings", "diagnostics_Configuration_EnabledImageTypes"})
      if (auto it = c.diagnostics.find(key); it != c.diagnostics.end())
        algorithm.parameters.push_back(std::string(key + 26) + ": " + it->second.dump());
    g.algorithm = algorithm;
    for (const auto& [column, value] : c.features)
      if (auto m = measurementOf(c, column, value, intensity, options.featuresPath, built))
        g.measurements.push_back(std::move(*m));
    if (g.measurements.empty()) {
      log::warning(options.featuresPath + ": " + c.where + ": no feature could be stored; no group for it");
      continue;
    }
    summary.measurements += g.measurements.size();
    md.groups.push_back(std::move(g));
  }
  if (md.groups.empty()) throwInput(options.featuresPath, "", "no feature could be stored");
  summary.groups = md.groups.size();
  summary.skipped = built.skipped;
  sr::WriterPaths paths;
  paths.compositeContextDirectory = directoryOf(options.segPath);
  paths.imageLibraryDirectory = options.imageLibraryDirectory;
  paths.output = outputPath;
  summary.sopInstanceUID = sr::writeMeasurementReport(md, paths).sopInstanceUID;
  return summary;
}

}  // namespace qidcm::radiomics
