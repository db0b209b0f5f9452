// Reading metadata JSON files, and what makes a document safe to validate:
// limits on depth and string length, integral numbers as integers, invalid
// UTF-8 replaced.
#include <cmath>
#include <cstdint>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/utf8.h"
#include "json/schema_internal.h"
#include "qidcm/error.h"
#include "qidcm/schema.h"

namespace qidcm {
namespace {

// Limits that keep hostile metadata from exhausting the stack or the regular
// expression engine: nothing in qidcm's metadata nests deeper, and no DICOM
// text attribute a metadata key feeds needs a longer string.
constexpr std::size_t kMaxDepth = 64;
constexpr std::size_t kMaxString = 65536;

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

namespace detail {

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

}  // namespace detail

std::size_t repairUtf8(nlohmann::json& document) {
  std::size_t changed = 0;
  std::vector<nlohmann::json*> stack{&document};
  while (!stack.empty()) {
    nlohmann::json* node = stack.back();
    stack.pop_back();
    if (node->is_string()) {
      changed += replaceInvalidUtf8(node->get_ref<std::string&>());
    } else if (node->is_structured()) {
      for (auto& child : *node) stack.push_back(&child);
    }
  }
  return changed;
}

void normalizeNumbers(nlohmann::json& document, const std::string& file) {
  detail::checkLimits(document, file);
  normalize(document);
}

nlohmann::json readJsonFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throwInput(path, "", "cannot open file");
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  try {
    nlohmann::json document = nlohmann::json::parse(text);
    detail::checkLimits(document, path);
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
