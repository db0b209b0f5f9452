#include "core/utf8.h"

namespace qidcm {
namespace {
bool startsCodePoint(char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }
}  // namespace

std::size_t codePoints(const std::string& text) {
  std::size_t n = 0;
  for (char c : text)
    if (startsCodePoint(c)) ++n;
  return n;
}

std::string firstCodePoints(const std::string& text, std::size_t count) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (!startsCodePoint(text[i])) continue;
    if (n == count) return text.substr(0, i);
    ++n;
  }
  return text;
}

}  // namespace qidcm
