#include "json/json_codes.h"

namespace qidcm {

Code codeFromJson(const nlohmann::json& node) {
  Code code;
  code.value = node.value("CodeValue", "");
  code.scheme = node.value("CodingSchemeDesignator", "");
  code.meaning = node.value("CodeMeaning", "");
  code.schemeVersion = node.value("CodingSchemeVersion", "");
  return code;
}

nlohmann::json codeToJson(const Code& code) {
  nlohmann::json j = {{"CodeValue", code.value}, {"CodingSchemeDesignator", code.scheme}, {"CodeMeaning", code.meaning}};
  if (!code.schemeVersion.empty()) j["CodingSchemeVersion"] = code.schemeVersion;
  return j;
}

std::string scalarText(const nlohmann::json& node) {
  if (node.is_string()) {
    std::string s = node.get<std::string>();
    const auto first = s.find_first_not_of(' ');
    const auto last = s.find_last_not_of(' ');
    return first == std::string::npos ? "" : s.substr(first, last - first + 1);
  }
  if (node.is_number_integer()) return std::to_string(node.get<long long>());
  if (node.is_number()) return node.dump();
  return "";
}

}  // namespace qidcm
