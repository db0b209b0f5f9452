// Kept whole (>400 lines): the frame writers and loader below serve four of its five cases; a split needs a header.
// pixel::FrameSource on every transfer syntax of pixel/transfer_syntax.cpp:
// known frames are written (by qidcm's own writer for the syntaxes it writes,
// by DCMTK for the others), read back frame by frame and compared byte for byte.
#include <catch2/catch.hpp>

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcpixel.h>
#include <dcmtk/dcmdata/dcpixseq.h>
#include <dcmtk/dcmdata/dcpxitem.h>

#include <filesystem>
#include <random>
#include <set>
#include <stdexcept>

#include "dcmtk/setup.h"
#include "dicom/file_writer.h"
#include "pixel/bits.h"
#include "pixel/frame_codec.h"
#include "pixel/frame_source.h"
#include "pixel/transfer_syntax.h"
#include "qidcm/error.h"

using namespace qidcm;
namespace fs = std::filesystem;

namespace {

const std::string kWork = std::string(QIDCM_TEST_WORK) + "/frame-source";

// Frames of one format; single-bit frames packed each from bit 0.
struct Frames {
  unsigned bits = 8;
  std::size_t rows = 11, columns = 13;
  std::vector<std::vector<std::uint8_t>> frames;
  std::size_t pixels() const { return rows * columns; }
  pixel::FrameFormat format() const { return {rows, columns, bits, false}; }
  // The native Pixel Data value: single-bit frames run on without padding.
  std::vector<std::uint8_t> native() const {
    std::vector<std::uint8_t> out, unpacked(frames.size() * pixels());
    for (std::size_t f = 0; f < frames.size(); ++f)
      if (bits == 1)
        pixel::unpackBits(frames[f].data(), 0, pixels(), &unpacked[f * pixels()]);
      else
        out.insert(out.end(), frames[f].begin(), frames[f].end());
    if (bits != 1) return out;
    out.resize((unpacked.size() + 7) / 8);
    pixel::packBits(unpacked.data(), unpacked.size(), out.data());
    return out;
  }
};

Frames makeFrames(unsigned bits, std::size_t count, unsigned seed, std::size_t rows = 11, std::size_t columns = 13) {
  Frames f;
  f.bits = bits;
  f.rows = rows;
  f.columns = columns;
  std::mt19937 rng(seed);
  for (std::size_t n = 0; n < count; ++n) {
    std::vector<std::uint8_t> samples(f.format().frameBytes());
    if (bits == 1) {
      std::vector<std::uint8_t> mask(f.pixels());
      for (std::size_t p = 0; p < mask.size(); ++p) mask[p] = (rng() % 3 == 0) || (p % 7 == n);
      pixel::packBits(mask.data(), mask.size(), samples.data());
    } else {
      // Runs and noise, distinct per frame, spanning the whole sample range.
      for (std::size_t p = 0; p < samples.size(); ++p)
        samples[p] = static_cast<std::uint8_t>(p % 17 < 6 ? n * 40 + 1 : rng());
    }
    f.frames.push_back(std::move(samples));
  }
  return f;
}

std::unique_ptr<DcmDataset> head(const Frames& f) {
  auto ds = std::make_unique<DcmDataset>();
  ds->putAndInsertString(DCM_SOPClassUID, "1.2.840.10008.5.1.4.1.1.7.2");
  ds->putAndInsertString(DCM_SOPInstanceUID, "1.2.826.0.1.3680043.9.7433.1.1");
  ds->putAndInsertString(DCM_PhotometricInterpretation, "MONOCHROME2");
  ds->putAndInsertString(DCM_NumberOfFrames, std::to_string(f.frames.size()).c_str());
  const std::pair<DcmTagKey, std::size_t> values[] = {
      {DCM_SamplesPerPixel, 1}, {DCM_Rows, f.rows},        {DCM_Columns, f.columns},    {DCM_BitsAllocated, f.bits},
      {DCM_BitsStored, f.bits}, {DCM_HighBit, f.bits - 1}, {DCM_PixelRepresentation, 0}};
  for (const auto& [key, value] : values) ds->putAndInsertUint16(key, static_cast<Uint16>(value));
  return ds;
}

// The Error `f` throws (failing when it throws none).
template <typename F>
Error errorOf(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e;
  }
  FAIL("no error");
  throw std::logic_error("unreachable");
}

std::string pathFor(const std::string& name) {
  fs::create_directories(kWork);
  return kWork + "/" + name + ".dcm";
}

// qidcm's writer path (dicom::writeMultiFrame), as the SEG and PM writers use it.
void writeWithLibrary(const std::string& path, Compression c, const Frames& f) {
  auto ds = head(f);
  dicom::FramePixels pixels;
  pixels.format = f.format();
  pixels.frames = f.frames.size();
  const std::vector<std::uint8_t> native = f.native();
  pixels.nativeLength = native.size();
  pixels.frame = [&](std::size_t n, std::vector<std::uint8_t>& out) { out = f.frames[n]; };
  if (f.bits == 1) pixels.stream = [&](dicom::ByteSink& sink) { sink.write(native.data(), native.size()); };
  const auto noGroups = [](std::size_t, DcmItem&) {};
  dicom::writeMultiFrame(path, *ds, c, noGroups, pixels);
}

// Saves `file` in `writeXfer` with `uid` as the file meta's transfer syntax
// (for the syntaxes DCMTK 3.6.7 does not know, written as explicit little endian).
void saveAs(DcmFileFormat& file, const std::string& path, E_TransferSyntax writeXfer, const std::string& uid) {
  qidcm::dcmtk::configure();  // DCMTK's logger quiet: it warns that the meta header is kept as set here
  REQUIRE(file.validateMetaInfo(writeXfer, EWM_updateMeta).good());
  file.getMetaInfo()->putAndInsertString(DCM_TransferSyntaxUID, uid.c_str());
  file.getMetaInfo()->computeGroupLengthAndPadding(EGL_withGL, EPD_noChange, META_HEADER_DEFAULT_TRANSFERSYNTAX);
  REQUIRE(
      file.saveFile(path.c_str(), writeXfer, EET_ExplicitLength, EGL_recalcGL, EPD_noChange, 0, 0, EWM_dontUpdateMeta)
          .good());
}

// Native pixel data through DCMTK (implicit VR, big endian).
void writeNativeWithDcmtk(const std::string& path, E_TransferSyntax xfer, const Frames& f) {
  DcmFileFormat file;
  DcmDataset& ds = *file.getDataset();
  ds.copyFrom(*head(f));
  const std::vector<std::uint8_t> native = f.native();
  std::vector<Uint16> words(native.size() / 2);  // OW in host order (little endian here)
  for (std::size_t n = 0; n < words.size(); ++n)
    words[n] = static_cast<Uint16>(native[2 * n] | (native[2 * n + 1] << 8));
  REQUIRE((f.bits == 16
               ? ds.putAndInsertUint16Array(DCM_PixelData, words.data(), static_cast<unsigned long>(words.size()))
               : ds.putAndInsertUint8Array(DCM_PixelData, native.data(), static_cast<unsigned long>(native.size())))
              .good());
  saveAs(file, path, xfer, DcmXfer(xfer).getXferID());
}

// Encapsulated pixel data built item by item: a Basic Offset Table (the right
// one, or `table` when given; empty for none) and each frame's fragments.
const std::vector<std::uint32_t> kNoTable;
void writeEncapsulated(const std::string& path, const std::string& uid, E_TransferSyntax writeXfer, const Frames& f,
                       const std::vector<std::vector<std::vector<std::uint8_t>>>& fragmentsPerFrame,
                       const std::vector<std::uint32_t>* table = nullptr) {
  DcmFileFormat file;
  DcmDataset& ds = *file.getDataset();
  ds.copyFrom(*head(f));
  auto* sequence = new DcmPixelSequence(DCM_PixelSequenceTag);
  std::vector<std::uint32_t> offsets;
  std::uint32_t offset = 0;
  for (const auto& fragments : fragmentsPerFrame) {
    offsets.push_back(offset);
    for (const auto& fragment : fragments) offset += 8 + static_cast<std::uint32_t>(fragment.size());
  }
  std::vector<Uint8> bytes;
  for (std::uint32_t v : table ? *table : offsets)
    for (int b = 0; b < 4; ++b) bytes.push_back(static_cast<Uint8>(v >> (8 * b)));
  auto* bot = new DcmPixelItem(DcmTag(DCM_Item, EVR_OB));
  if (!bytes.empty()) bot->putUint8Array(bytes.data(), static_cast<unsigned long>(bytes.size()));
  sequence->insert(bot);
  for (const auto& fragments : fragmentsPerFrame)
    for (const auto& fragment : fragments) {
      REQUIRE(fragment.size() % 2 == 0);
      auto* item = new DcmPixelItem(DcmTag(DCM_Item, EVR_OB));
      item->putUint8Array(fragment.data(), static_cast<unsigned long>(fragment.size()));
      sequence->insert(item);
    }
  auto* pixelData = new DcmPixelData(DCM_PixelData);
  pixelData->putOriginalRepresentation(writeXfer, nullptr, sequence);
  ds.insert(pixelData);
  saveAs(file, path, writeXfer, uid);
}

// One fragment per frame, or (split) each frame cut in two even-length fragments.
std::vector<std::vector<std::vector<std::uint8_t>>> encode(Compression c, const Frames& f, bool split = false) {
  std::vector<std::vector<std::vector<std::uint8_t>>> out;
  for (const auto& frame : f.frames) {
    const std::vector<std::uint8_t> whole = pixel::encodeFrame(c, f.format(), frame.data());
    if (!split) {
      out.push_back({whole});
      continue;
    }
    const std::size_t cut = (whole.size() / 4) * 2;
    out.push_back({{whole.begin(), whole.begin() + cut}, {whole.begin() + cut, whole.end()}});
  }
  return out;
}

struct Loaded {
  DcmFileFormat file;
  std::string uid;
  std::unique_ptr<pixel::FrameSource> source;
};

// As the SEG and PM readers load a file: long values left on disk.
std::unique_ptr<Loaded> load(const std::string& path, std::size_t frames) {
  auto l = std::make_unique<Loaded>();
  REQUIRE(
      l->file.loadFile(path.c_str(), EXS_Unknown, EGL_noChange, pixel::kDeferredValueLength, ERM_autoDetect).good());
  OFString uid;
  l->file.getMetaInfo()->findAndGetOFString(DCM_TransferSyntaxUID, uid);
  l->uid = uid.c_str();
  l->source = std::make_unique<pixel::FrameSource>(*l->file.getDataset(), l->uid, path, frames);
  return l;
}

// Frame `n` as packed bytes from bit 0 (single-bit) or its samples.
std::vector<std::uint8_t> frameBytes(const pixel::FrameSource& s, std::size_t n) {
  std::vector<std::uint8_t> scratch;
  const pixel::FrameSource::Frame fr = s.frame(n, scratch);
  const std::size_t pixels = s.pixelsPerFrame();
  if (s.bitsAllocated() != 1) return {fr.data, fr.data + pixels * (s.bitsAllocated() / 8)};
  std::vector<std::uint8_t> unpacked(pixels), packed((pixels + 7) / 8);
  pixel::unpackBits(fr.data, fr.bitOffset, pixels, unpacked.data());
  pixel::packBits(unpacked.data(), pixels, packed.data());
  return packed;
}

void requireSameFrames(const std::string& path, const Frames& f, const std::string& uid) {
  INFO(path);
  auto l = load(path, f.frames.size());
  CHECK(l->uid == uid);
  const pixel::FrameSource& s = *l->source;
  CHECK(s.frames() == f.frames.size());
  CHECK(s.rows() == f.rows);
  CHECK(s.columns() == f.columns);
  CHECK(s.bitsAllocated() == f.bits);
  CHECK(s.encapsulated() == pixel::findTransferSyntax(uid)->encapsulated);
  CHECK(s.transferSyntaxName() == pixel::findTransferSyntax(uid)->name);
  for (std::size_t n = 0; n < f.frames.size(); ++n) {
    INFO("frame " << n);
    CHECK(frameBytes(s, n) == f.frames[n]);
  }
  // Past the last frame: an error, not a read beyond the data.
  CHECK_THROWS_AS(frameBytes(s, f.frames.size()), Error);
}

// Every transfer syntax UID of PS3.6 Table A-1 (current and retired).
std::vector<std::string> standardTransferSyntaxes() {
  std::vector<std::string> uids;
  for (const char* n : {"", ".1", ".1.98", ".1.99", ".2", ".5", ".6.1", ".6.2", ".7.1", ".7.2", ".7.3", ".8.1"})
    uids.push_back(std::string("1.2.840.10008.1.2") + n);
  for (int n = 50; n <= 112; ++n) uids.push_back("1.2.840.10008.1.2.4." + std::to_string(n));
  for (int n = 100; n <= 108; ++n) uids.push_back("1.2.840.10008.1.2.4." + std::to_string(n) + ".1");
  for (int n = 200; n <= 210; ++n) uids.push_back("1.2.840.10008.1.2.4." + std::to_string(n));
  return uids;
}

// The syntaxes this file covers: a syntax added to the table without being
// listed here fails the first test case.
const std::set<std::string> kCovered = {"1.2.840.10008.1.2",       "1.2.840.10008.1.2.1",     "1.2.840.10008.1.2.2",
                                        "1.2.840.10008.1.2.1.99",  "1.2.840.10008.1.2.5",     "1.2.840.10008.1.2.8.1",
                                        "1.2.840.10008.1.2.4.90",  "1.2.840.10008.1.2.4.91",  "1.2.840.10008.1.2.4.92",
                                        "1.2.840.10008.1.2.4.93",  "1.2.840.10008.1.2.4.201", "1.2.840.10008.1.2.4.202",
                                        "1.2.840.10008.1.2.4.203", "1.2.840.10008.1.2.4.80",  "1.2.840.10008.1.2.4.81"};

// Writes `f` in transfer syntax `t`: through qidcm's writer when it writes
// that syntax; else native through DCMTK, or fragments coded here under `t`'s
// UID (no HTJ2K encoder is at hand: Part 1 codestreams, which OpenJPEG decodes
// alike, stand under the HTJ2K UIDs; DCMTK-unknown UIDs are written as JPEG 2000).
void writeIn(const pixel::TransferSyntax& t, const std::string& path, const Frames& f) {
  if (t.written) return writeWithLibrary(path, t.compression, f);
  if (t.decoder == pixel::Decoder::Native) return writeNativeWithDcmtk(path, t.dcmtk, f);
  REQUIRE((t.decoder == pixel::Decoder::Jpeg2000 || t.decoder == pixel::Decoder::Dcmtk));
  const bool j2k = t.decoder == pixel::Decoder::Jpeg2000;
  writeEncapsulated(path, t.uid, t.dcmtk == EXS_Unknown ? EXS_JPEG2000LosslessOnly : t.dcmtk, f,
                    encode(j2k ? Compression::Jpeg2000 : Compression::JpegLs, f));
}

}  // namespace

TEST_CASE("the transfer-syntax table holds exactly the syntaxes covered here, and every --compress value") {
  std::set<std::string> inTable;
  for (const std::string& uid : standardTransferSyntaxes())
    if (pixel::findTransferSyntax(uid)) inTable.insert(uid);
  CHECK(inTable == kCovered);
  CHECK(inTable.size() == 15);
  std::set<std::string> listed;
  for (const pixel::TransferSyntax* t : pixel::transferSyntaxes()) listed.insert(t->uid);
  CHECK(listed == kCovered);
  CHECK(pixel::transferSyntaxes().size() == kCovered.size());
  CHECK(pixel::findTransferSyntax("1.2.840.10008.1.2.4.50") == nullptr);  // JPEG baseline: left to DCMTK
  std::size_t written = 0;
  for (const std::string& uid : kCovered) written += pixel::findTransferSyntax(uid)->written;
  CHECK(written == allCompressions().size());
  for (Compression c : allCompressions()) {
    const pixel::TransferSyntax& t = pixel::transferSyntaxFor(c);
    CHECK(t.written);
    CHECK(t.compression == c);
    CHECK(std::string(transferSyntaxUid(c)) == t.uid);
    CHECK(kCovered.count(t.uid) == 1);
    CHECK(encapsulated(c) == t.encapsulated);
  }
}

TEST_CASE("FrameSource reads back 1-, 8- and 16-bit frames byte for byte in every transfer syntax") {
  // Every entry of the table: one added there is read back here too.
  std::size_t syntaxes = 0;
  for (const pixel::TransferSyntax* t : pixel::transferSyntaxes()) {
    const std::string uid = t->uid;
    ++syntaxes;
    for (unsigned bits : {1u, 8u, 16u}) {
      const Frames f = makeFrames(bits, 3, bits * 31 + static_cast<unsigned>(syntaxes));
      const std::string path = pathFor(uid + "-" + std::to_string(bits));
      INFO(t->name << ", " << bits << "-bit");
      if (bits == 1 && t->decoder == pixel::Decoder::Dcmtk) {
        // JPEG-LS codes no single-bit frames: the writer refuses, the reader names the frame.
        if (t->written) CHECK_THROWS_AS(writeWithLibrary(path, t->compression, f), Error);
        writeEncapsulated(path, uid, t->dcmtk, f, {{{0xFF, 0xD8}}, {{0xFF, 0xD8}}, {{0xFF, 0xD8}}});
        auto l = load(path, 3);
        CHECK_THROWS_WITH(frameBytes(*l->source, 1), Catch::Contains("frame 2") && Catch::Contains("single-bit"));
        continue;
      }
      writeIn(*t, path, f);
      requireSameFrames(path, f, uid);
    }
  }
  CHECK(syntaxes == kCovered.size());
}

TEST_CASE("frames split over several fragments are joined through the Basic Offset Table, which must be right") {
  // One syntax per decoder: RLE, Deflated Image Frame Compression, JPEG 2000, DCMTK's JPEG-LS.
  const std::pair<Compression, E_TransferSyntax> cases[] = {{Compression::Rle, EXS_RLELossless},
                                                            {Compression::Difc, EXS_RLELossless},
                                                            {Compression::Jpeg2000, EXS_JPEG2000LosslessOnly},
                                                            {Compression::JpegLs, EXS_JPEGLSLossless}};
  for (const auto& [c, xfer] : cases) {
    const Frames f = makeFrames(16, 4, 77, 20, 24);
    const std::string uid = transferSyntaxUid(c);
    INFO(uid);
    const auto split = encode(c, f, true);
    REQUIRE(split[0].size() == 2);
    const std::string path = pathFor("split-" + toString(c));
    writeEncapsulated(path, uid, xfer, f, split);
    requireSameFrames(path, f, uid);
    if (c == Compression::JpegLs) continue;  // DCMTK finds the fragments itself
    // Without the offset table, 8 fragments for 4 frames cannot be told apart.
    writeEncapsulated(path, uid, xfer, f, split, &kNoTable);
    const Error e = errorOf([&] { load(path, 4); });
    CHECK(e.kind() == ErrorKind::Input);
    CHECK(e.file() == path);
    CHECK(e.message() == "8 fragments for 4 frames and no usable Basic Offset Table; cannot tell the frames apart");
    // One fragment per frame needs no offset table.
    writeEncapsulated(path, uid, xfer, f, encode(c, f), &kNoTable);
    requireSameFrames(path, f, uid);
    // A table entry that starts no fragment: frame 2 said to start 6 bytes into frame 1's fragment.
    const std::vector<std::uint32_t> table = {0, 6, 6, 6};
    writeEncapsulated(path, uid, xfer, f, encode(c, f), &table);
    const Error bad = errorOf([&] { load(path, 4); });
    CHECK(bad.where() == "Basic Offset Table");
    CHECK(bad.message() == "offset of frame 2 does not start a fragment");
  }
}

TEST_CASE("large native pixel data is read from disk frame by frame, single-bit frames at their bit offset") {
  // 1001 x 1001 single-bit frames: frame 2 starts at bit 1002001 (bit 1 of a byte).
  const Frames bits = makeFrames(1, 3, 9, 1001, 1001);
  const Frames words = makeFrames(16, 3, 10, 300, 310);
  for (const Frames* f : {&bits, &words}) {
    const std::string name = std::to_string(f->bits) + "-bit";
    writeWithLibrary(pathFor("deferred-explicit-" + name), Compression::None, *f);
    writeNativeWithDcmtk(pathFor("deferred-implicit-" + name), EXS_LittleEndianImplicit, *f);
    writeNativeWithDcmtk(pathFor("deferred-big-" + name), EXS_BigEndianExplicit, *f);
    for (const char* kind : {"explicit", "implicit", "big"}) {
      const std::string path = pathFor(std::string("deferred-") + kind + "-" + name);
      INFO(path);
      auto l = load(path, 3);
      // Big endian data must be swapped, so it is loaded; little endian stays on disk.
      CHECK(l->source->deferred() == (std::string(kind) != "big"));
      for (std::size_t n : {2u, 0u, 1u}) CHECK(frameBytes(*l->source, n) == f->frames[n]);
    }
  }
}

TEST_CASE("truncated or corrupt pixel data is an Error naming the file and attribute") {
  const Frames f = makeFrames(16, 3, 4);
  auto ds = head(f);
  std::vector<Uint16> words(f.pixels() * 3 - 1);  // one sample short
  ds->putAndInsertUint16Array(DCM_PixelData, words.data(), static_cast<unsigned long>(words.size()));
  const Error e = errorOf([&] { pixel::FrameSource(*ds, "1.2.840.10008.1.2.1", "short.dcm", 3); });
  CHECK(e.kind() == ErrorKind::Input);
  CHECK(e.file() == "short.dcm");
  CHECK(e.where() == "PixelData (7FE0,0010)");
  CHECK(e.message() == "holds 856 bytes, but 3 frame(s) of 11x13 at 16 bit(s) need 858");
  // Two frames fit: asking for fewer frames than declared is fine.
  pixel::FrameSource two(*ds, "1.2.840.10008.1.2.1", "short.dcm", 2);
  CHECK(two.frames() == 2);
  CHECK_THROWS_AS(frameBytes(two, 2), Error);
  ds->putAndInsertUint16(DCM_Rows, 0);
  CHECK_THROWS_WITH(pixel::FrameSource(*ds, "", "short.dcm", 1), Catch::Contains("Rows (0028,0010)"));

  // Compressed frames cut short: the frame that fails is named, with the syntax.
  for (Compression c : {Compression::Rle, Compression::Difc, Compression::Jpeg2000}) {
    auto fragments = encode(c, f);
    fragments[1][0].resize(fragments[1][0].size() / 3 * 2 & ~std::size_t(1));
    const std::string uid = transferSyntaxUid(c);
    const std::string path = pathFor("truncated-" + toString(c));
    // DIFC, unknown to DCMTK, is written as RLE (explicit little endian, encapsulated) under its own UID.
    writeEncapsulated(path, uid, c == Compression::Difc ? EXS_RLELossless : pixel::transferSyntaxFor(c).dcmtk, f,
                      fragments);
    auto l = load(path, 3);
    INFO(uid);
    CHECK(frameBytes(*l->source, 0) == f.frames[0]);
    CHECK(frameBytes(*l->source, 2) == f.frames[2]);
    const Error bad = errorOf([&] { frameBytes(*l->source, 1); });
    CHECK(bad.kind() == ErrorKind::Input);
    CHECK(bad.where() == "PixelData (7FE0,0010)");
    CHECK_THAT(bad.message(), Catch::StartsWith("frame 2 (" + std::string(pixel::transferSyntaxFor(c).name) + "): "));
  }
}
