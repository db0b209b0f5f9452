#pragma once
// Lengths of UTF-8 text in characters (code points), as DICOM's value
// length limits and JSON Schema's maxLength count them.
#include <cstddef>
#include <string>

namespace qidcm {

std::size_t codePoints(const std::string& text);

// The first `count` code points of `text` (all of it when it has fewer).
std::string firstCodePoints(const std::string& text, std::size_t count);

}  // namespace qidcm
