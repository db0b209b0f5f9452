#pragma once
// pyradiomics' output, as radiomics2tid1500 reads it: the batch CSV (one row
// per case) or the JSON it writes for one case or several (an object, an
// array of objects, or one object per line). Diagnostics written as Python
// literals ({'binWidth': 25, 'interpolator': None}, tuples) become JSON.
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace qidcm::radiomics {

struct FeatureCase {
  std::string where;                 // "row 3" (CSV) or "case 1" (JSON), for messages
  std::optional<long> label;         // the Label column, when present
  std::string image, mask;           // the Image and Mask columns, when present
  std::map<std::string, nlohmann::json> diagnostics;  // diagnostics_* keys
  // <imageType>_<class>_<feature> columns, in file order, value as text.
  std::vector<std::pair<std::string, std::string>> features;
};

// Reads `path` (CSV, or JSON when it starts with '{' or '['). Throws Error
// (Input) naming the file and row or key: no feature column, a row with
// more cells than the header, a Label that is not an integer.
std::vector<FeatureCase> readFeatures(const std::string& path);

// The value of a Python literal (dict, list, tuple, str, int, float, None,
// True, False, nan, inf) as JSON (tuples as arrays, nan and inf as strings);
// a text that is not one is kept as a JSON string.
nlohmann::json parsePythonLiteral(const std::string& text);

// Whether `name` is a feature column: <imageType>_<class>_<feature> with
// one of pyradiomics' classes.
bool isFeatureColumn(const std::string& name);

}  // namespace qidcm::radiomics
