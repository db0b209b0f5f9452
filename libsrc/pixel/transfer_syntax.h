#pragma once
// The one table of transfer syntaxes: what qidcm reads (and how it decodes
// each one's frames) and what it writes (for each --compress value).
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcxfer.h>

#include <string>
#include <vector>

#include "qidcm/compression.h"

namespace qidcm::pixel {

// How the frames of a transfer syntax are decoded.
enum class Decoder {
  Native,          // uncompressed (the deflated data set is inflated by DCMTK on reading)
  Rle,             // pixel/rle.h
  DeflatedFrames,  // pixel/deflate.h: Deflated Image Frame Compression
  Jpeg2000,        // pixel/j2k.h (OpenJPEG), High-Throughput JPEG 2000 included
  Dcmtk,           // DCMTK's registered decoders (JPEG, JPEG-LS)
};

struct TransferSyntax {
  const char* uid;
  const char* name;
  // DCMTK's identifier; EXS_Unknown for those DCMTK 3.6.7 does not know
  // (Deflated Image Frame Compression, High-Throughput JPEG 2000).
  E_TransferSyntax dcmtk;
  bool encapsulated;  // one fragment (or more) per frame
  Decoder decoder;
  // The --compress value that writes it, if one does.
  bool written = false;
  Compression compression = Compression::None;
};

// Every entry, in table order.
std::vector<const TransferSyntax*> transferSyntaxes();

// The entry of `uid`, or nullptr for a transfer syntax not in the table
// (DCMTK then decides, as Decoder::Dcmtk).
const TransferSyntax* findTransferSyntax(const std::string& uid);

// The entry a --compress value writes.
const TransferSyntax& transferSyntaxFor(Compression c);

// The encoding DCMTK writes the data set in for `c`: the syntax itself, or
// Explicit VR Little Endian for one DCMTK does not know (its pixel data is
// encapsulated by qidcm; the file meta names the real syntax).
E_TransferSyntax datasetEncoding(Compression c);

}  // namespace qidcm::pixel
