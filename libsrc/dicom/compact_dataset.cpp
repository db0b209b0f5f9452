#include "dicom/compact_dataset.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dctag.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <unordered_map>

namespace qidcm::dicom {
namespace {

constexpr std::uint32_t kItem = 0xFFFEE000, kItemEnd = 0xFFFEE00D, kSequenceEnd = 0xFFFEE0DD;
constexpr std::uint32_t kUndefined = 0xFFFFFFFF;

std::uint16_t u16(const char* p) {
  std::uint16_t v;
  std::memcpy(&v, p, 2);
  return v;
}
std::uint32_t u32(const char* p) {
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

bool longLength(const char vr[2]) {
  static const char* const kLong[] = {"OB", "OD", "OF", "OL", "OV", "OW", "SQ", "UC", "UN", "UR", "UT", "SV", "UV"};
  for (const char* l : kLong)
    if (vr[0] == l[0] && vr[1] == l[1]) return true;
  return false;
}

// The dictionary's VR of a tag, for implicit VR files (cached per thread).
void dictionaryVr(std::uint32_t tag, char vr[2]) {
  thread_local std::unordered_map<std::uint32_t, std::uint16_t> cache;
  auto it = cache.find(tag);
  if (it == cache.end()) {
    const DcmTag t(static_cast<Uint16>(tag >> 16), static_cast<Uint16>(tag & 0xFFFF));
    const char* name = DcmVR(t.getEVR()).getVRName();
    std::uint16_t packed = static_cast<std::uint16_t>((name && name[0] && name[1]) ? (name[0] | (name[1] << 8))
                                                                                  : ('U' | ('N' << 8)));
    it = cache.emplace(tag, packed).first;
  }
  vr[0] = static_cast<char>(it->second & 0xFF);
  vr[1] = static_cast<char>(it->second >> 8);
}

class Parser {
 public:
  Parser(const std::string& bytes, bool explicitVr) : b_(bytes), explicit_(explicitVr) {}

  // Elements from `at` up to `end` (or an item delimiter when `end` is npos).
  bool items(std::size_t& at, std::size_t end, CompactItem& out, int depth) {
    if (depth > 64) return false;
    while (at < (end == std::string::npos ? b_.size() : end)) {
      if (at + 8 > b_.size()) return false;
      const std::uint32_t tag = (static_cast<std::uint32_t>(u16(&b_[at])) << 16) | u16(&b_[at + 2]);
      if (tag == kItemEnd) {
        at += 8;
        return end == std::string::npos;
      }
      CompactElement e;
      e.tag = tag;
      std::uint32_t length = 0;
      if (explicit_ && (tag >> 16) != 0xFFFE) {
        e.vr[0] = b_[at + 4];
        e.vr[1] = b_[at + 5];
        if (longLength(e.vr)) {
          if (at + 12 > b_.size()) return false;
          length = u32(&b_[at + 8]);
          at += 12;
        } else {
          length = u16(&b_[at + 6]);
          at += 8;
        }
      } else {
        dictionaryVr(tag, e.vr);
        length = u32(&b_[at + 4]);
        at += 8;
        if (length == kUndefined) e.vr[0] = 'S', e.vr[1] = 'Q';
      }
      if (e.vr[0] == 'S' && e.vr[1] == 'Q') {
        if (!sequence(at, length, e, depth)) return false;
      } else {
        if (length == kUndefined || at + length > b_.size()) return false;
        e.value = std::string_view(b_.data() + at, length);
        at += length;
      }
      out.elements.push_back(std::move(e));
    }
    return end != std::string::npos && at == end;
  }

 private:
  bool sequence(std::size_t& at, std::uint32_t length, CompactElement& e, int depth) {
    const std::size_t end = length == kUndefined ? std::string::npos : at + length;
    if (end != std::string::npos && end > b_.size()) return false;
    while (end == std::string::npos ? true : at < end) {
      if (at + 8 > b_.size()) return false;
      const std::uint32_t tag = (static_cast<std::uint32_t>(u16(&b_[at])) << 16) | u16(&b_[at + 2]);
      const std::uint32_t itemLength = u32(&b_[at + 4]);
      at += 8;
      if (tag == kSequenceEnd) return end == std::string::npos;
      if (tag != kItem) return false;
      CompactItem item;
      if (itemLength == kUndefined) {
        if (!items(at, std::string::npos, item, depth + 1)) return false;
      } else {
        if (at + itemLength > b_.size() || !items(at, at + itemLength, item, depth + 1)) return false;
      }
      e.items.push_back(std::move(item));
    }
    return at == end;
  }

  const std::string& b_;
  bool explicit_;
};

}  // namespace

const CompactElement* CompactItem::find(std::uint32_t tag) const {
  for (const CompactElement& e : elements)
    if (e.tag == tag) return &e;
  return nullptr;
}

std::string CompactItem::text(std::uint32_t tag) const {
  const CompactElement* e = find(tag);
  if (!e) return {};
  std::string_view v = e->value;
  while (!v.empty() && (v.back() == ' ' || v.back() == '\0')) v.remove_suffix(1);
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  return std::string(v);
}

const std::vector<CompactItem>* CompactItem::sequence(std::uint32_t tag) const {
  const CompactElement* e = find(tag);
  return e ? &e->items : nullptr;
}

const CompactItem* CompactItem::item(std::uint32_t tag, std::size_t n) const {
  const CompactElement* e = find(tag);
  return e && n < e->items.size() ? &e->items[n] : nullptr;
}

std::unique_ptr<CompactFile> readCompact(const std::string& path) {
  auto file = std::make_unique<CompactFile>();
  {
    std::ifstream in(path, std::ios::binary);
    if (!in) return nullptr;
    std::ostringstream buffer;
    buffer << in.rdbuf();
    file->bytes = buffer.str();
  }
  const std::string& b = file->bytes;
  if (b.size() < 132 || b.compare(128, 4, "DICM") != 0) return nullptr;
  // File meta: explicit VR little endian, group 0002.
  std::size_t at = 132;
  CompactItem meta;
  Parser metaParser(b, true);
  while (at + 8 <= b.size() && u16(&b[at]) == 0x0002) {
    CompactItem one;
    std::size_t next = at;
    // One element at a time: parse into `one` up to the element's end.
    const char vr[2] = {b[at + 4], b[at + 5]};
    const std::size_t header = longLength(vr) ? 12 : 8;
    if (at + header > b.size()) return nullptr;
    const std::uint32_t length = longLength(vr) ? u32(&b[at + 8]) : u16(&b[at + 6]);
    if (length == kUndefined || at + header + length > b.size()) return nullptr;
    next = at + header + length;
    if (!metaParser.items(at, next, one, 0)) return nullptr;
    for (auto& e : one.elements) meta.elements.push_back(std::move(e));
  }
  file->transferSyntax = meta.text(tagOf(0x0002, 0x0010));
  bool explicitVr;
  if (file->transferSyntax == "1.2.840.10008.1.2.1")
    explicitVr = true;
  else if (file->transferSyntax == "1.2.840.10008.1.2")
    explicitVr = false;
  else
    return nullptr;
  Parser parser(b, explicitVr);
  if (!parser.items(at, b.size(), file->dataset, 0)) return nullptr;
  return file;
}

}  // namespace qidcm::dicom
