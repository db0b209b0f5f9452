#include "pixel/frame_source.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcpixel.h>
#include <dcmtk/dcmdata/dcpixseq.h>
#include <dcmtk/dcmdata/dcpxitem.h>

#include <cstring>
#include <mutex>
#include <stdexcept>

#include "pixel/bits.h"
#include "pixel/deflate.h"
#include "pixel/j2k.h"
#include "pixel/rle.h"
#include "pixel/transfer_syntax.h"
#include "dcmtk/setup.h"
#include "qidcm/error.h"

namespace qidcm::pixel {

using dcmtk::attributeName;
namespace {

// The decoder of a transfer syntax: the table's, else DCMTK's registry.
Decoder decoderFor(const std::string& uid) {
  const TransferSyntax* t = findTransferSyntax(uid);
  return t ? t->decoder : Decoder::Dcmtk;
}

}  // namespace

std::string FrameSource::transferSyntaxName() const {
  if (const TransferSyntax* t = findTransferSyntax(uid_)) return t->name;
  if (xfer_ == EXS_Unknown) return uid_;
  return DcmXfer(xfer_).getXferName();
}

FrameSource::FrameSource(DcmDataset& dataset, const std::string& transferSyntaxUid, const std::string& path,
                         std::size_t frames)
    : dataset_(dataset),
      xfer_(transferSyntaxUid.empty() ? dataset.getOriginalXfer() : DcmXfer(transferSyntaxUid.c_str()).getXfer()),
      uid_(transferSyntaxUid.empty() ? DcmXfer(dataset.getOriginalXfer()).getXferID() : transferSyntaxUid),
      path_(path),
      frames_(frames) {
  readPixelModule();
  if (mapFloatPixelData()) return;
  DcmElement* element = nullptr;
  if (dataset_.findAndGetElement(DCM_PixelData, element).bad() || !element)
    throwInput(path_, attributeName(DCM_PixelData), "missing");
  auto* pixelData = dynamic_cast<DcmPixelData*>(element);
  const Decoder codec = decoderFor(uid_);
  encapsulated_ = codec != Decoder::Native;
  if (!encapsulated_) {
    mapNativePixelData(element);
    return;
  }
  if (!pixelData) throwInput(path_, attributeName(DCM_PixelData), "is not pixel data");
  if (codec == Decoder::Dcmtk) {
    dcmtk::registerDecoders();
    dcmtkCodec_ = true;
    return;
  }
  mapFragments();
}

void FrameSource::readPixelModule() {
  Uint16 rows = 0, columns = 0, bits = 0, samples = 1;
  dataset_.findAndGetUint16(DCM_Rows, rows);
  dataset_.findAndGetUint16(DCM_Columns, columns);
  dataset_.findAndGetUint16(DCM_BitsAllocated, bits);
  dataset_.findAndGetUint16(DCM_SamplesPerPixel, samples);
  if (rows == 0) throwInput(path_, attributeName(DCM_Rows), "missing or zero");
  if (columns == 0) throwInput(path_, attributeName(DCM_Columns), "missing or zero");
  if (bits != 1 && bits != 8 && bits != 16 && bits != 32 && bits != 64)
    throwInput(path_, attributeName(DCM_BitsAllocated), "is " + std::to_string(bits) + "; 1, 8, 16, 32 or 64 expected");
  if (samples != 1 && !(samples == 3 && (bits == 8 || bits == 16)))
    throwInput(path_, attributeName(DCM_SamplesPerPixel),
               "is " + std::to_string(samples) + "; 1 (or 3 with 8- or 16-bit samples) expected");
  samples_ = samples;
  rows_ = rows;
  columns_ = columns;
  bitsAllocated_ = bits;
}

bool FrameSource::mapFloatPixelData() {
  const Uint16 bits = static_cast<Uint16>(bitsAllocated_);
  DcmElement* element = nullptr;
  // Float Pixel Data and Double Float Pixel Data (parametric maps) are always native.
  for (const DcmTagKey& floatKey : {DCM_FloatPixelData, DCM_DoubleFloatPixelData}) {
    if (dataset_.findAndGetElement(floatKey, element).good() && element) {
      const unsigned wanted = floatKey == DCM_FloatPixelData ? 32 : 64;
      if (bits != wanted)
        throwInput(path_, attributeName(DCM_BitsAllocated),
                   "is " + std::to_string(bits) + " but " + attributeName(floatKey) + " needs " + std::to_string(wanted));
      nativeLength_ = element->getLength();
      const std::uint64_t needed = static_cast<std::uint64_t>(rows_) * columns_ * frames_ * (wanted / 8);
      if (nativeLength_ < needed)
        throwInput(path_, attributeName(floatKey),
                   "holds " + std::to_string(nativeLength_) + " bytes, but " + std::to_string(frames_) +
                       " frame(s) need " + std::to_string(needed));
      if (deferIfOnDisk(element)) return true;
      if (wanted == 32) {
        Float32* values = nullptr;
        if (element->getFloat32Array(values).bad() || !values) throwInput(path_, attributeName(floatKey), "cannot be read");
        native_ = reinterpret_cast<const std::uint8_t*>(values);
      } else {
        Float64* values = nullptr;
        if (element->getFloat64Array(values).bad() || !values) throwInput(path_, attributeName(floatKey), "cannot be read");
        native_ = reinterpret_cast<const std::uint8_t*>(values);
      }
      return true;
    }
  }
  return false;
}

void FrameSource::mapNativePixelData(DcmElement* element) {
  const Uint16 bits = static_cast<Uint16>(bitsAllocated_);
  const std::uint64_t pixels = static_cast<std::uint64_t>(rows_) * columns_ * samples_ * frames_;
  const std::uint64_t needed = bits == 1 ? (pixels + 7) / 8 : pixels * (bits / 8);
  auto checkLength = [&] {
    if (nativeLength_ < needed)
      throwInput(path_, attributeName(DCM_PixelData),
                 "holds " + std::to_string(nativeLength_) + " bytes, but " + std::to_string(frames_) + " frame(s) of " +
                     std::to_string(rows_) + "x" + std::to_string(columns_) + " at " + std::to_string(bits) +
                     " bit(s) need " + std::to_string(needed));
  };
  if (deferIfOnDisk(element)) {
    nativeLength_ = element->getLength();
    checkLength();
    return;
  }
  if (bits >= 32) {
    Uint8* bytes = nullptr;
    if (element->getUint8Array(bytes).bad() || !bytes) throwInput(path_, attributeName(DCM_PixelData), "cannot be read");
    native_ = bytes;
  } else if (bits == 16) {
    Uint16* words = nullptr;
    if (element->getUint16Array(words).bad() || !words) {
      // Some writers use OB for 16-bit data: read it as bytes in little-endian order.
      Uint8* bytes = nullptr;
      if (element->getUint8Array(bytes).bad() || !bytes) throwInput(path_, attributeName(DCM_PixelData), "cannot be read");
      native_ = bytes;
    } else {
      native_ = reinterpret_cast<const std::uint8_t*>(words);
    }
  } else {
    Uint8* bytes = nullptr;
    if (element->getUint8Array(bytes).bad() || !bytes) {
      // 8-bit data stored as OW in big endian: DCMTK swaps words to host order,
      // which restores the byte sequence on little-endian hosts.
      Uint16* words = nullptr;
      if (element->getUint16Array(words).bad() || !words)
        throwInput(path_, attributeName(DCM_PixelData), "cannot be read");
      native_ = reinterpret_cast<const std::uint8_t*>(words);
    } else {
      native_ = bytes;
    }
  }
  nativeLength_ = element->getLength();
  checkLength();
}

bool FrameSource::deferIfOnDisk(DcmElement* element) {
  if (element->valueLoaded()) return false;
  // Read on demand only from little-endian, non-deflated files, where a frame
  // is a contiguous byte range of the file; otherwise load the value now.
  if (xfer_ != EXS_LittleEndianExplicit && xfer_ != EXS_LittleEndianImplicit) {
    if (element->loadAllDataIntoMemory().bad())
      throwInput(path_, attributeName(element->getTag()), "cannot be read");
    return false;
  }
  deferred_ = element;
  cache_ = std::make_unique<DcmFileCache>();
  deferredLock_ = std::make_unique<std::mutex>();
  return true;
}

void FrameSource::mapFragments() {
  auto* pixelData = dynamic_cast<DcmPixelData*>([&] {
    DcmElement* e = nullptr;
    dataset_.findAndGetElement(DCM_PixelData, e);
    return e;
  }());
  // The representation the file was read in (which DCMTK may know only as
  // "unknown" for transfer syntaxes newer than it).
  E_TransferSyntax original = EXS_Unknown;
  const DcmRepresentationParameter* parameter = nullptr;
  pixelData->getOriginalRepresentationKey(original, parameter);
  DcmPixelSequence* sequence = nullptr;
  if (pixelData->getEncapsulatedRepresentation(original, parameter, sequence).bad() || !sequence)
    throwInput(path_, attributeName(DCM_PixelData), "is not encapsulated although the transfer syntax is " +
                                                        transferSyntaxName());
  const unsigned long items = sequence->card();
  if (items < 2) throwInput(path_, attributeName(DCM_PixelData), "holds no fragment");
  std::vector<Fragment> fragments;
  std::vector<std::uint64_t> itemOffsets;  // offset of each fragment item from the first one
  std::uint64_t offset = 0;
  for (unsigned long n = 1; n < items; ++n) {
    DcmPixelItem* item = nullptr;
    sequence->getItem(item, n);
    Uint8* data = nullptr;
    if (item) item->getUint8Array(data);
    const std::size_t size = item ? item->getLength() : 0;
    fragments.push_back({data, data ? size : 0});
    itemOffsets.push_back(offset);
    offset += 8 + size;
  }
  // Basic Offset Table: byte offsets of each frame's first fragment.
  std::vector<std::uint64_t> table;
  DcmPixelItem* first = nullptr;
  sequence->getItem(first, 0);
  if (first && first->getLength() >= 4) {
    Uint8* data = nullptr;
    first->getUint8Array(data);
    for (std::size_t n = 0; data && n + 4 <= first->getLength(); n += 4)
      table.push_back(static_cast<std::uint64_t>(data[n]) | (static_cast<std::uint64_t>(data[n + 1]) << 8) |
                      (static_cast<std::uint64_t>(data[n + 2]) << 16) | (static_cast<std::uint64_t>(data[n + 3]) << 24));
  }
  frameFragments_.assign(frames_, {});
  if (table.size() == frames_) {
    std::size_t next = 0;
    for (std::size_t f = 0; f < frames_; ++f) {
      const std::uint64_t end = f + 1 < frames_ ? table[f + 1] : UINT64_MAX;
      while (next < fragments.size() && itemOffsets[next] < table[f]) ++next;
      if (next >= fragments.size() || itemOffsets[next] != table[f])
        throwInput(path_, "Basic Offset Table", "offset of frame " + std::to_string(f + 1) + " does not start a fragment");
      while (next < fragments.size() && itemOffsets[next] < end) frameFragments_[f].push_back(fragments[next++]);
    }
  } else if (fragments.size() == frames_) {
    for (std::size_t f = 0; f < frames_; ++f) frameFragments_[f].push_back(fragments[f]);
  } else if (frames_ == 1) {
    frameFragments_[0] = fragments;
  } else {
    throwInput(path_, attributeName(DCM_PixelData),
               std::to_string(fragments.size()) + " fragments for " + std::to_string(frames_) +
                   " frames and no usable Basic Offset Table; cannot tell the frames apart");
  }
}

std::vector<std::uint8_t> FrameSource::frameBytes(std::size_t index) const {
  const auto& parts = frameFragments_[index];
  if (parts.size() == 1) return {parts[0].data, parts[0].data + parts[0].size};
  std::vector<std::uint8_t> joined;
  for (const auto& p : parts) joined.insert(joined.end(), p.data, p.data + p.size);
  return joined;
}

FrameSource::Frame FrameSource::frame(std::size_t index, std::vector<std::uint8_t>& scratch) const {
  if (index >= frames_) throwInternal("frame index out of range");
  // Samples of the frame (colour frames: three per pixel, as stored).
  const std::size_t pixels = rows_ * columns_ * samples_;
  if (deferred_) return frameFromDisk(index, pixels, scratch);
  if (!encapsulated_) {
    if (bitsAllocated_ == 1) {
      const std::uint64_t bit = static_cast<std::uint64_t>(index) * pixels;
      return {native_ + bit / 8, static_cast<std::size_t>(bit % 8)};
    }
    return {native_ + index * pixels * (bitsAllocated_ / 8), 0};
  }
  return decodedFrame(index, pixels, scratch);
}

FrameSource::Frame FrameSource::frameFromDisk(std::size_t index, std::size_t pixels,
                                              std::vector<std::uint8_t>& scratch) const {
  std::uint64_t first, count;
  std::size_t bitOffset = 0;
  if (bitsAllocated_ == 1) {
    const std::uint64_t bit = static_cast<std::uint64_t>(index) * pixels;
    first = bit / 8;
    bitOffset = static_cast<std::size_t>(bit % 8);
    count = (bitOffset + pixels + 7) / 8;
  } else {
    count = static_cast<std::uint64_t>(pixels) * (bitsAllocated_ / 8);
    first = index * count;
  }
  count = std::min(count, nativeLength_ - first);
  scratch.resize(static_cast<std::size_t>(count));
  std::lock_guard<std::mutex> lock(*deferredLock_);
  if (first < windowStart_ || first + count > windowStart_ + window_.size()) {
    // Bytes as stored (little endian), which is also what 16-bit and float
    // frames need on this (little-endian) host.
    constexpr std::uint64_t kWindow = 4u << 20;
    const std::uint64_t length = std::min(std::max(count, kWindow), nativeLength_ - first);
    window_.resize(static_cast<std::size_t>(length));
    windowStart_ = first;
    const OFCondition status = deferred_->getPartialValue(window_.data(), static_cast<Uint32>(first),
                                                          static_cast<Uint32>(length), cache_.get(), EBO_LittleEndian);
    if (status.bad()) {
      window_.clear();
      throwInput(path_, attributeName(deferred_->getTag()),
                 "frame " + std::to_string(index + 1) + " cannot be read: " + status.text());
    }
  }
  std::memcpy(scratch.data(), window_.data() + (first - windowStart_), static_cast<std::size_t>(count));
  return {scratch.data(), bitOffset};
}

FrameSource::Frame FrameSource::decodedFrame(std::size_t index, std::size_t pixels,
                                             std::vector<std::uint8_t>& scratch) const {
  const unsigned bytesPerSample = bitsAllocated_ <= 8 ? 1 : bitsAllocated_ / 8;
  const std::size_t expected = bitsAllocated_ == 1 ? (pixels + 7) / 8 : pixels * bytesPerSample;
  try {
    if (dcmtkCodec_) {
      DcmElement* e = nullptr;
      dataset_.findAndGetElement(DCM_PixelData, e);
      auto* pixelData = dynamic_cast<DcmPixelData*>(e);
      if (bitsAllocated_ == 1) throw std::runtime_error("single-bit frames cannot use this transfer syntax");
      scratch.assign(expected + (expected & 1u), 0);
      Uint32 startFragment = 0;
      OFString colourModel;
      OFCondition status = pixelData->getUncompressedFrame(&dataset_, static_cast<Uint32>(index), startFragment,
                                                           scratch.data(), static_cast<Uint32>(scratch.size()),
                                                           colourModel);
      if (status.bad()) throw std::runtime_error(status.text());
      return {scratch.data(), 0};
    }
    const std::vector<std::uint8_t> bytes = frameBytes(index);
    if (samples_ > 1 && decoderFor(uid_) != Decoder::DeflatedFrames)
      throw std::runtime_error("colour frames are read uncompressed, deflated or through DCMTK's codecs only");
    switch (decoderFor(uid_)) {
      case Decoder::Rle:
        if (bitsAllocated_ > 16) throw std::runtime_error("RLE frames of more than 16 bits are not supported");
        // Single-bit frames: packed bits (CP 2301), or one byte per pixel as
        // earlier writers (qidcm's among them) coded them.
        if (bitsAllocated_ == 1)
          pixel::rleDecodeBitFrame(bytes.data(), bytes.size(), pixels, scratch);
        else
          pixel::rleDecodeFrame(bytes.data(), bytes.size(), pixels, bytesPerSample, scratch);
        break;
      case Decoder::DeflatedFrames:
        pixel::inflateFrame(bytes.data(), bytes.size(), expected, scratch);
        break;
      case Decoder::Jpeg2000:
        if (bitsAllocated_ > 16) throw std::runtime_error("JPEG 2000 frames of more than 16 bits are not supported");
        if (bitsAllocated_ == 1) {
          std::vector<std::uint8_t> samples;
          pixel::j2kDecodeFrame(bytes.data(), bytes.size(), columns_, rows_, 1, samples);
          scratch.assign(expected, 0);
          for (std::size_t n = 0; n < pixels; ++n)
            if (samples[n]) scratch[n >> 3] |= static_cast<std::uint8_t>(1u << (n & 7));
        } else {
          pixel::j2kDecodeFrame(bytes.data(), bytes.size(), columns_, rows_, bytesPerSample, scratch);
        }
        break;
      default: throw std::runtime_error("unsupported transfer syntax");
    }
  } catch (const std::runtime_error& e) {
    throwInput(path_, attributeName(DCM_PixelData),
               "frame " + std::to_string(index + 1) + " (" + transferSyntaxName() + "): " + e.what());
  }
  return {scratch.data(), 0};
}

}  // namespace qidcm::pixel
