#pragma once
// The lowest use of DCMTK, for every layer above it: DCMTK's logger, its
// decoder registry, and the names of attributes in messages.
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dctagkey.h>

#include <string>

namespace qidcm::dcmtk {

// Quiets DCMTK's own logger (qidcm reports problems itself); with --verbose
// its errors are shown. Safe to call many times.
void configure();

// Registers DCMTK's JPEG, JPEG-LS and RLE decoders, once.
void registerDecoders();

// "PatientID (0010,0020)"
std::string attributeName(const DcmTagKey& key);

}  // namespace qidcm::dcmtk
