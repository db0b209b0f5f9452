#include "dicom/file_writer.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcostrmf.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmdata/dcwcache.h>

#include "qidcm/error.h"

namespace qidcm::dicom {

const char* transferSyntaxUid(TransferSyntax ts) {
  switch (ts) {
    case TransferSyntax::ExplicitVRLittleEndian: return UID_LittleEndianExplicitTransferSyntax;
    case TransferSyntax::DeflatedExplicitVRLittleEndian: return UID_DeflatedExplicitVRLittleEndianTransferSyntax;
  }
  return UID_LittleEndianExplicitTransferSyntax;
}

void ByteSink::write(const void* data, std::size_t size) {
  const auto* p = static_cast<const unsigned char*>(data);
  std::size_t left = size;
  int stalls = 0;
  while (left > 0) {
    const offile_off_t n = out_.write(p, static_cast<offile_off_t>(left));
    if (out_.status().bad()) throwOutput(path_, std::string("write failed: ") + out_.status().text());
    if (n <= 0) {
      if (++stalls > 1000) throwOutput(path_, "write failed: output stream stalled");
      continue;
    }
    stalls = 0;
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  written_ += size;
}

namespace {

E_TransferSyntax dcmtkSyntax(TransferSyntax ts) {
  return ts == TransferSyntax::DeflatedExplicitVRLittleEndian ? EXS_DeflatedLittleEndianExplicit
                                                              : EXS_LittleEndianExplicit;
}

void putTagHeader(unsigned char* out, Uint16 group, Uint16 element) {
  out[0] = static_cast<unsigned char>(group & 0xff);
  out[1] = static_cast<unsigned char>(group >> 8);
  out[2] = static_cast<unsigned char>(element & 0xff);
  out[3] = static_cast<unsigned char>(element >> 8);
}

void putUint32(unsigned char* out, std::uint32_t v) {
  for (int n = 0; n < 4; ++n) out[n] = static_cast<unsigned char>((v >> (8 * n)) & 0xff);
}

// Serialises one item (tag, explicit length, content) into the stream.
void writeItem(DcmItem& item, DcmOutputStream& out, E_TransferSyntax xfer, const std::string& path) {
  item.transferInit();
  OFCondition status;
  int rounds = 0;
  do {
    status = item.write(out, xfer, EET_ExplicitLength, nullptr);
  } while (status == EC_StreamNotifyClient && ++rounds < 100000);
  item.transferEnd();
  if (status.bad()) throwOutput(path, std::string("cannot write functional groups: ") + status.text());
}

}  // namespace

void setPixelElement(StreamedContent& content, unsigned bitsAllocated, bool floating) {
  if (floating) {
    content.pixelElement = bitsAllocated == 64 ? 0x0009 : 0x0008;
    content.pixelVR = bitsAllocated == 64 ? "OD" : "OF";
  } else {
    content.pixelElement = 0x0010;
    content.pixelVR = bitsAllocated > 8 ? "OW" : "OB";
  }
}

void writeStreamed(const std::string& path, DcmDataset& head, TransferSyntax ts, const StreamedContent& content) {
  // Nothing may follow the streamed parts in tag order.
  for (unsigned long n = 0; n < head.card(); ++n) {
    const DcmTagKey key = head.getElement(n)->getTag();
    if (key >= DCM_PerFrameFunctionalGroupsSequence) throwInternal("dataset head holds a tag after the streamed parts");
  }
  const std::uint64_t padded = content.pixelLength + (content.pixelLength & 1u);
  if (padded > 0xFFFFFFFEull)
    throwOutput(path, "Pixel Data of " + std::to_string(content.pixelLength) +
                          " bytes exceeds the 4 GB limit of native encoding; fewer frames are needed "
                          "(--skip 1, or --segmentationType labelmap)");

  const E_TransferSyntax xfer = dcmtkSyntax(ts);
  DcmFileFormat file(&head, /*deepCopy=*/OFFalse);
  struct Release {
    DcmFileFormat& f;
    ~Release() { f.getAndRemoveDataset(); }  // the dataset belongs to the caller
  } release{file};

  DcmOutputFileStream out(path.c_str());
  if (out.status().bad()) throwOutput(path, std::string("cannot create file: ") + out.status().text());
  DcmWriteCache cache;
  file.transferInit();
  OFCondition status = file.write(out, xfer, EET_ExplicitLength, &cache, EGL_withoutGL, EPD_noChange, 0, 0, 0,
                                  EWM_updateMeta);
  file.transferEnd();
  if (status.bad()) throwOutput(path, std::string("cannot write dataset: ") + status.text());

  ByteSink raw(out, path);
  if (content.frames > 0) {
    // (5200,9230) SQ, undefined length; items; sequence delimitation item.
    unsigned char header[12];
    putTagHeader(header, 0x5200, 0x9230);
    header[4] = 'S';
    header[5] = 'Q';
    header[6] = header[7] = 0;
    putUint32(header + 8, 0xFFFFFFFFu);
    raw.write(header, sizeof header);
    for (std::size_t f = 0; f < content.frames; ++f) {
      DcmItem item;
      content.fillPerFrameGroups(f, item);
      writeItem(item, out, xfer, path);
    }
    unsigned char end[8];
    putTagHeader(end, 0xFFFE, 0xE0DD);
    putUint32(end + 4, 0);
    raw.write(end, sizeof end);
  }

  unsigned char header[12];
  putTagHeader(header, 0x7FE0, content.pixelElement);
  header[4] = static_cast<unsigned char>(content.pixelVR[0]);
  header[5] = static_cast<unsigned char>(content.pixelVR[1]);
  header[6] = header[7] = 0;
  putUint32(header + 8, static_cast<std::uint32_t>(padded));
  raw.write(header, sizeof header);
  ByteSink sink(out, path);
  if (content.producePixels) content.producePixels(sink);
  if (sink.written() != content.pixelLength)
    throwInternal("pixel data producer wrote " + std::to_string(sink.written()) + " bytes, expected " +
                  std::to_string(content.pixelLength));
  if (padded != content.pixelLength) {
    const unsigned char zero = 0;
    sink.write(&zero, 1);
  }
  out.flush();
  if (out.status().bad()) throwOutput(path, std::string("write failed: ") + out.status().text());
}

}  // namespace qidcm::dicom
