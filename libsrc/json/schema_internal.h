#pragma once
// What json/schema.cpp (lookup, validation, messages), json/value_fit.cpp
// (fitting values to their VRs) and json/json_file.cpp (reading and
// normalising JSON) share. Internal to the json module.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "qidcm/schema.h"

namespace valijson {
class Schema;
}

namespace qidcm::detail {

// File name of an embedded schema ("seg-schema.json").
const char* fileNameFor(SchemaId id);

// Parsed schema documents, kept alive for the lifetime of the process so that
// the valijson schema can refer into them.
const nlohmann::json& schemaDocument(const std::string& fileName);

// The schema compiled once, with its $refs to the other embedded schemas.
const valijson::Schema& compiledSchema(SchemaId id);

// A validation error's context as a JSON path:
// "<root>", "[segmentAttributes]", "[0]" -> segmentAttributes[0]
std::string jsonPath(const std::vector<std::string>& context);

// The schema node that describes `context`, following properties, items and
// $ref, so that messages can say what was expected; null when there is none.
const nlohmann::json* schemaNodeAt(const nlohmann::json& root, const std::string& rootName,
                                   const std::vector<std::string>& context);

// Throws Error (Input) naming `file` when `document` nests deeper or holds a
// longer string than qidcm accepts (json_file.cpp).
void checkLimits(const nlohmann::json& document, const std::string& file);

}  // namespace qidcm::detail
