// Fitting metadata values to the DICOM value representations the schema
// gives them: conformToValueRepresentations for the writers, and the
// validation of a reader's output, where values a reader kept as the file had
// them stand in for ones that fit.
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <set>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include "core/utf8.h"
#include "json/schema_internal.h"
#include "qidcm/error.h"
#include "qidcm/log.h"
#include "qidcm/schema.h"

namespace qidcm {
namespace {

using detail::checkLimits;
using detail::compiledSchema;
using detail::fileNameFor;
using detail::jsonPath;
using detail::schemaDocument;
using detail::schemaNodeAt;

const nlohmann::json& commonDefinition(const char* name) {
  return schemaDocument("common-schema.json").at("definitions").at(name);
}

// The node of `document` that a validation error's context names, or null.
nlohmann::json* documentNodeAt(nlohmann::json& document, const std::vector<std::string>& context) {
  nlohmann::json* node = &document;
  for (const auto& part : context) {
    if (part == "<root>") continue;
    if (part.size() < 2 || part.front() != '[' || part.back() != ']') return nullptr;
    const std::string inner = part.substr(1, part.size() - 2);
    const bool index = !inner.empty() && inner.find_first_not_of("0123456789") == std::string::npos;
    if (index && node->is_array()) {
      const std::size_t n = std::stoul(inner);
      if (n >= node->size()) return nullptr;
      node = &(*node)[n];
    } else if (node->is_object() && node->contains(inner)) {
      node = &(*node)[inner];
    } else {
      return nullptr;
    }
  }
  return node;
}

// A number as a decimal string of at most `limit` characters.
std::optional<std::string> decimalWithin(const std::string& text, std::size_t limit) {
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || !std::isfinite(v)) return std::nullopt;
  while (*end == ' ') ++end;
  if (*end != '\0') return std::nullopt;
  for (int digits = 17; digits >= 1; --digits) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*g", digits, v);
    if (std::strlen(buf) <= limit) return std::string(buf);
  }
  return std::nullopt;
}

// An integer (a decimal number rounded) as an integer string.
std::optional<std::string> integerWithin(const std::string& text, std::size_t limit) {
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || !std::isfinite(v) || std::fabs(v) > 2147483647.0) return std::nullopt;
  while (*end == ' ') ++end;
  if (*end != '\0') return std::nullopt;
  std::string out = std::to_string(std::llround(v));
  if (out.size() > limit) return std::nullopt;
  return out;
}

// The value `text` made to fit the string schema `s` (the schema node of the
// key, `definition` the common definition it refers to, if any); `what` says
// what changed. nullopt: it cannot be made to fit.
std::optional<std::string> fitted(const std::string& text, const nlohmann::json& s, const nlohmann::json* definition,
                                  std::string& what) {
  const bool decimal = definition == &commonDefinition("DS");
  const bool integer = definition == &commonDefinition("IS");
  const bool codeString = definition == &commonDefinition("CS");
  const bool bodyPart = definition == &commonDefinition("BodyPart");
  const bool text64 = definition == &commonDefinition("LO") || definition == &commonDefinition("SH");
  std::string value = text;
  const std::size_t limit = s.contains("maxLength") ? s["maxLength"].get<std::size_t>() : 0;
  if (s.contains("pattern")) {
    const std::regex pattern(s["pattern"].get<std::string>());
    if (!std::regex_search(value, pattern)) {
      if (codeString || bodyPart) {
        for (char& c : value) {
          if (codeString) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
          if (!(std::isalnum(static_cast<unsigned char>(c)) || c == ' ' || c == '_')) c = '_';
        }
        what = codeString ? "not a code string (upper case, digits, space, '_')" : "characters CS does not allow";
      } else if (text64) {
        for (char& c : value)
          if (c == '\\' || (static_cast<unsigned char>(c) < 0x20)) c = ' ';
        what = "backslash or control characters, which the VR does not allow";
      } else if (decimal) {
        const auto d = decimalWithin(value, limit ? limit : 16);
        if (!d) return std::nullopt;
        value = *d;
        what = "not a decimal string";
      } else if (integer) {
        const auto i = integerWithin(value, limit ? limit : 12);
        if (!i) return std::nullopt;
        value = *i;
        what = "not an integer string";
      } else {
        return std::nullopt;
      }
    }
  }
  if (limit && codePoints(value) > limit) {
    if (decimal) {
      const auto d = decimalWithin(value, limit);
      if (!d) return std::nullopt;
      value = *d;
    } else {
      value = firstCodePoints(value, limit);
    }
    what = (what.empty() ? "" : what + "; ") + "value of " + std::to_string(codePoints(text)) +
           " characters, longer than the " + std::to_string(limit) + " its VR allows";
  }
  return value;
}

// A value the string schema `s` accepts, standing in for one it does not,
// in a copy made only to validate a reader's output.
nlohmann::json placeholder(const nlohmann::json& node) {
  if (node.contains("oneOf"))
    for (const auto& alternative : node["oneOf"]) {
      const std::string type = alternative.value("type", "");
      if (type == "integer" || type == "number") return 0;
    }
  const std::size_t minimum = node.value("minLength", 0u);
  for (const char* candidate : {"", "0", "X"}) {
    if (std::strlen(candidate) < minimum) continue;
    if (node.contains("pattern") && !std::regex_search(candidate, std::regex(node["pattern"].get<std::string>())))
      continue;
    return candidate;
  }
  return "X";
}

enum class Conform { Repair, RepairQuietly, ForValidation };

std::size_t conform(SchemaId id, nlohmann::json& document, const std::string& file, Conform mode) {
  checkLimits(document, file);
  const valijson::Schema& schema = compiledSchema(id);
  const nlohmann::json& root = schemaDocument(fileNameFor(id));
  std::size_t changes = 0;
  std::set<std::string> done;  // each key once
  for (int round = 0; round < 4; ++round) {
    valijson::Validator validator(valijson::Validator::kStrongTypes);
    valijson::ValidationResults results;
    valijson::adapters::NlohmannJsonAdapter target(document);
    if (validator.validate(schema, target, &results)) break;
    bool changed = false;
    valijson::ValidationResults::Error error;
    while (results.popError(error)) {
      const std::string& d = error.description;
      if (d.rfind("String should be no more than", 0) != 0 && d.rfind("Failed to match regex", 0) != 0) continue;
      const std::string key = jsonPath(error.context);
      if (done.count(key)) continue;
      nlohmann::json* value = documentNodeAt(document, error.context);
      const nlohmann::json* node = schemaNodeAt(root, fileNameFor(id), error.context);
      if (!value || !value->is_string() || !node || !node->is_object()) continue;
      // Which common definition (DS, CS, ...) the key refers to: schemaNodeAt
      // resolved the $ref, so the node is the definition itself.
      const nlohmann::json* definition = nullptr;
      for (const char* name : {"CS", "LO", "SH", "UI", "DS", "IS", "BodyPart", "PN", "ST"})
        if (node == &commonDefinition(name)) definition = node;
      const nlohmann::json* stringSchema = node;
      if (node->contains("oneOf")) {
        stringSchema = nullptr;
        for (const auto& alternative : (*node)["oneOf"])
          if (alternative.value("type", "") == "string") stringSchema = &alternative;
        if (!stringSchema) continue;
      }
      std::string what;
      const std::string before = value->get<std::string>();
      auto after = fitted(before, *stringSchema, definition, what);
      done.insert(key);
      if (!after && mode == Conform::ForValidation) {
        *value = placeholder(*node);
        changed = true;
        continue;
      }
      if (!after || *after == before) continue;
      if (mode == Conform::Repair) log::warning(file + ": " + key + ": " + what + "; written as '" + *after + "'");
      *value = *after;
      ++changes;
      changed = true;
    }
    if (!changed) break;
  }
  return changes;
}

}  // namespace

std::size_t conformToValueRepresentations(SchemaId id, nlohmann::json& document, const std::string& file, bool warn) {
  return conform(id, document, file, warn ? Conform::Repair : Conform::RepairQuietly);
}

void validateReaderOutput(SchemaId id, const nlohmann::json& document, const std::string& input) {
  nlohmann::json copy = document;
  try {
    conform(id, copy, input, Conform::ForValidation);
    validateAgainstSchema(id, copy, input);
  } catch (const Error& e) {
    throw Error(ErrorKind::Input, input, e.where(), "cannot be expressed as metadata JSON: " + e.message());
  }
}

}  // namespace qidcm
