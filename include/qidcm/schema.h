#pragma once
// JSON Schema validation of metadata, against the schemas compiled into qidcm.
#include <string>

#include <nlohmann/json_fwd.hpp>

namespace qidcm {

enum class SchemaId { Segmentation, ParametricMap, MeasurementReport };

// Text of an embedded schema, by file name ("seg-schema.json").
const std::string& schemaText(const std::string& fileName);

// Validates `document`; keys the schema does not know are reported as
// warnings and tolerated. On failure throws Error (Input) naming `file`, the
// JSON path of the most specific violation and the rule it breaks, e.g.
//   seg.json: segmentAttributes[0][2].SegmentedPropertyTypeCodeSequence: missing CodeMeaning
void validateAgainstSchema(SchemaId schema, const nlohmann::json& document, const std::string& file);

// Reads and parses a JSON file; throws Error (Input) with the line and column
// of a syntax error. Numbers with no fractional part (1.0) become integers.
nlohmann::json readJsonFile(const std::string& path);

// Turns integral floating-point numbers into integers, recursively.
void normalizeNumbers(nlohmann::json& document, const std::string& file = "");

}  // namespace qidcm
