#include "dicom/dataset_util.h"

#include <dcmtk/dcmdata/dcelem.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <dcmtk/dcmdata/dcvrat.h>
#include <dcmtk/dcmdata/dcvrus.h>
#include <dcmtk/dcmdata/dcvrul.h>

#include <cstdio>
#include <ctime>

#include "qidcm/error.h"

namespace qidcm::dicom {

std::string attributeName(const DcmTagKey& key) {
  DcmTag tag(key);
  char buf[32];
  std::snprintf(buf, sizeof buf, "(%04x,%04x)", key.getGroup(), key.getElement());
  return std::string(tag.getTagName()) + " " + buf;
}

namespace {
[[noreturn]] void valueError(const DcmTagKey& key, const std::string& value, const std::string& why,
                             const std::string& origin) {
  std::string message = "invalid value '" + value + "' (" + why + ")";
  if (!origin.empty()) message += " from " + origin;
  message += "; use --noDicomValueChecks to write it anyway";
  throw Error(ErrorKind::Input, "", attributeName(key), message);
}
}  // namespace

void ValueWriter::put(DcmItem& item, const DcmTagKey& key, const std::string& value, const std::string& origin) const {
  DcmTag tag(key);
  DcmElement* element = DcmItem::newDicomElement(tag);
  if (!element) throwInternal("cannot create element " + attributeName(key));
  OFCondition status = element->putString(value.c_str(), static_cast<Uint32>(value.size()));
  if (status.good() && check_ && !value.empty()) {
    OFCondition valid = element->checkValue("1-n");
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

void ValueWriter::writeCode(DcmItem& target, const Code& code, const std::string& origin) const {
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

void ValueWriter::putCode(DcmItem& item, const DcmTagKey& seq, const Code& code, const std::string& origin) const {
  writeCode(appendItem(item, seq), code, origin);
}

void ValueWriter::checkCopied(DcmElement& element, const std::string& origin) const {
  if (!check_) return;
  if (element.getLength() == 0 || element.isLeaf() == OFFalse) return;
  OFCondition valid = element.checkValue("1-n");
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
