#include "radiomics/features_input.h"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/csv.h"
#include "qidcm/error.h"

namespace qidcm::radiomics {
namespace {

const char* kClasses[] = {"firstorder", "shape", "shape2D", "glcm", "glrlm", "glszm", "gldm", "ngtdm"};

// A recursive-descent reader of Python literals.
class Literal {
 public:
  explicit Literal(const std::string& text) : s_(text) {}

  std::optional<nlohmann::json> parse() {
    try {
      nlohmann::json v = value();
      space();
      if (at_ != s_.size()) return std::nullopt;
      return v;
    } catch (const std::runtime_error&) {
      return std::nullopt;
    }
  }

 private:
  void space() {
    while (at_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[at_]))) ++at_;
  }
  [[noreturn]] void bad() const { throw std::runtime_error("not a literal"); }
  bool take(char c) {
    space();
    if (at_ < s_.size() && s_[at_] == c) {
      ++at_;
      return true;
    }
    return false;
  }
  bool word(const char* w) {
    space();
    const std::size_t n = std::char_traits<char>::length(w);
    if (s_.compare(at_, n, w) != 0) return false;
    if (at_ + n < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[at_ + n])) || s_[at_ + n] == '_'))
      return false;
    at_ += n;
    return true;
  }

  nlohmann::json sequence(char close) {
    nlohmann::json list = nlohmann::json::array();
    if (take(close)) return list;
    do {
      if (take(close)) return list;  // trailing comma
      list.push_back(value());
    } while (take(','));
    if (!take(close)) bad();
    return list;
  }

  nlohmann::json value() {
    struct Depth {
      int& d;
      explicit Depth(int& depth) : d(depth) {
        if (++d > 200) throw std::runtime_error("too deep");
      }
      ~Depth() { --d; }
    } depth(depth_);
    space();
    if (at_ >= s_.size()) bad();
    const char c = s_[at_];
    if (c == '{') {
      ++at_;
      nlohmann::json object = nlohmann::json::object();
      if (take('}')) return object;
      do {
        if (take('}')) return object;
        nlohmann::json key = value();
        if (!take(':')) bad();
        object[key.is_string() ? key.get<std::string>() : key.dump()] = value();
      } while (take(','));
      if (!take('}')) bad();
      return object;
    }
    if (c == '[') return ++at_, sequence(']');
    if (c == '(') return ++at_, sequence(')');
    if (c == '\'' || c == '"') return string(c);
    if (word("None")) return nullptr;
    if (word("True")) return true;
    if (word("False")) return false;
    if (word("nan") || word("NaN")) return "nan";
    if (word("inf") || word("Infinity")) return "inf";
    return number();
  }

  nlohmann::json string(char quote) {
    ++at_;
    std::string out;
    while (at_ < s_.size() && s_[at_] != quote) {
      if (s_[at_] == '\\' && at_ + 1 < s_.size()) ++at_;
      out += s_[at_++];
    }
    if (at_ >= s_.size()) bad();
    ++at_;
    return out;
  }

  nlohmann::json number() {
    const char* begin = s_.c_str() + at_;
    if (*begin == '-' && (s_.compare(at_ + 1, 3, "inf") == 0)) {
      at_ += 4;
      return "-inf";
    }
    char* end = nullptr;
    const long long i = std::strtoll(begin, &end, 10);
    const char* integerEnd = end;
    const double d = std::strtod(begin, &end);
    if (end == begin) bad();
    at_ += static_cast<std::size_t>(end - begin);
    if (integerEnd == end) return i;
    return d;
  }

  const std::string& s_;
  std::size_t at_ = 0;
  int depth_ = 0;
};

std::string trimmed(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  std::size_t n = 0;
  while (n < s.size() && std::isspace(static_cast<unsigned char>(s[n]))) ++n;
  return s.substr(n);
}

std::optional<long> labelOf(const std::string& text, const std::string& path, const std::string& where) {
  const std::string t = trimmed(text);
  if (t.empty()) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(t.c_str(), &end);
  if (end != t.c_str() + t.size() || !std::isfinite(v) || v < 1 || v > 65535 || v != std::floor(v))
    throwInput(path, where + " Label", "'" + t + "' is not a positive integer");
  return static_cast<long>(v);
}

void addColumn(FeatureCase& c, const std::string& name, const std::string& text, const nlohmann::json* value,
               const std::string& path) {
  if (name == "Label") {
    c.label = labelOf(text, path, c.where);
  } else if (name == "Image") {
    c.image = text;
  } else if (name == "Mask") {
    c.mask = text;
  } else if (name.rfind("diagnostics_", 0) == 0) {
    c.diagnostics[name] = value ? *value : parsePythonLiteral(text);
  } else if (isFeatureColumn(name)) {
    c.features.emplace_back(name, trimmed(text));
  }
}

std::vector<FeatureCase> readCsv(std::istream& in, const std::string& path, char separator) {
  const auto records = csvRecords(in, separator);
  if (records.empty()) throwInput(path, "", "empty: no header line");
  const std::vector<std::string>& header = records.front();
  std::vector<FeatureCase> cases;
  for (std::size_t r = 1; r < records.size(); ++r) {
    FeatureCase c;
    c.where = "row " + std::to_string(r + 1);
    if (records[r].size() > header.size())
      throwInput(path, c.where, std::to_string(records[r].size()) + " cells, but the header has " +
                                    std::to_string(header.size()));
    for (std::size_t n = 0; n < records[r].size(); ++n) addColumn(c, header[n], records[r][n], nullptr, path);
    cases.push_back(std::move(c));
  }
  return cases;
}

// Bare NaN / Infinity (Python's json module writes them) become strings.
std::string quoteNonFinite(const std::string& text) {
  std::string out;
  bool inString = false;
  for (std::size_t n = 0; n < text.size(); ++n) {
    const char c = text[n];
    if (inString) {
      out += c;
      if (c == '\\' && n + 1 < text.size()) out += text[++n];
      else if (c == '"') inString = false;
      continue;
    }
    if (c == '"') inString = true;
    bool replaced = false;
    for (const char* token : {"-Infinity", "Infinity", "NaN"}) {
      const std::size_t len = std::char_traits<char>::length(token);
      if (text.compare(n, len, token) == 0) {
        out += std::string("\"") + token + "\"";
        n += len - 1;
        replaced = true;
        break;
      }
    }
    if (!replaced) out += c;
  }
  return out;
}

FeatureCase caseOf(const nlohmann::json& object, const std::string& where, const std::string& path) {
  if (!object.is_object()) throwInput(path, where, "is not a JSON object of features");
  FeatureCase c;
  c.where = where;
  for (const auto& [key, value] : object.items()) {
    std::string text;
    if (value.is_string())
      text = value.get<std::string>();
    else if (value.is_number_integer() || value.is_number_float())
      text = value.dump();
    else if (value.is_null())
      text = "nan";
    else
      text = value.dump();
    addColumn(c, key, text, value.is_string() ? nullptr : &value, path);
  }
  return c;
}

std::vector<FeatureCase> readJson(const std::string& text, const std::string& path) {
  const std::string cleaned = quoteNonFinite(text);
  std::vector<FeatureCase> cases;
  nlohmann::json document = nlohmann::json::parse(cleaned, nullptr, false);
  if (!document.is_discarded()) {
    if (document.is_array()) {
      for (std::size_t n = 0; n < document.size(); ++n)
        cases.push_back(caseOf(document[n], "case " + std::to_string(n + 1), path));
    } else {
      cases.push_back(caseOf(document, "case 1", path));
    }
    return cases;
  }
  // JSON Lines: one object per line.
  std::istringstream lines(cleaned);
  std::string line;
  std::size_t number = 0;
  while (std::getline(lines, line)) {
    ++number;
    if (trimmed(line).empty()) continue;
    nlohmann::json object = nlohmann::json::parse(line, nullptr, false);
    if (object.is_discarded()) throwInput(path, "line " + std::to_string(number), "not valid JSON");
    cases.push_back(caseOf(object, "case " + std::to_string(cases.size() + 1), path));
  }
  return cases;
}

}  // namespace

bool isFeatureColumn(const std::string& name) {
  const std::size_t first = name.find('_');
  if (first == std::string::npos || first == 0) return false;
  const std::size_t second = name.find('_', first + 1);
  if (second == std::string::npos || second + 1 >= name.size()) return false;
  if (name.find('_', second + 1) != std::string::npos) return false;
  const std::string cls = name.substr(first + 1, second - first - 1);
  for (const char* c : kClasses)
    if (cls == c) return true;
  return false;
}

nlohmann::json parsePythonLiteral(const std::string& text) {
  if (auto v = Literal(text).parse()) return *v;
  return text;
}

std::vector<FeatureCase> readFeatures(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throwInput(path, "", "cannot be read");
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  std::size_t first = 0;
  while (first < text.size() && std::isspace(static_cast<unsigned char>(text[first]))) ++first;
  std::vector<FeatureCase> cases;
  if (first < text.size() && (text[first] == '{' || text[first] == '[')) {
    cases = readJson(text, path);
  } else {
    std::istringstream csv(text);
    const bool tab = path.size() > 4 && path.compare(path.size() - 4, 4, ".tsv") == 0;
    cases = readCsv(csv, path, tab ? '\t' : ',');
  }
  if (cases.empty()) throwInput(path, "", "holds no case (no data row or object)");
  for (const FeatureCase& c : cases)
    if (c.features.empty())
      throwInput(path, c.where,
                 "no feature column (<imageType>_<class>_<feature>, e.g. original_firstorder_Mean)");
  return cases;
}

}  // namespace qidcm::radiomics
