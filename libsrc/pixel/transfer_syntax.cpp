#include "pixel/transfer_syntax.h"

namespace qidcm::pixel {
namespace {

const TransferSyntax kTable[] = {
    {"1.2.840.10008.1.2", "Little Endian Implicit", EXS_LittleEndianImplicit, false, Decoder::Native},
    {"1.2.840.10008.1.2.1", "Little Endian Explicit", EXS_LittleEndianExplicit, false, Decoder::Native, true, Compression::None},
    {"1.2.840.10008.1.2.2", "Big Endian Explicit", EXS_BigEndianExplicit, false, Decoder::Native},
    {"1.2.840.10008.1.2.1.99", "Deflated Explicit VR Little Endian", EXS_DeflatedLittleEndianExplicit, false,
     Decoder::Native, true, Compression::Deflate},
    {"1.2.840.10008.1.2.5", "RLE Lossless", EXS_RLELossless, true, Decoder::Rle, true, Compression::Rle},
    {"1.2.840.10008.1.2.8.1", "Deflated Image Frame Compression", EXS_Unknown, true, Decoder::DeflatedFrames, true, Compression::Difc},
    {"1.2.840.10008.1.2.4.90", "JPEG 2000 (Lossless Only)", EXS_JPEG2000LosslessOnly, true, Decoder::Jpeg2000, true, Compression::Jpeg2000},
    {"1.2.840.10008.1.2.4.91", "JPEG 2000", EXS_JPEG2000, true, Decoder::Jpeg2000},
    {"1.2.840.10008.1.2.4.92", "JPEG 2000 Part 2 Multicomponent (Lossless Only)",
     EXS_JPEG2000MulticomponentLosslessOnly, true, Decoder::Jpeg2000},
    {"1.2.840.10008.1.2.4.93", "JPEG 2000 Part 2 Multicomponent", EXS_JPEG2000Multicomponent, true,
     Decoder::Jpeg2000},
    {"1.2.840.10008.1.2.4.201", "High-Throughput JPEG 2000 (Lossless Only)", EXS_Unknown, true, Decoder::Jpeg2000},
    {"1.2.840.10008.1.2.4.202", "High-Throughput JPEG 2000 with RPCL Options (Lossless Only)", EXS_Unknown, true,
     Decoder::Jpeg2000},
    {"1.2.840.10008.1.2.4.203", "High-Throughput JPEG 2000", EXS_Unknown, true, Decoder::Jpeg2000},
    {"1.2.840.10008.1.2.4.80", "JPEG-LS Lossless", EXS_JPEGLSLossless, true, Decoder::Dcmtk, true, Compression::JpegLs},
    {"1.2.840.10008.1.2.4.81", "JPEG-LS Lossy (Near-Lossless)", EXS_JPEGLSLossy, true, Decoder::Dcmtk},
};

}  // namespace

std::vector<const TransferSyntax*> transferSyntaxes() {
  std::vector<const TransferSyntax*> all;
  for (const auto& t : kTable) all.push_back(&t);
  return all;
}

const TransferSyntax* findTransferSyntax(const std::string& uid) {
  for (const auto& t : kTable)
    if (uid == t.uid) return &t;
  return nullptr;
}

const TransferSyntax& transferSyntaxFor(Compression c) {
  for (const auto& t : kTable)
    if (t.written && t.compression == c) return t;
  return kTable[1];  // not reached: every Compression has its entry
}

E_TransferSyntax datasetEncoding(Compression c) {
  const E_TransferSyntax known = transferSyntaxFor(c).dcmtk;
  return known == EXS_Unknown ? EXS_LittleEndianExplicit : known;
}

}  // namespace qidcm::pixel

namespace qidcm {

const char* transferSyntaxUid(Compression c) { return pixel::transferSyntaxFor(c).uid; }

bool encapsulated(Compression c) { return pixel::transferSyntaxFor(c).encapsulated; }

}  // namespace qidcm
