#include "rtstruct/interpreted_type.h"

#include <cctype>
#include <map>

namespace qidcm::rtstruct {
namespace {

Code dcm(const char* value, const char* meaning) { return {value, "DCM", meaning, ""}; }
Code sct(const char* value, const char* meaning) { return {value, "SCT", meaning, ""}; }

struct Row {
  Code category;
  Code type;
  const char* note;  // nullptr: the standard's pair
};

const std::map<std::string, Row>& table() {
  static const Code rtTarget = dcm("130041", "RT Target");
  static const Code brachy = dcm("130045", "Brachytherapy Device");
  static const Code fixation = dcm("130044", "Fixation or Positioning Device");
  static const char* const target = nullptr;  // CID 9580 lists RT Target; the types are CID 9534's
  static const std::map<std::string, Row> rows{
      // PS3.3 Table C.8.8.8.3.1-1
      {"EXTERNAL", {dcm("130047", "External Body Model"), dcm("130067", "Patient Anatomy Model"),
                    "type chosen from CID 9507 (Patient Anatomy Model or Extended Patient Anatomy Model)"}},
      {"BOLUS", {dcm("130405", "Patient-Attached Dose Control Object"), sct("228736002", "Surface Bolus"), nullptr}},
      {"MARKER", {dcm("130666", "Radiotherapy Fiducial"), dcm("112171", "Fiducial mark"),
                  "type is generic: CID 7112 has no generic marker; choose the marker kind there"}},
      {"ISOCENTER", {dcm("130043", "RT Geometric Information"), dcm("130073", "Isocentric Treatment Location Point"),
                     nullptr}},
      {"CONTRAST_AGENT", {sct("105590001", "Substance"), sct("7140000", "Contrast agent"), nullptr}},
      {"CAVITY", {sct("91723000", "Anatomical Structure"), sct("91806002", "Body cavity"), nullptr}},
      {"BRACHY_CHANNEL", {brachy, dcm("130080", "Brachytherapy channel"), nullptr}},
      {"BRACHY_SRC_APP", {brachy, dcm("130078", "Brachytherapy source applicator"), nullptr}},
      {"BRACHY_CHNL_SHLD", {brachy, dcm("130079", "Brachytherapy channel shield"), nullptr}},
      {"SUPPORT", {fixation, sct("86407004", "Table"), "type chosen from CID 9515 (Table or Chair)"}},
      // CID 9580 (segmentation categories) + CID 9534 (Radiotherapy Target)
      {"PTV", {rtTarget, sct("228793007", "PTV"), target}},
      {"CTV", {rtTarget, sct("228792002", "CTV"), target}},
      {"GTV", {rtTarget, sct("228791009", "GTV"), target}},
      {"TREATED_VOLUME", {rtTarget, dcm("130059", "Treated Volume"), target}},
      {"IRRAD_VOLUME", {rtTarget, sct("228790005", "Irradiated Volume"), target}},
  };
  return rows;
}

// Types whose table row names a category but no type the ROI alone fixes.
const std::map<std::string, const char*>& genericReasons() {
  static const std::map<std::string, const char*> reasons{
      {"ORGAN", "the organ is not known from the interpreted type; give its anatomy codes"},
      {"OAR", "the organ at risk's anatomy is not known from the interpreted type; give its anatomy codes"},
      {"AVOIDANCE", "an avoidance volume has no segmentation property codes in PS3.16"},
      {"CONTROL", "a control volume has no segmentation property codes in PS3.16"},
      {"REGISTRATION", "a registration ROI has no segmentation property codes in PS3.16"},
      {"FIXATION", "category would be (130044, DCM, \"Fixation or Positioning Device\"); choose the type in CID 9513"},
      {"BRACHY_ACCESSORY", "category would be (130045, DCM, \"Brachytherapy Device\"); PS3.3 defines no type CID"},
      {"DOSE_REGION", "likely (130748, DCM, \"Radiotherapy Dose Region\") / (130747, DCM, \"Isodose Volume\") (CID 9580, 9582), not confirmed in PS3.3"},
      {"DOSE_MEASUREMENT", "category is RT dose measurement; choose the device type in CID 7027"},
  };
  return reasons;
}

}  // namespace

PropertyCodes propertyCodes(const std::string& interpretedType) {
  // Defined Terms are upper case; some writers are not.
  std::string key = interpretedType;
  for (char& c : key) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const auto& rows = table();
  if (auto it = rows.find(key); it != rows.end())
    return {it->second.category, it->second.type, it->second.note ? it->second.note : ""};
  const Code tissue = sct("85756007", "Tissue");
  std::string note = "generic codes: ";
  if (interpretedType.empty()) {
    note += "the ROI has no RT ROI Interpreted Type";
  } else if (auto it = genericReasons().find(key); it != genericReasons().end()) {
    note += "RT ROI Interpreted Type " + interpretedType + ": " + it->second;
  } else {
    note += "RT ROI Interpreted Type " + interpretedType + " has no code pair in PS3.3 or PS3.16";
  }
  return {tissue, tissue, note + "; fill in SegmentedPropertyCategoryCodeSequence and SegmentedPropertyTypeCodeSequence"};
}

}  // namespace qidcm::rtstruct
