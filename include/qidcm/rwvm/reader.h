#pragma once
// Real World Value Mapping reader: the mappings of an RWVM object (PS3.3
// A.46) and the images each applies to, from any writer.
#include <string>

#include "qidcm/rwvm/writer.h"

namespace qidcm::rwvm {

struct ReadResult {
  Content content;           // images, mappings (images by index), series attributes
  std::string sopInstanceUID;
  std::string studyInstanceUID;
  std::string patientID;
  std::string patientName;
  std::size_t lutMappings = 0;  // mappings given as a LUT (Real World Value LUT Data): not kept, warned
};

// Throws Error (Input) naming the file when it is not an RWVM object or has
// no mapping. Values the writer would refuse (Bits Stored, labels longer
// than SH) are kept.
ReadResult readRealWorldValueMapping(const std::string& path);

}  // namespace qidcm::rwvm
