#pragma once
// Lengths of UTF-8 text in characters (code points), as DICOM's value
// length limits and JSON Schema's maxLength count them.
#include <cstddef>
#include <string>

namespace qidcm {

std::size_t codePoints(const std::string& text);

// Replaces every byte that does not start a valid UTF-8 sequence (overlong
// forms and surrogates included) by U+FFFD; true when anything changed.
bool replaceInvalidUtf8(std::string& text);

// The first `count` code points of `text` (all of it when it has fewer).
std::string firstCodePoints(const std::string& text, std::size_t count);

}  // namespace qidcm
