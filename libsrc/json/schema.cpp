// Schema lookup, validation and the messages that name what is wrong. Fitting
// values to their VRs is in json/value_fit.cpp, reading JSON files in
// json/json_file.cpp.
#include "qidcm/schema.h"

#include <cctype>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include "json/schema_internal.h"
#include "qidcm/error.h"
#include "qidcm/log.h"

namespace qidcm {
namespace detail {
const std::vector<std::pair<std::string_view, std::string_view>>& embeddedSchemas();

const char* fileNameFor(SchemaId id) {
  switch (id) {
    case SchemaId::Segmentation: return "seg-schema.json";
    case SchemaId::ParametricMap: return "pm-schema.json";
    case SchemaId::MeasurementReport: return "sr-tid1500-schema.json";
  }
  return "";
}

// Parsed schema documents, kept alive for the lifetime of the process so that
// the valijson schema can refer into them.
const nlohmann::json& schemaDocument(const std::string& fileName) {
  static std::mutex mutex;
  static std::map<std::string, std::unique_ptr<nlohmann::json>> cache;
  std::lock_guard<std::mutex> lock(mutex);
  auto it = cache.find(fileName);
  if (it == cache.end()) {
    auto doc = std::make_unique<nlohmann::json>(nlohmann::json::parse(schemaText(fileName)));
    it = cache.emplace(fileName, std::move(doc)).first;
  }
  return *it->second;
}

const valijson::Schema& compiledSchema(SchemaId id) {
  static std::mutex mutex;
  static std::map<SchemaId, std::unique_ptr<valijson::Schema>> cache;
  std::lock_guard<std::mutex> lock(mutex);
  auto it = cache.find(id);
  if (it != cache.end()) return *it->second;
  auto schema = std::make_unique<valijson::Schema>();
  valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
  valijson::adapters::NlohmannJsonAdapter adapter(schemaDocument(fileNameFor(id)));
  auto fetch = [](const std::string& uri) -> const nlohmann::json* {
    std::string name = uri;
    const auto slash = name.find_last_of('/');
    if (slash != std::string::npos) name = name.substr(slash + 1);
    return new nlohmann::json(schemaDocument(name));
  };
  auto release = [](const nlohmann::json* doc) { delete doc; };
  parser.populateSchema(adapter, *schema, fetch, release);
  return *cache.emplace(id, std::move(schema)).first->second;
}

// "<root>", "[segmentAttributes]", "[0]" -> segmentAttributes[0]
std::string jsonPath(const std::vector<std::string>& context) {
  std::string path;
  for (const auto& part : context) {
    if (part == "<root>" || part.size() < 2) continue;
    const std::string inner = part.substr(1, part.size() - 2);
    const bool index = !inner.empty() && inner.find_first_not_of("0123456789") == std::string::npos;
    if (index) {
      path += "[" + inner + "]";
    } else {
      if (!path.empty()) path += ".";
      path += inner;
    }
  }
  return path.empty() ? "(top level)" : path;
}

// The schema node that describes `context`, following properties, items and
// $ref, so that messages can say what was expected.
const nlohmann::json* schemaNodeAt(const nlohmann::json& root, const std::string& rootName,
                                   const std::vector<std::string>& context) {
  const nlohmann::json* node = &root;
  std::string currentDoc = rootName;
  auto resolve = [&](const nlohmann::json* n) {
    for (int guard = 0; n && guard < 8 && n->is_object() && n->contains("$ref"); ++guard) {
      const std::string ref = (*n)["$ref"].get<std::string>();
      const auto hash = ref.find('#');
      const std::string doc = ref.substr(0, hash);
      const nlohmann::json& base = doc.empty() ? schemaDocument(currentDoc) : schemaDocument(doc);
      if (!doc.empty()) currentDoc = doc;
      const std::string pointer = hash == std::string::npos ? "" : ref.substr(hash + 1);
      n = &base.at(nlohmann::json::json_pointer(pointer));
    }
    return n;
  };
  node = resolve(node);
  for (const auto& part : context) {
    if (part == "<root>" || part.size() < 2 || !node) continue;
    const std::string inner = part.substr(1, part.size() - 2);
    const bool index = !inner.empty() && inner.find_first_not_of("0123456789") == std::string::npos;
    if (index && node->contains("items")) {
      node = resolve(&(*node)["items"]);
    } else if (!index && node->contains("properties") && (*node)["properties"].contains(inner)) {
      node = resolve(&(*node)["properties"][inner]);
    } else {
      return nullptr;
    }
  }
  return node;
}
}  // namespace detail

namespace {

std::string quoted(const std::string& text, const std::string& open, const std::string& close) {
  const auto a = text.find(open);
  if (a == std::string::npos) return "";
  const auto b = text.find(close, a + open.size());
  if (b == std::string::npos) return "";
  return text.substr(a + open.size(), b - a - open.size());
}

std::string expectation(const nlohmann::json* node) {
  if (!node || !node->is_object()) return "";
  if (node->contains("type")) {
    const auto& t = (*node)["type"];
    if (t.is_string()) return t.get<std::string>();
  }
  if (node->contains("oneOf")) {
    std::string out;
    for (const auto& alt : (*node)["oneOf"])
      if (alt.contains("type")) out += (out.empty() ? "" : " or ") + alt["type"].get<std::string>();
    return out;
  }
  return "";
}

std::string friendlyMessage(const valijson::ValidationResults::Error& e, const nlohmann::json* node) {
  const std::string& d = e.description;
  if (d.rfind("Missing required property", 0) == 0) return "missing " + quoted(d, "'", "'");
  if (d.find("could not be validated using 'properties'") != std::string::npos) {
    const auto close = d.rfind('\'');
    const auto open = close == std::string::npos || close == 0 ? std::string::npos : d.rfind('\'', close - 1);
    return "unknown key " + (open == std::string::npos ? std::string() : d.substr(open + 1, close - open - 1));
  }
  if (d.rfind("Value type not permitted", 0) == 0) {
    const std::string want = expectation(node);
    return want.empty() ? "wrong type" : "wrong type, expected " + want;
  }
  if (d.rfind("Failed to match against any enum values", 0) == 0 && node && node->contains("enum")) {
    std::string values;
    for (const auto& v : (*node)["enum"]) {
      if (!v.is_string()) continue;
      values += (values.empty() ? "" : ", ") + v.get<std::string>();
    }
    return "value not allowed; allowed values: " + values;
  }
  if (d.rfind("Failed to match regex", 0) == 0) return "value does not match the pattern required for this attribute";
  if (d.rfind("String should be no fewer than 1", 0) == 0) return "empty value";
  std::string text = d;
  if (!text.empty() && text.back() == '.') text.pop_back();
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

bool isSummary(const std::string& description) {
  return description.rfind("Failed to validate", 0) == 0 || description.rfind("Cannot validate", 0) == 0;
}

}  // namespace

const std::string& schemaText(const std::string& fileName) {
  static std::mutex mutex;
  static std::map<std::string, std::string> texts;
  std::lock_guard<std::mutex> lock(mutex);
  auto it = texts.find(fileName);
  if (it != texts.end()) return it->second;
  for (const auto& [name, text] : detail::embeddedSchemas())
    if (name == fileName) return texts.emplace(fileName, std::string(text)).first->second;
  throwInternal("no embedded schema named " + fileName);
}

void validateAgainstSchema(SchemaId id, const nlohmann::json& document, const std::string& file) {
  detail::checkLimits(document, file);
  const valijson::Schema& schema = detail::compiledSchema(id);
  valijson::Validator validator(valijson::Validator::kStrongTypes);
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter target(document);
  if (validator.validate(schema, target, &results)) return;
  valijson::ValidationResults::Error chosen;
  bool found = false;
  valijson::ValidationResults::Error error;
  std::vector<std::string> unknownKeys;
  while (results.popError(error)) {
    // The most specific violation is the deepest one that is not a summary of
    // its children; oneOf alternatives ("child schema #n") are summaries too.
    if (isSummary(error.description)) continue;
    // Keys the schema does not know are reported but tolerated, as dcmqi
    // ignores them.
    if (error.description.find("could not be validated using 'properties'") != std::string::npos) {
      unknownKeys.push_back(detail::jsonPath(error.context) + ": " + friendlyMessage(error, nullptr));
      continue;
    }
    if (!found || error.context.size() > chosen.context.size()) {
      chosen = error;
      found = true;
    }
  }
  for (const auto& u : unknownKeys) log::warning(file + ": " + u + " (ignored)");
  if (!found) return;
  const nlohmann::json* node =
      detail::schemaNodeAt(detail::schemaDocument(detail::fileNameFor(id)), detail::fileNameFor(id), chosen.context);
  throwInput(file, detail::jsonPath(chosen.context), friendlyMessage(chosen, node));
}

nlohmann::json prepareMetadata(SchemaId schema, const nlohmann::json& input, const std::string& file) {
  nlohmann::json document = input;
  normalizeNumbers(document, file);
  conformToValueRepresentations(schema, document, file);
  validateAgainstSchema(schema, document, file);
  return document;
}

}  // namespace qidcm
