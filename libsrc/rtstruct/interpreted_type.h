#pragma once
// RT ROI Interpreted Type (3006,00A4) -> Segmented Property Category and Type
// (PS3.3 Table C.8.8.8.3.1-1, the CIDs it names, and CID 9580/9534 for the
// target volumes). Table and sources: doc/rtstruct-rasterization.md.
#include <string>

#include "qidcm/codes.h"

namespace qidcm::rtstruct {

struct PropertyCodes {
  Code category;
  Code type;
  // Empty when the pair is the standard's; otherwise what the curator should
  // review (the generic fallback, or a type chosen among a CID's codes).
  std::string note;
};

// Matched without regard to case. Never throws: an unknown or empty type gives the generic Tissue / Tissue
// pair with a note.
PropertyCodes propertyCodes(const std::string& interpretedType);

}  // namespace qidcm::rtstruct
