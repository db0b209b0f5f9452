#include "dicom/dataset_util.h"

#include <dcmtk/dcmdata/dcelem.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <dcmtk/dcmdata/dcvrat.h>
#include <dcmtk/dcmdata/dcvrus.h>
#include <dcmtk/dcmdata/dcvrul.h>

#include <dcmtk/dcmdata/dcdict.h>
#include <dcmtk/dcmdata/dcdicent.h>

#include <cstdio>
#include <ctime>

#include "qidcm/error.h"

namespace qidcm::dicom {

std::string attributeName(const DcmTagKey& key) {
  DcmTag tag(key);
  char buf[32];
  std::snprintf(buf, sizeof buf, "(%04X,%04X)", key.getGroup(), key.getElement());
  return std::string(tag.getTagName()) + " " + buf;
}

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

void ValueWriter::put(DcmItem& item, const DcmTagKey& key, const std::string& value, const Origin& origin) const {
  DcmTag tag(key);
  DcmElement* element = DcmItem::newDicomElement(tag);
  if (!element) throwInternal("cannot create element " + attributeName(key));
  OFCondition status = element->putString(value.c_str(), static_cast<Uint32>(value.size()));
  if (status.good() && check_ && !value.empty()) {
    OFCondition valid = element->checkValue(dictionaryVM(tag).c_str());
    if (valid.bad()) {
      delete element;
      valueError(key, value, valid.text(), origin);
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
  OFCondition valid = element.checkValue(dictionaryVM(element.getTag()).c_str());
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
