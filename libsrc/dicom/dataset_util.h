#pragma once
// Small, checked helpers for building DICOM datasets with dcmdata.
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcitem.h>
#include <dcmtk/dcmdata/dcsequen.h>

#include <optional>
#include <string>
#include <vector>

#include "dcmtk/setup.h"
#include "qidcm/codes.h"

namespace qidcm::dicom {

using dcmtk::attributeName;  // "PatientID (0010,0020)"

// Where a value came from, for messages: the file (metadata JSON or source
// image) and, for JSON, the key.
struct Origin {
  std::string file;
  std::string key;
};

// Writes attribute values. With value checking on, a value that does not
// conform to the attribute's VR or value multiplicity throws Error (Input)
// naming the origin file, the JSON key and the attribute.
class ValueWriter {
 public:
  explicit ValueWriter(bool checkValues) : check_(checkValues) {}
  bool checking() const { return check_; }

  void put(DcmItem& item, const DcmTagKey& key, const std::string& value, const Origin& origin = {}) const;
  void putUint16(DcmItem& item, const DcmTagKey& key, Uint16 value) const;
  void putUint16Array(DcmItem& item, const DcmTagKey& key, const std::vector<Uint16>& values) const;
  void putUint32Array(DcmItem& item, const DcmTagKey& key, const std::vector<Uint32>& values) const;
  void putTag(DcmItem& item, const DcmTagKey& key, const DcmTagKey& value) const;
  // Appends an item to sequence `seq` of `item` (creating it) and writes the
  // Code Sequence Macro into it.
  void putCode(DcmItem& item, const DcmTagKey& seq, const Code& code, const Origin& origin = {}) const;
  void writeCode(DcmItem& item, const Code& code, const Origin& origin = {}) const;
  // Checks an element copied from elsewhere; throws as put() does.
  void checkCopied(DcmElement& element, const Origin& origin) const;

 private:
  bool check_;
};

// Appends a new empty item to sequence `seq` of `parent` and returns it.
DcmItem& appendItem(DcmItem& parent, const DcmTagKey& seq);
// An FD value; a US or SS value (attributes whose VR follows the Pixel
// Representation, such as Real World Value First / Last Value Mapped).
void putFloat64(DcmItem& item, const DcmTagKey& key, double value);
void putUSorSS(DcmItem& item, const DcmTagKey& key, long value, bool isSigned);
// Creates the (empty) sequence if it does not exist.
void ensureSequence(DcmItem& parent, const DcmTagKey& seq);

// The items of a sequence, in order. DcmSequenceOfItems::getItem(n) walks
// the list from its start, so a loop over getItem() is quadratic: 12,000
// per-frame items take seconds. Iterate over this instead.
std::vector<DcmItem*> itemsOf(DcmSequenceOfItems* sequence);

// Reading helpers that never throw.
std::string getString(DcmItem& item, const DcmTagKey& key);

// What readers do with values that break their VR's rules (longer than the VR
// allows, characters it does not allow, a wrong number of values): keep them
// as they are and warn, once per attribute, naming `file` and the attribute.
// Walks the whole data set but the Per-frame Functional Groups Sequence and
// bulk data. Returns the number of attributes warned about.
std::size_t warnNonconformingValues(DcmItem& dataset, const std::string& file);

// The most characters one value of `vr` may hold (PS3.5 Table 6.2-1), 0 for
// none (UC, UT, UR, binary VRs). PN: per component group.
std::size_t maxValueCharacters(DcmEVR vr);

// `value` with each of its values (backslash-separated, except for ST, LT,
// UT and UR, which hold one) cut to `maxValueCharacters(vr)` characters,
// counted in UTF-8 code points; PN per component group. ValueWriter shortens
// text VRs only (AE, CS, LO, LT, PN, SH, ST): a shorter number, date or UID
// would be another value, so those stay errors.
std::string shortenToVR(const std::string& value, DcmEVR vr);
// The Code Sequence Macro of the first item of `seq` (Code Value, else Long
// or URN Code Value); nullopt when there is none. A missing scheme reads as
// 99UNKNOWN and a missing meaning as the value, so a code is never rejected.
std::optional<Code> readCode(DcmItem& parent, const DcmTagKey& seq);
bool getUint16(DcmItem& item, const DcmTagKey& key, Uint16& value);

bool isAscii(const std::string& text);

// Makes the dataset's Specific Character Set UTF-8 (ISO_IR 192), converting
// values already in it from their declared character set. Throws Error when
// the conversion is impossible.
void useUtf8(DcmItem& dataset, const std::string& origin);

// Current date and time as DICOM DA / TM.
std::string currentDate();
std::string currentTime();

}  // namespace qidcm::dicom
