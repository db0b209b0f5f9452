#pragma once
// Small, checked helpers for building DICOM datasets with dcmdata.
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcitem.h>

#include <string>
#include <vector>

#include "qidcm/codes.h"

namespace qidcm::dicom {

// "PatientID (0010,0020)"
std::string attributeName(const DcmTagKey& key);

// Writes attribute values. With value checking on, a value that does not
// conform to the attribute's VR throws Error (Input) naming the attribute and
// `origin` (the JSON key or source file the value came from).
class ValueWriter {
 public:
  explicit ValueWriter(bool checkValues) : check_(checkValues) {}
  bool checking() const { return check_; }

  void put(DcmItem& item, const DcmTagKey& key, const std::string& value, const std::string& origin = "") const;
  void putUint16(DcmItem& item, const DcmTagKey& key, Uint16 value) const;
  void putUint16Array(DcmItem& item, const DcmTagKey& key, const std::vector<Uint16>& values) const;
  void putUint32Array(DcmItem& item, const DcmTagKey& key, const std::vector<Uint32>& values) const;
  void putTag(DcmItem& item, const DcmTagKey& key, const DcmTagKey& value) const;
  // Appends an item to sequence `seq` of `item` (creating it) and writes the
  // Code Sequence Macro into it.
  void putCode(DcmItem& item, const DcmTagKey& seq, const Code& code, const std::string& origin = "") const;
  void writeCode(DcmItem& item, const Code& code, const std::string& origin = "") const;
  // Checks an element copied from elsewhere; throws as put() does.
  void checkCopied(DcmElement& element, const std::string& origin) const;

 private:
  bool check_;
};

// Appends a new empty item to sequence `seq` of `parent` and returns it.
DcmItem& appendItem(DcmItem& parent, const DcmTagKey& seq);
// Creates the (empty) sequence if it does not exist.
void ensureSequence(DcmItem& parent, const DcmTagKey& seq);

// Reading helpers that never throw.
std::string getString(DcmItem& item, const DcmTagKey& key);
bool getUint16(DcmItem& item, const DcmTagKey& key, Uint16& value);

// Current date and time as DICOM DA / TM.
std::string currentDate();
std::string currentTime();

}  // namespace qidcm::dicom
