#pragma once
// TID 1500 measurement report metadata: the typed form of dcmqi's SR JSON,
// shared by tid1500writer (input) and tid1500reader (output).
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "qidcm/codes.h"
#include "qidcm/series.h"

namespace qidcm::sr {

struct AlgorithmIdentification {
  std::string name;
  std::string version;
  std::vector<std::string> parameters;
};

struct Observer {
  enum class Type { Person, Device } type = Type::Person;
  std::string personName;
  std::string deviceUID, deviceName, deviceManufacturer, deviceModelName, deviceSerialNumber;
};

struct CodedModifier {
  Code concept;
  Code value;
};

struct NumericProperty {
  Code concept;
  std::string value;  // decimal string
  Code units;
};

struct Measurement {
  std::string value;  // as given; a value DICOM cannot hold is skipped
  Code quantity;
  Code units;
  std::optional<Code> derivationModifier;
  std::vector<CodedModifier> modifiers;
  std::vector<NumericProperty> derivationParameters;
  std::vector<NumericProperty> properties;
  std::string populationDescription;
  std::optional<AlgorithmIdentification> algorithm;
};

struct QualitativeEvaluation {
  Code concept;
  std::optional<Code> code;  // CODE value, or
  std::string text;          // TEXT value
};

struct MeasurementGroup {
  std::string trackingIdentifier;
  std::string trackingUID;
  unsigned referencedSegment = 0;
  std::string sourceSeriesUID;
  std::string segmentationUID;
  std::string rwvmUID;
  std::optional<Code> measurementMethod;
  Code finding;
  std::optional<Code> findingSite;
  std::optional<Code> laterality;
  std::string activitySession;  // empty: the report's
  std::string timePoint;        // empty: the report's
  std::optional<AlgorithmIdentification> algorithm;
  std::vector<Measurement> measurements;
  std::vector<QualitativeEvaluation> qualitativeEvaluations;
};

// Of the series attributes (qidcm/series.h) a report has SeriesDescription,
// SeriesNumber and InstanceNumber.
struct Metadata : SeriesAttributes {
  Metadata() {
    seriesDescription = "Measurements";
    seriesNumber = "400";
    instanceNumber = "1";
  }
  std::vector<std::string> compositeContext;  // file names or SOP Instance UIDs
  std::vector<std::string> imageLibrary;      // file names or SOP Instance UIDs
  Observer observer;
  bool verified = false;
  bool complete = false;
  std::string activitySession = "1";
  std::string timePoint = "1";
  std::optional<Code> procedureReported;
  std::optional<Code> measurementMethod;  // applies to groups without one
  std::vector<MeasurementGroup> groups;

  std::string sourceFile;
};

// Validates against sr-tid1500-schema.json (compiled in), then maps to the struct;
// throws Error (Input) naming `file` and the JSON path at fault. Keys the
// schema does not know are warned about and ignored.
Metadata parseMetadata(const nlohmann::json& document, const std::string& file);
// Reads, validates and parses a JSON file.
Metadata readMetadataFile(const std::string& path);
// The JSON form, as tid1500reader writes it (parseMetadata reads it back).
nlohmann::json toJson(const Metadata& metadata);

}  // namespace qidcm::sr
