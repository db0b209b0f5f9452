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

// Makes the document's string values fit the DICOM value representations the
// schema gives them, before a writer validates it: a value longer than the VR
// allows is shortened (a decimal string is rounded instead), a code string is
// upper-cased with '_' for characters CS does not allow, and LO/SH text has
// its backslashes and control characters replaced by spaces. Each change is
// one warning naming `file` and the JSON key. Returns the number of changes.
// What cannot be made to fit (a malformed UID) is left for validation.
std::size_t conformToValueRepresentations(SchemaId schema, nlohmann::json& document, const std::string& file,
                                          bool warn = true);

// Validates the metadata a reader made from `input`. Values kept as the file
// had them, although their VR does not allow them, pass (the reader warned
// about each); any other violation throws Error (Input) naming `input`, so a
// file is refused, never answered with an internal error.
void validateReaderOutput(SchemaId schema, const nlohmann::json& document, const std::string& input);

// The metadata document as the parsers map it: a copy of `input` with
// integral numbers made integers, values fitted to their VRs (warned about,
// as conformToValueRepresentations) and then validated (throws as
// validateAgainstSchema).
nlohmann::json prepareMetadata(SchemaId schema, const nlohmann::json& input, const std::string& file);

// Reads and parses a JSON file; throws Error (Input) with the line and column
// of a syntax error. Numbers with no fractional part (1.0) become integers.
nlohmann::json readJsonFile(const std::string& path);

// Turns integral floating-point numbers into integers, recursively.
void normalizeNumbers(nlohmann::json& document, const std::string& file = "");

// Replaces the invalid UTF-8 in the document's strings (DICOM text in a
// character set DCMTK could not convert, or broken bytes) with U+FFFD, so
// that the document can be validated and written; returns how many strings
// were changed. The readers call it on what they read from DICOM.
std::size_t repairUtf8(nlohmann::json& document);

}  // namespace qidcm
