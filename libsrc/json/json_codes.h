#pragma once
// JSON <-> Code and colour helpers shared by the SEG, PM and SR metadata.
#include <nlohmann/json.hpp>

#include "qidcm/codes.h"

namespace qidcm {

Code codeFromJson(const nlohmann::json& node);
nlohmann::json codeToJson(const Code& code);

// A JSON string or integer (IS/DS values may be either) as text.
std::string scalarText(const nlohmann::json& node);

}  // namespace qidcm
