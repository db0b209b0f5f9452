#include <catch2/catch.hpp>

#include "rtstruct/interpreted_type.h"

using namespace qidcm;
using namespace qidcm::rtstruct;

namespace {
std::string pair(const PropertyCodes& c) {
  return c.category.value + "/" + c.category.scheme + " " + c.type.value + "/" + c.type.scheme + " " + c.type.meaning;
}
}  // namespace

TEST_CASE("RT ROI Interpreted Types with a standard pair map to it, without a note") {
  CHECK(pair(propertyCodes("GTV")) == "130041/DCM 228791009/SCT GTV");
  CHECK(pair(propertyCodes("PTV")) == "130041/DCM 228793007/SCT PTV");
  CHECK(pair(propertyCodes("CAVITY")) == "91723000/SCT 91806002/SCT Body cavity");
  CHECK(pair(propertyCodes("ISOCENTER")) == "130043/DCM 130073/DCM Isocentric Treatment Location Point");
  CHECK(pair(propertyCodes("BOLUS")) == "130405/DCM 228736002/SCT Surface Bolus");
  CHECK(pair(propertyCodes("gtv")) == "130041/DCM 228791009/SCT GTV");  // upper case is the Defined Term
  CHECK(pair(propertyCodes("BRACHY_CHANNEL")) == "130045/DCM 130080/DCM Brachytherapy channel");
  for (const char* type : {"GTV", "CTV", "PTV", "CAVITY", "BOLUS", "ISOCENTER", "CONTRAST_AGENT", "BRACHY_SRC_APP"})
    CHECK(propertyCodes(type).note.empty());
}

TEST_CASE("a type chosen among a CID's codes carries a note naming the CID") {
  CHECK(propertyCodes("EXTERNAL").note.find("CID 9507") != std::string::npos);
  CHECK(propertyCodes("SUPPORT").note.find("CID 9515") != std::string::npos);
  CHECK(pair(propertyCodes("SUPPORT")) == "130044/DCM 86407004/SCT Table");
}

TEST_CASE("types without a pair get Tissue and a note that names the type and what to fill in") {
  for (const char* type : {"ORGAN", "OAR", "AVOIDANCE", "DOSE_REGION", "FIXATION", "Organ", "SOMETHING"}) {
    const PropertyCodes c = propertyCodes(type);
    CHECK(pair(c) == "85756007/SCT 85756007/SCT Tissue");
    CHECK(c.note.find(type) != std::string::npos);
    CHECK(c.note.find("SegmentedPropertyTypeCodeSequence") != std::string::npos);
  }
  CHECK(propertyCodes("").note.find("no RT ROI Interpreted Type") != std::string::npos);
}
