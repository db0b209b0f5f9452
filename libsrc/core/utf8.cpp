#include "core/utf8.h"

#include <cstdint>
#include <utility>

namespace qidcm {
namespace {
bool startsCodePoint(char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }

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

}  // namespace

bool replaceInvalidUtf8(std::string& text) {
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
