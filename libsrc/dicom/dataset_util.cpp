#include "dicom/dataset_util.h"

#include <dcmtk/dcmdata/dcelem.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <dcmtk/dcmdata/dcvrat.h>
#include <dcmtk/dcmdata/dcvrfd.h>
#include <dcmtk/dcmdata/dcvrss.h>
#include <dcmtk/dcmdata/dcvrus.h>
#include <dcmtk/dcmdata/dcvrul.h>

#include <dcmtk/dcmdata/dcdict.h>
#include <dcmtk/dcmdata/dcdicent.h>

#include <cstdio>
#include <ctime>
#include <set>

#include "core/utf8.h"
#include "qidcm/error.h"
#include "qidcm/log.h"

namespace qidcm::dicom {


namespace {
[[noreturn]] void valueError(const DcmTagKey& key, const std::string& value, const std::string& why,
                             const Origin& origin) {
  const std::string where = origin.key.empty() ? attributeName(key) : origin.key + " -> " + attributeName(key);
  throw Error(ErrorKind::Input, origin.file, where,
              "invalid value '" + value + "' (" + why + "); use --noDicomValueChecks to write it anyway");
}

// The value multiplicity the data dictionary allows, as checkValue() takes it.
std::string dictionaryVM(const DcmTag& tag) {
  const DcmDataDictionary& dictionary = dcmDataDict.rdlock();
  const DcmDictEntry* entry = dictionary.findEntry(tag, nullptr);
  std::string vm = "1-n";
  if (entry) {
    const int low = entry->getVMMin(), high = entry->getVMMax();
    if (high == DcmVariableVM)
      vm = std::to_string(low) + "-n";
    else if (low == high)
      vm = std::to_string(low);
    else
      vm = std::to_string(low) + "-" + std::to_string(high);
  }
  dcmDataDict.rdunlock();
  return vm;
}
}  // namespace

bool isAscii(const std::string& text) {
  for (unsigned char c : text)
    if (c >= 0x80) return false;
  return true;
}

void putFloat64(DcmItem& item, const DcmTagKey& key, double value) {
  auto* element = new DcmFloatingPointDouble(DcmTag(key, EVR_FD));
  element->putFloat64(value);
  item.insert(element, OFTrue);
}

void putUSorSS(DcmItem& item, const DcmTagKey& key, long value, bool isSigned) {
  if (isSigned) {
    auto* element = new DcmSignedShort(DcmTag(key, EVR_SS));
    element->putSint16(static_cast<Sint16>(value));
    item.insert(element, OFTrue);
  } else {
    auto* element = new DcmUnsignedShort(DcmTag(key, EVR_US));
    element->putUint16(static_cast<Uint16>(value));
    item.insert(element, OFTrue);
  }
}

std::vector<DcmItem*> itemsOf(DcmSequenceOfItems* sequence) {
  std::vector<DcmItem*> items;
  if (!sequence) return items;
  items.reserve(sequence->card());
  for (DcmObject* o = sequence->nextInContainer(nullptr); o; o = sequence->nextInContainer(o))
    items.push_back(static_cast<DcmItem*>(o));
  return items;
}

void useUtf8(DcmItem& dataset, const std::string& origin) {
  const std::string current = getString(dataset, DCM_SpecificCharacterSet);
  if (current == "ISO_IR 192") return;
  if (!current.empty() && current != "ISO_IR 6") {
    OFCondition status = dataset.convertCharacterSet("ISO_IR 192", 0);
    if (status.bad())
      throw Error(ErrorKind::Input, origin, attributeName(DCM_SpecificCharacterSet),
                  "'" + current + "' text cannot be converted to UTF-8 for non-ASCII metadata: " + status.text());
  }
  dataset.putAndInsertString(DCM_SpecificCharacterSet, "ISO_IR 192");
}

namespace {
std::string shortenEach(const std::string& value, char separator, std::size_t limit) {
  std::string out;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = value.find(separator, start);
    const std::string part = value.substr(start, end == std::string::npos ? std::string::npos : end - start);
    out += codePoints(part) > limit ? firstCodePoints(part, limit) : part;
    if (end == std::string::npos) break;
    out += separator;
    start = end + 1;
  }
  return out;
}

std::string vrName(DcmEVR vr) { return DcmVR(vr).getVRName(); }

// Puts `value` into a new element; with checking, a value longer than its VR
// allows is shortened with a warning, and any other violation throws.
// Text VRs, whose values may be shortened. Numbers, dates, times and UIDs
// are not: a shorter one would be another value.
bool isTextVR(DcmEVR vr) {
  switch (vr) {
    case EVR_AE: case EVR_CS: case EVR_LO: case EVR_LT: case EVR_PN: case EVR_SH: case EVR_ST: return true;
    default: return false;
  }
}

// With value checking, a text value longer than its VR allows is shortened
// with a warning; returns whether the element's VR is such a text VR (whose
// length DCMTK need not check again).
bool shortenWithWarning(DcmElement& element, std::string& value, const Origin& origin) {
  const DcmEVR vr = element.getTag().getEVR();
  if (!isTextVR(vr)) return false;
  const std::string shorter = shortenToVR(value, vr);
  if (shorter == value) return true;
  const std::string where = (origin.file.empty() ? std::string() : origin.file + ": ") +
                            (origin.key.empty() ? std::string() : origin.key + " -> ") +
                            attributeName(element.getTag());
  log::warning(where + ": value of " + std::to_string(codePoints(value)) + " characters is longer than " + vrName(vr) +
               " allows (" + std::to_string(maxValueCharacters(vr)) + "); written shortened to '" + shorter + "'");
  value = shorter;
  element.putString(value.c_str(), static_cast<Uint32>(value.size()));
  return true;
}
}  // namespace

std::size_t maxValueCharacters(DcmEVR vr) {
  switch (vr) {
    case EVR_AE: return 16;
    case EVR_AS: return 4;
    case EVR_CS: return 16;
    case EVR_DA: return 8;
    case EVR_DS: return 16;
    case EVR_DT: return 26;
    case EVR_IS: return 12;
    case EVR_LO: return 64;
    case EVR_LT: return 10240;
    case EVR_PN: return 64;
    case EVR_SH: return 16;
    case EVR_ST: return 1024;
    case EVR_TM: return 14;
    case EVR_UI: return 64;
    default: return 0;
  }
}

std::string shortenToVR(const std::string& value, DcmEVR vr) {
  const std::size_t limit = maxValueCharacters(vr);
  if (limit == 0 || codePoints(value) <= limit) return value;
  if (vr == EVR_ST || vr == EVR_LT) return firstCodePoints(value, limit);
  if (vr == EVR_PN) {
    std::string out;
    std::size_t start = 0;
    while (true) {  // values, then component groups
      const std::size_t end = value.find('\\', start);
      const std::string one = value.substr(start, end == std::string::npos ? std::string::npos : end - start);
      out += shortenEach(one, '=', limit);
      if (end == std::string::npos) break;
      out += '\\';
      start = end + 1;
    }
    return out;
  }
  return shortenEach(value, '\\', limit);
}

std::size_t warnNonconformingValues(DcmItem& dataset, const std::string& file) {
  std::set<DcmTagKey> warned;
  std::vector<DcmItem*> stack{&dataset};
  while (!stack.empty()) {
    DcmItem* item = stack.back();
    stack.pop_back();
    for (unsigned long n = 0; n < item->card(); ++n) {
      DcmElement* element = item->getElement(n);
      if (!element) continue;
      const DcmTagKey key = element->getTag();
      if (key == DCM_PerFrameFunctionalGroupsSequence) continue;
      if (element->ident() == EVR_SQ) {
        for (DcmItem* child : itemsOf(static_cast<DcmSequenceOfItems*>(element))) stack.push_back(child);
        continue;
      }
      if (!element->isaString() || element->getLength() == 0 || warned.count(key)) continue;
      OFString value;
      element->getOFStringArray(value);
      const DcmEVR vr = element->getTag().getEVR();
      // Length in characters (UTF-8 code points), which DCMTK does not count
      // in every character set; its own check covers the rest.
      OFCondition valid = EC_Normal;
      if (shortenToVR(value.c_str(), vr) != value.c_str()) {
        valid = EC_MaximumLengthViolated;
      } else {
        valid = element->checkValue(dictionaryVM(element->getTag()).c_str());
        if (valid == EC_MaximumLengthViolated) valid = EC_Normal;
      }
      if (valid.good()) continue;
      std::string why = valid.text();
      if (valid == EC_MaximumLengthViolated)
        why = "value of " + std::to_string(codePoints(value.c_str())) + " characters is longer than " + vrName(vr) +
              " allows (" + std::to_string(maxValueCharacters(vr)) + ")";
      else if (valid == EC_ValueRepresentationViolated)
        why = "value does not conform to " + vrName(vr);
      else if (valid == EC_ValueMultiplicityViolated)
        why = "number of values not allowed (VM " + dictionaryVM(element->getTag()) + ")";
      const std::string shown = value.length() > 80 ? std::string(value.c_str()).substr(0, 77) + "..." : value.c_str();
      log::warning(file + ": " + attributeName(key) + ": " + why + ": '" + shown + "'; kept as it is");
      warned.insert(key);
    }
  }
  return warned.size();
}

void ValueWriter::put(DcmItem& item, const DcmTagKey& key, const std::string& value, const Origin& origin) const {
  DcmTag tag(key);
  DcmElement* element = DcmItem::newDicomElement(tag);
  if (!element) throwInternal("cannot create element " + attributeName(key));
  OFCondition status = element->putString(value.c_str(), static_cast<Uint32>(value.size()));
  if (status.good() && check_ && !value.empty()) {
    // Length in characters, checked here: DCMTK does not count it for every
    // VR and character set.
    std::string text = value;
    const bool isText = shortenWithWarning(*element, text, origin);
    OFCondition valid = element->checkValue(dictionaryVM(tag).c_str());
    if (isText && valid == EC_MaximumLengthViolated) valid = EC_Normal;
    if (valid.bad()) {
      delete element;
      valueError(key, text, valid.text(), origin);
    }
  }
  if (status.good()) status = item.insert(element, OFTrue);
  if (status.bad()) {
    delete element;
    throwInternal("cannot write " + attributeName(key) + ": " + status.text());
  }
}

void ValueWriter::putUint16(DcmItem& item, const DcmTagKey& key, Uint16 value) const {
  if (item.putAndInsertUint16(key, value).bad()) throwInternal("cannot write " + attributeName(key));
}

void ValueWriter::putUint16Array(DcmItem& item, const DcmTagKey& key, const std::vector<Uint16>& values) const {
  if (item.putAndInsertUint16Array(key, values.data(), static_cast<unsigned long>(values.size())).bad())
    throwInternal("cannot write " + attributeName(key));
}

void ValueWriter::putUint32Array(DcmItem& item, const DcmTagKey& key, const std::vector<Uint32>& values) const {
  DcmUnsignedLong* element = new DcmUnsignedLong(DcmTag(key));
  if (element->putUint32Array(values.data(), static_cast<unsigned long>(values.size())).bad() ||
      item.insert(element, OFTrue).bad()) {
    delete element;
    throwInternal("cannot write " + attributeName(key));
  }
}

void ValueWriter::putTag(DcmItem& item, const DcmTagKey& key, const DcmTagKey& value) const {
  if (item.putAndInsertTagKey(key, value).bad()) throwInternal("cannot write " + attributeName(key));
}

void ValueWriter::writeCode(DcmItem& target, const Code& code, const Origin& origin) const {
  // Values longer than SH go to Long Code Value, URNs to URN Code Value.
  if (code.value.rfind("urn:", 0) == 0 || code.value.rfind("http", 0) == 0)
    put(target, DCM_URNCodeValue, code.value, origin);
  else if (code.value.size() > 16)
    put(target, DCM_LongCodeValue, code.value, origin);
  else
    put(target, DCM_CodeValue, code.value, origin);
  put(target, DCM_CodingSchemeDesignator, code.scheme, origin);
  if (!code.schemeVersion.empty()) put(target, DCM_CodingSchemeVersion, code.schemeVersion, origin);
  put(target, DCM_CodeMeaning, code.meaning, origin);
}

void ValueWriter::putCode(DcmItem& item, const DcmTagKey& seq, const Code& code, const Origin& origin) const {
  writeCode(appendItem(item, seq), code, origin);
}

void ValueWriter::checkCopied(DcmElement& element, const Origin& origin) const {
  if (!check_) return;
  if (element.getLength() == 0 || element.isLeaf() == OFFalse) return;
  bool text = false;
  if (element.isaString()) {
    OFString value;
    element.getOFStringArray(value);
    std::string copy = value.c_str();
    text = shortenWithWarning(element, copy, origin);
  }
  OFCondition valid = element.checkValue(dictionaryVM(element.getTag()).c_str());
  if (text && valid == EC_MaximumLengthViolated) valid = EC_Normal;
  if (valid.bad()) {
    OFString value;
    element.getOFStringArray(value);
    valueError(element.getTag(), value.c_str(), valid.text(), origin);
  }
}

DcmItem& appendItem(DcmItem& parent, const DcmTagKey& seq) {
  DcmItem* item = nullptr;
  if (parent.findOrCreateSequenceItem(seq, item, -2).bad() || !item)
    throwInternal("cannot append item to " + attributeName(seq));
  return *item;
}

void ensureSequence(DcmItem& parent, const DcmTagKey& seq) {
  if (!parent.tagExists(seq)) parent.insertEmptyElement(seq);
}

std::string getString(DcmItem& item, const DcmTagKey& key) {
  OFString value;
  if (item.findAndGetOFStringArray(key, value).good()) return value.c_str();
  return "";
}

std::optional<Code> readCode(DcmItem& parent, const DcmTagKey& seq) {
  DcmItem* item = nullptr;
  if (parent.findAndGetSequenceItem(seq, item, 0).bad() || !item) return std::nullopt;
  Code c;
  c.value = getString(*item, DCM_CodeValue);
  if (c.value.empty()) c.value = getString(*item, DCM_LongCodeValue);
  if (c.value.empty()) c.value = getString(*item, DCM_URNCodeValue);
  c.scheme = getString(*item, DCM_CodingSchemeDesignator);
  c.meaning = getString(*item, DCM_CodeMeaning);
  c.schemeVersion = getString(*item, DCM_CodingSchemeVersion);
  if (c.scheme.empty()) c.scheme = "99UNKNOWN";
  if (c.meaning.empty()) c.meaning = c.value;
  return c;
}

bool getUint16(DcmItem& item, const DcmTagKey& key, Uint16& value) {
  return item.findAndGetUint16(key, value).good();
}

std::string currentDate() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y%m%d", &tm);
  return buf;
}

std::string currentTime() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%H%M%S", &tm);
  return buf;
}

}  // namespace qidcm::dicom
