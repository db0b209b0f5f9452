#include "qidcm/schema.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include "core/utf8.h"
#include "qidcm/error.h"
#include "qidcm/log.h"

namespace qidcm {
namespace detail {
const std::vector<std::pair<std::string_view, std::string_view>>& embeddedSchemas();
}

namespace {

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

std::string quoted(const std::string& text, const std::string& open, const std::string& close) {
  const auto a = text.find(open);
  if (a == std::string::npos) return "";
  const auto b = text.find(close, a + open.size());
  if (b == std::string::npos) return "";
  return text.substr(a + open.size(), b - a - open.size());
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

namespace {
// Limits that keep hostile metadata from exhausting the stack or the regular
// expression engine: nothing in qidcm's metadata nests deeper, and no DICOM
// text attribute a metadata key feeds needs a longer string.
constexpr std::size_t kMaxDepth = 64;
constexpr std::size_t kMaxString = 65536;

// Iterative, so that the check itself survives any depth.
void checkLimits(const nlohmann::json& document, const std::string& file) {
  struct Entry {
    const nlohmann::json* node;
    std::size_t depth;
    std::string path;
  };
  std::vector<Entry> stack{{&document, 0, ""}};
  while (!stack.empty()) {
    Entry e = std::move(stack.back());
    stack.pop_back();
    if (e.depth > kMaxDepth)
      throwInput(file, e.path, "nested more than " + std::to_string(kMaxDepth) + " levels deep");
    if (e.node->is_string() && e.node->get_ref<const std::string&>().size() > kMaxString)
      throwInput(file, e.path.empty() ? "(top level)" : e.path,
                 "a string of " + std::to_string(e.node->get_ref<const std::string&>().size()) +
                     " characters; at most " + std::to_string(kMaxString) + " are accepted");
    if (e.node->is_object()) {
      for (auto it = e.node->begin(); it != e.node->end(); ++it)
        stack.push_back({&it.value(), e.depth + 1, e.path.empty() ? it.key() : e.path + "." + it.key()});
    } else if (e.node->is_array()) {
      for (std::size_t n = 0; n < e.node->size(); ++n)
        stack.push_back({&(*e.node)[n], e.depth + 1, e.path + "[" + std::to_string(n) + "]"});
    }
  }
}

void normalize(nlohmann::json& document) {
  if (document.is_number_float()) {
    const double v = document.get<double>();
    if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 9.0e15) {
      if (v >= 0)
        document = static_cast<std::uint64_t>(v);
      else
        document = static_cast<std::int64_t>(v);
    }
  } else if (document.is_structured()) {
    for (auto& child : document) normalize(child);
  }
}
}  // namespace

namespace {
// Length of the valid UTF-8 sequence starting at text[i], or 0.
std::size_t utf8Sequence(const std::string& text, std::size_t i) {
  const auto byte = [&](std::size_t n) { return static_cast<unsigned char>(text[n]); };
  const unsigned char c = byte(i);
  if (c < 0x80) return 1;
  std::size_t length;
  std::uint32_t code;
  if ((c & 0xE0) == 0xC0) {
    length = 2;
    code = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    length = 3;
    code = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    length = 4;
    code = c & 0x07;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  for (std::size_t n = 1; n < length; ++n) {
    if ((byte(i + n) & 0xC0) != 0x80) return 0;
    code = (code << 6) | (byte(i + n) & 0x3F);
  }
  const std::uint32_t minimum = length == 2 ? 0x80 : length == 3 ? 0x800 : 0x10000;
  if (code < minimum || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return 0;
  return length;
}

bool repairString(std::string& text) {
  std::string out;
  bool changed = false;
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = utf8Sequence(text, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD
      ++i;
      changed = true;
    } else {
      out.append(text, i, n);
      i += n;
    }
  }
  if (changed) text = std::move(out);
  return changed;
}
}  // namespace

std::size_t repairUtf8(nlohmann::json& document) {
  std::size_t changed = 0;
  std::vector<nlohmann::json*> stack{&document};
  while (!stack.empty()) {
    nlohmann::json* node = stack.back();
    stack.pop_back();
    if (node->is_string()) {
      changed += repairString(node->get_ref<std::string&>());
    } else if (node->is_structured()) {
      for (auto& child : *node) stack.push_back(&child);
    }
  }
  return changed;
}

void normalizeNumbers(nlohmann::json& document, const std::string& file) {
  checkLimits(document, file);
  normalize(document);
}

void validateAgainstSchema(SchemaId id, const nlohmann::json& document, const std::string& file) {
  checkLimits(document, file);
  const valijson::Schema& schema = compiledSchema(id);
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
      unknownKeys.push_back(jsonPath(error.context) + ": " + friendlyMessage(error, nullptr));
      continue;
    }
    if (!found || error.context.size() > chosen.context.size()) {
      chosen = error;
      found = true;
    }
  }
  for (const auto& u : unknownKeys) log::warning(file + ": " + u + " (ignored)");
  if (!found) return;
  const nlohmann::json* node = schemaNodeAt(schemaDocument(fileNameFor(id)), fileNameFor(id), chosen.context);
  throwInput(file, jsonPath(chosen.context), friendlyMessage(chosen, node));
}

namespace {
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
}  // namespace

namespace {
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

std::size_t conform(SchemaId id, nlohmann::json& document, const std::string& file, Conform mode);
}  // namespace

std::size_t conformToValueRepresentations(SchemaId id, nlohmann::json& document, const std::string& file, bool warn) {
  return conform(id, document, file, warn ? Conform::Repair : Conform::RepairQuietly);
}

namespace {
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

void validateReaderOutput(SchemaId id, const nlohmann::json& document, const std::string& input) {
  nlohmann::json copy = document;
  try {
    conform(id, copy, input, Conform::ForValidation);
    validateAgainstSchema(id, copy, input);
  } catch (const Error& e) {
    throw Error(ErrorKind::Input, input, e.where(), "cannot be expressed as metadata JSON: " + e.message());
  }
}

nlohmann::json readJsonFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throwInput(path, "", "cannot open file");
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  try {
    nlohmann::json document = nlohmann::json::parse(text);
    checkLimits(document, path);
    normalize(document);
    return document;
  } catch (const nlohmann::json::parse_error& e) {
    // Report line and column of the byte offset.
    std::size_t line = 1, column = 1;
    for (std::size_t n = 0; n + 1 < e.byte && n < text.size(); ++n) {
      if (text[n] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    throwInput(path, "", "invalid JSON at line " + std::to_string(line) + ", column " + std::to_string(column));
  }
}

}  // namespace qidcm
