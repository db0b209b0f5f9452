#include "dicom/file_writer.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcostrmf.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmdata/dcwcache.h>

#include <fcntl.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <thread>
#include <vector>
#include <cstring>
#include "pixel/transfer_syntax.h"
#include "qidcm/error.h"

namespace qidcm::dicom {

void ByteSink::write(const void* data, std::size_t size) {
  const auto* p = static_cast<const unsigned char*>(data);
  std::size_t left = size;
  int stalls = 0;
  while (left > 0) {
    const offile_off_t n = out_.write(p, static_cast<offile_off_t>(left));
    if (out_.status().bad())
      throwOutput(path_, "write failed: " + (error_ && !error_->empty() ? *error_ : std::string(out_.status().text())));
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

// A file consumer that notices every failed write (a full disk, a file size
// limit, an I/O error), including at close, where DCMTK's file stream only
// reports what its buffered writes saw. dcmdata hands it every element and
// item header on its own (a functional groups item is a hundred small
// writes), so it gathers them into blocks of kBlock bytes, and a second
// thread writes each full block while the next one fills: encoding frames
// and copying them into the page cache overlap. A failed block write is seen
// at the next block, flush or close.
class CheckedFileConsumer : public DcmConsumer {
 public:
  static constexpr std::size_t kBlock = 1u << 20;

  explicit CheckedFileConsumer(const std::string& path) : path_(path) {
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0) error_ = std::strerror(errno);
    filling_.reserve(kBlock);
    writing_.reserve(kBlock);
  }
  ~CheckedFileConsumer() override {
    wait();
    if (fd_ >= 0) ::close(fd_);
  }
  OFBool good() const override { return error_.empty(); }
  OFCondition status() const override { return good() ? EC_Normal : EC_InvalidStream; }
  OFBool isFlushed() const override { return filling_.empty() && !writer_.joinable(); }
  offile_off_t avail() const override { return good() ? 0x7FFFFFFF : 0; }
  offile_off_t write(const void* buf, offile_off_t buflen) override {
    if (!good()) return 0;
    const auto* p = static_cast<const char*>(buf);
    auto size = static_cast<std::size_t>(buflen);
    while (size > 0) {
      const std::size_t take = std::min(size, kBlock - filling_.size());
      filling_.insert(filling_.end(), p, p + take);
      p += take;
      size -= take;
      if (filling_.size() == kBlock) handOver();
    }
    return good() ? buflen : 0;
  }
  void flush() override {
    handOver();
    wait();
  }
  // Writes what is buffered and closes the file; returns the first error
  // seen, or empty.
  std::string close() {
    flush();
    if (fd_ >= 0) {
      if (::close(fd_) != 0 && error_.empty()) error_ = std::strerror(errno);
      fd_ = -1;
    }
    return error_;
  }
  const std::string& error() const { return error_; }

 private:
  // The block being filled goes to the writer thread (after the previous one
  // is written).
  void handOver() {
    wait();
    if (filling_.empty() || !good()) return;
    std::swap(filling_, writing_);
    filling_.clear();
    writer_ = std::thread([this] { writeAll(writing_.data(), writing_.size(), writerError_); });
  }
  void wait() {
    if (writer_.joinable()) writer_.join();
    if (!writerError_.empty() && error_.empty()) error_ = writerError_;
  }
  void writeAll(const char* p, std::size_t size, std::string& error) {
    std::size_t done = 0;
    while (done < size) {
      const ssize_t n = ::write(fd_, p + done, size - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        error = std::strerror(errno);
        return;
      }
      done += static_cast<std::size_t>(n);
    }
  }

  std::string path_;
  int fd_ = -1;
  std::string error_;
  std::string writerError_;  // set by the writer thread; read after join
  std::vector<char> filling_, writing_;
  std::thread writer_;
};

class CheckedOutputStream : public DcmOutputStream {
 public:
  explicit CheckedOutputStream(CheckedFileConsumer& consumer) : DcmOutputStream(&consumer) {}
};

void putTagHeader(unsigned char* out, Uint16 group, Uint16 element) {
  out[0] = static_cast<unsigned char>(group & 0xff);
  out[1] = static_cast<unsigned char>(group >> 8);
  out[2] = static_cast<unsigned char>(element & 0xff);
  out[3] = static_cast<unsigned char>(element >> 8);
}

void putUint32(unsigned char* out, std::uint32_t v) {
  for (int n = 0; n < 4; ++n) out[n] = static_cast<unsigned char>((v >> (8 * n)) & 0xff);
}

// An element header with undefined length: (group,element) VR 00 00 FFFFFFFF.
void writeUndefinedLengthHeader(ByteSink& raw, Uint16 group, Uint16 element, const char* vr) {
  unsigned char header[12];
  putTagHeader(header, group, element);
  header[4] = static_cast<unsigned char>(vr[0]);
  header[5] = static_cast<unsigned char>(vr[1]);
  header[6] = header[7] = 0;
  putUint32(header + 8, 0xFFFFFFFFu);
  raw.write(header, sizeof header);
}

// The Sequence Delimitation Item that closes an undefined-length element.
void writeSequenceDelimiter(ByteSink& raw) {
  unsigned char end[8];
  putTagHeader(end, 0xFFFE, 0xE0DD);
  putUint32(end + 4, 0);
  raw.write(end, sizeof end);
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

// Encapsulated Pixel Data (PS3.5 A.4): OB with undefined length, a Basic
// Offset Table item (the offset of each frame's fragment from the first
// fragment; empty when an offset would not fit 32 bits), one item per frame,
// and a sequence delimiter.
void writeFragments(ByteSink& raw, const std::vector<std::vector<std::uint8_t>>& fragments) {
  writeUndefinedLengthHeader(raw, 0x7FE0, 0x0010, "OB");
  std::vector<std::uint32_t> offsets;
  std::uint64_t at = 0;
  bool fits = true;
  for (const auto& f : fragments) {
    if (at > 0xFFFFFFFFull) fits = false;
    offsets.push_back(static_cast<std::uint32_t>(at));
    at += 8 + f.size();
  }
  if (!fits) offsets.clear();
  unsigned char item[8];
  putTagHeader(item, 0xFFFE, 0xE000);
  putUint32(item + 4, static_cast<std::uint32_t>(4 * offsets.size()));
  raw.write(item, sizeof item);
  std::vector<unsigned char> table(4 * offsets.size());
  for (std::size_t n = 0; n < offsets.size(); ++n) putUint32(table.data() + 4 * n, offsets[n]);
  if (!table.empty()) raw.write(table.data(), table.size());
  for (const auto& f : fragments) {
    if (f.size() & 1u) throwInternal("odd-length pixel data fragment");
    putUint32(item + 4, static_cast<std::uint32_t>(f.size()));
    raw.write(item, sizeof item);
    if (!f.empty()) raw.write(f.data(), f.size());
  }
  writeSequenceDelimiter(raw);
}

// Per-Frame Functional Groups Sequence (5200,9230): undefined length, one
// item per frame filled on demand, so only one item is in memory.
void writePerFrameGroups(ByteSink& raw, DcmOutputStream& out, E_TransferSyntax xfer, const std::string& path,
                         const StreamedContent& content) {
  writeUndefinedLengthHeader(raw, 0x5200, 0x9230, "SQ");
  for (std::size_t f = 0; f < content.frames; ++f) {
    DcmItem item;
    content.fillPerFrameGroups(f, item);
    writeItem(item, out, xfer, path);
  }
  writeSequenceDelimiter(raw);
}

// Native pixel data: the element header, the producer's bytes, checked for
// their count, and the padding to even length.
void writeNativePixels(ByteSink& raw, ByteSink& sink, const StreamedContent& content, std::uint64_t padded) {
  unsigned char header[12];
  putTagHeader(header, 0x7FE0, content.pixelElement);
  header[4] = static_cast<unsigned char>(content.pixelVR[0]);
  header[5] = static_cast<unsigned char>(content.pixelVR[1]);
  header[6] = header[7] = 0;
  putUint32(header + 8, static_cast<std::uint32_t>(padded));
  raw.write(header, sizeof header);
  if (content.producePixels) content.producePixels(sink);
  if (sink.written() != content.pixelLength)
    throwInternal("pixel data producer wrote " + std::to_string(sink.written()) + " bytes, expected " +
                  std::to_string(content.pixelLength));
  if (padded != content.pixelLength) {
    const unsigned char zero = 0;
    sink.write(&zero, 1);
  }
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

void writeStreamed(const std::string& path, DcmDataset& head, Compression compression,
                   const StreamedContent& content) {
  // Nothing may follow the streamed parts in tag order.
  for (unsigned long n = 0; n < head.card(); ++n) {
    const DcmTagKey key = head.getElement(n)->getTag();
    if (key >= DCM_PerFrameFunctionalGroupsSequence) throwInternal("dataset head holds a tag after the streamed parts");
  }
  const bool fragmented = encapsulated(compression);
  if (fragmented != (content.fragments != nullptr)) throwInternal("encapsulated pixel data without fragments");
  const std::uint64_t padded = content.pixelLength + (content.pixelLength & 1u);
  if (!fragmented && padded > 0xFFFFFFFEull)
    throwOutput(path, "Pixel Data of " + std::to_string(content.pixelLength) +
                          " bytes exceeds the 4 GB limit of native encoding; fewer frames are needed "
                          "(--skip 1, or --segmentationType labelmap)");

  const E_TransferSyntax xfer = pixel::datasetEncoding(compression);
  DcmFileFormat file(&head, /*deepCopy=*/OFFalse);
  struct Release {
    DcmFileFormat& f;
    ~Release() { f.getAndRemoveDataset(); }  // the dataset belongs to the caller
  } release{file};

  CheckedFileConsumer file_(path);
  if (!file_.good()) throwOutput(path, "cannot create file: " + file_.error());
  CheckedOutputStream out(file_);
  auto failed = [&](const std::string& what) {
    throwOutput(path, what + ": " + (file_.error().empty() ? std::string(out.status().text()) : file_.error()));
  };
  DcmWriteCache cache;
  E_FileWriteMode mode = EWM_updateMeta;
  if (compression == Compression::Difc) {
    // Meta header filled as for explicit little endian, then given the real
    // transfer syntax UID, and written as it stands.
    OFCondition meta = file.validateMetaInfo(xfer, EWM_updateMeta);
    if (meta.bad()) throwInternal(std::string("cannot build the file meta information: ") + meta.text());
    DcmMetaInfo* info = file.getMetaInfo();
    info->putAndInsertString(DCM_TransferSyntaxUID, transferSyntaxUid(compression));
    info->computeGroupLengthAndPadding(EGL_withGL, EPD_noChange, META_HEADER_DEFAULT_TRANSFERSYNTAX);
    mode = EWM_dontUpdateMeta;
  }
  file.transferInit();
  OFCondition status = file.write(out, xfer, EET_ExplicitLength, &cache, EGL_withoutGL, EPD_noChange, 0, 0, 0, mode);
  file.transferEnd();
  if (status.bad() || !file_.good()) failed("cannot write dataset");

  ByteSink raw(out, path, &file_.error());
  if (content.frames > 0) writePerFrameGroups(raw, out, xfer, path, content);
  if (fragmented) {
    writeFragments(raw, *content.fragments);
  } else if (content.producePixels || content.pixelLength != 0) {  // an SR has no pixel data
    ByteSink sink(out, path, &file_.error());
    writeNativePixels(raw, sink, content, padded);
  }
  out.flush();
  if (out.status().bad() || !file_.close().empty()) failed("write failed");
}

void writeMultiFrame(const std::string& path, DcmDataset& head, Compression compression,
                     const std::function<void(std::size_t, DcmItem&)>& fillPerFrameGroups,
                     const FramePixels& pixels) {
  StreamedContent content;
  content.frames = pixels.frames;
  content.fillPerFrameGroups = fillPerFrameGroups;
  content.pixelLength = pixels.nativeLength;
  setPixelElement(content, pixels.format.bitsAllocated, pixels.floating);
  std::vector<std::vector<std::uint8_t>> fragments;
  if (encapsulated(compression)) {
    try {
      fragments = pixel::encodeFrames(compression, pixels.format, pixels.frames, pixels.frame);
    } catch (const std::runtime_error& e) {
      throwInternal("--compress " + toString(compression) + ": " + e.what());
    }
    content.fragments = &fragments;
  } else if (pixels.stream) {
    content.producePixels = pixels.stream;
  } else {
    content.producePixels = [&](ByteSink& sink) {
      std::vector<std::uint8_t> frame;
      for (std::size_t f = 0; f < pixels.frames; ++f) {
        frame.assign(pixels.format.frameBytes(), 0);
        pixels.frame(f, frame);
        sink.write(frame.data(), frame.size());
      }
    };
  }
  writeStreamed(path, head, compression, content);
}

}  // namespace qidcm::dicom
