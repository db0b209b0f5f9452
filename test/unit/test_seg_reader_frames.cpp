// The SEG reader's frame placement (seg::SegmentationFile) and the public
// readSegmentation round trip, on SEGs written by qidcm's SEG writer over a
// synthetic series with known painted voxels.
#include <catch2/catch.hpp>

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcpixel.h>
#include <dcmtk/dcmdata/dcsequen.h>

#include <cmath>
#include <filesystem>
#include <set>

#include "pixel/bits.h"
#include "qidcm/error.h"
#include "qidcm/seg/reader.h"
#include "qidcm/seg/writer.h"
#include "seg/segmentation_file.h"
#include "synth/synth.h"

using namespace qidcm;
using namespace qidcm::seg;
using qidcm::operator-;
namespace fs = std::filesystem;

namespace {

const std::string kWork = std::string(QIDCM_TEST_WORK) + "/seg-reader-frames";
const std::string kShared = QIDCM_SHARED_DATA;

struct Series {
  synth::Outputs out;
  SourceIndex index;
};

// A 16 x 12 x 6 CT series (no label image of synth's is used).
Series makeSeries(const std::string& name, synth::Orientation orientation) {
  synth::Options o;
  o.outputDirectory = kWork + "/" + name;
  fs::remove_all(o.outputDirectory);
  o.columns = 16;
  o.rows = 12;
  o.slices = 6;
  o.segments = 1;
  o.orientation = orientation;
  Series s{synth::generate(o), {}};
  s.index = SourceIndex::scan({}, {s.out.seriesDirectory});
  return s;
}

Volume blank(const Grid& g, PixelType type) {
  Volume v;
  v.grid = g;
  v.type = type;
  v.allocate();
  return v;
}

template <typename T>
void fill(Volume& v, std::size_t k, std::size_t i0, std::size_t i1, std::size_t j0, std::size_t j1, T value) {
  for (std::size_t j = j0; j < j1; ++j)
    for (std::size_t i = i0; i < i1; ++i) v.samples<T>()[v.grid.index(i, j, k)] = value;
}

// Label 1 on slices 1, 2 and 4; label 2 on slice 4 only (beside label 1).
Volume paintLabels(const Grid& g) {
  Volume v = blank(g, PixelType::UInt8);
  fill<std::uint8_t>(v, 1, 2, 6, 3, 5, 1);
  fill<std::uint8_t>(v, 2, 0, 1, 0, 1, 1);      // first voxel of the slice
  fill<std::uint8_t>(v, 2, 15, 16, 11, 12, 1);  // and its last
  fill<std::uint8_t>(v, 4, 8, 12, 1, 4, 1);
  fill<std::uint8_t>(v, 4, 1, 4, 6, 10, 2);
  return v;
}

SegmentDescription describe(std::uint64_t label, const std::string& name) {
  SegmentDescription s;
  s.labelID = label;
  s.label = name;
  s.category = {"85756007", "SCT", "Tissue", ""};
  s.type = {"85756007", "SCT", "Tissue", ""};
  s.algorithmType = SegmentAlgorithmType::Manual;
  return s;
}

std::string write(const std::string& name, std::vector<LabelImage>& images,
                  std::vector<std::vector<SegmentDescription>> lists, const SourceIndex& sources, WriterOptions o) {
  Metadata m;
  m.sourceFile = name + ".json";
  m.segmentAttributes = std::move(lists);
  fs::create_directories(kWork);
  const std::string path = kWork + "/" + name + ".dcm";
  const WriteSummary summary = writeSegmentation(images, m, sources, path, o);
  REQUIRE(summary.frames > 0);
  return path;
}

// What the file itself says of each frame, read with DCMTK: Referenced
// Segment Number (0 when absent) and Image Position (Patient).
struct FrameAttributes {
  std::uint16_t segment = 0;
  Vec3 position{0, 0, 0};
};
std::vector<FrameAttributes> frameAttributes(const std::string& path) {
  DcmFileFormat file;
  REQUIRE(file.loadFile(path.c_str()).good());
  DcmSequenceOfItems* perFrame = nullptr;
  REQUIRE(file.getDataset()->findAndGetSequence(DCM_PerFrameFunctionalGroupsSequence, perFrame).good());
  std::vector<FrameAttributes> out;
  for (unsigned long n = 0; n < perFrame->card(); ++n) {
    DcmItem* item = perFrame->getItem(n);
    FrameAttributes a;
    DcmItem* ident = nullptr;
    if (item->findAndGetSequenceItem(DCM_SegmentIdentificationSequence, ident).good())
      ident->findAndGetUint16(DCM_ReferencedSegmentNumber, a.segment);
    DcmItem* plane = nullptr;
    REQUIRE(item->findAndGetSequenceItem(DCM_PlanePositionSequence, plane).good());
    for (unsigned long c = 0; c < 3; ++c)
      REQUIRE(plane->findAndGetFloat64(DCM_ImagePositionPatient, a.position[c], c).good());
    out.push_back(a);
  }
  return out;
}

// The label-grid slice a position lies on (checked to be on one).
std::size_t labelSlice(const Grid& g, const Vec3& position) {
  const Vec3 index = g.continuousIndex(position);
  REQUIRE(std::fabs(index[0]) < 1e-3);
  REQUIRE(std::fabs(index[1]) < 1e-3);
  REQUIRE(std::fabs(index[2] - std::round(index[2])) < 1e-3);
  return static_cast<std::size_t>(std::lround(index[2]));
}

// Where the reader must put label slice k: its grid runs along row x column
// from the lowest frame plane.
std::size_t readerSlice(const Grid& label, std::size_t k, std::size_t lowest) {
  const double along = dot(label.normal(), label.slicePosition(k) - label.slicePosition(lowest));
  return static_cast<std::size_t>(std::lround(along / label.spacing[2]));
}

// Sample p of a decoded frame: a bit (BINARY) or a byte.
unsigned sampleAt(const SegmentationFile& seg, const FrameView& v, std::size_t p) {
  if (seg.bitsAllocated() == 1) return pixel::bitAt(v.data, v.bitOffset + p);
  return v.data[p];
}

// Checks every frame's placement and samples against the label volume(s):
// `expected(segment, k, p)` is the stored sample of frame (segment, slice k) at pixel p.
template <typename Expected>
void checkFrames(const std::string& path, const Grid& label, Expected&& expected,
                 const std::set<std::pair<unsigned, std::size_t>>& painted) {
  SegmentationFile seg(path);
  const auto attributes = frameAttributes(path);
  REQUIRE(seg.frames().size() == attributes.size());
  REQUIRE(seg.frames().size() == painted.size());
  std::size_t lowest = 0;
  double lowestAlong = INFINITY;
  for (const auto& a : attributes) {
    const std::size_t k = labelSlice(label, a.position);
    if (dot(label.normal(), a.position) < lowestAlong) lowestAlong = dot(label.normal(), a.position), lowest = k;
  }
  // The rebuilt grid: from the lowest frame plane along the normal, the label grid's rows and columns.
  const Grid& g = seg.grid();
  CHECK(g.size[0] == label.size[0]);
  CHECK(g.size[1] == label.size[1]);
  CHECK(norm(g.origin - label.slicePosition(lowest)) < 1e-3);
  CHECK(norm(g.direction[2] - label.normal()) < 1e-6);
  CHECK(std::fabs(g.spacing[2] - label.spacing[2]) < 1e-6);
  CHECK_FALSE(seg.slide());
  seg.decodeAll();
  std::set<std::pair<unsigned, std::size_t>> seen;
  for (std::size_t f = 0; f < seg.frames().size(); ++f) {
    const FramePlacement& place = seg.frames()[f];
    const std::size_t k = labelSlice(label, attributes[f].position);
    INFO("frame " << f + 1 << ": segment " << attributes[f].segment << ", label slice " << k);
    CHECK(place.segment == attributes[f].segment);
    CHECK(place.slice == readerSlice(label, k, lowest));
    CHECK(place.row == 0);
    CHECK(place.column == 0);
    CHECK(norm(place.position - label.slicePosition(k)) < 1e-3);
    seen.insert({place.segment, k});
    const FrameView v = seg.frame(f);
    std::size_t wrong = 0;
    for (std::size_t p = 0; p < label.slicePixels(); ++p) wrong += sampleAt(seg, v, p) != expected(place.segment, k, p);
    CHECK(wrong == 0);
  }
  CHECK(seen == painted);
}

}  // namespace

TEST_CASE("BINARY frames of two segments on a negated grid land on their slices, in every compression") {
  const Series s = makeSeries("binary-negated", synth::Orientation::Negated);
  REQUIRE(dot(s.out.seriesGrid.direction[2], s.out.seriesGrid.normal()) < 0);  // stored against the normal
  for (Compression c :
       {Compression::None, Compression::Deflate, Compression::Rle, Compression::Difc, Compression::Jpeg2000}) {
    INFO(toString(c));
    std::vector<LabelImage> images(1);
    images[0] = {"labels.nrrd", paintLabels(s.out.seriesGrid)};
    WriterOptions o;
    o.compression = c;
    const std::string path =
        write("binary-" + toString(c), images, {{describe(1, "one"), describe(2, "two")}}, s.index, o);
    const Volume& v = images[0].volume;
    checkFrames(path, v.grid,
                [&](unsigned segment, std::size_t k, std::size_t p) {
                  return unsigned(v.samples<std::uint8_t>()[k * v.grid.slicePixels() + p] == segment);
                },
                {{1, 1}, {1, 2}, {1, 4}, {2, 4}});
    SegmentationFile seg(path);
    CHECK(seg.type() == SegmentationType::Binary);
    REQUIRE(seg.segments().size() == 2);
    CHECK(seg.segments().at(1).label == "one");
    CHECK(seg.segments().at(2).label == "two");
    CHECK(seg.grid().size[2] == 4);  // label slices 1..4
    CHECK(seg.bitsAllocated() == 1);
  }
}

TEST_CASE("FRACTIONAL frames keep their quantised values and placement, whatever the frame order in the file") {
  const Series s = makeSeries("fractional-axial", synth::Orientation::Axial);
  std::vector<LabelImage> images(2);
  Volume a = blank(s.out.seriesGrid, PixelType::Float32), b = blank(s.out.seriesGrid, PixelType::Float32);
  for (std::size_t j = 0; j < 12; ++j)
    for (std::size_t i = 0; i < 16; ++i) a.samples<float>()[a.grid.index(i, j, 0)] = ((i + j) % 3) * 0.5f;
  fill<float>(a, 3, 4, 9, 2, 7, 0.2f);
  fill<float>(b, 3, 10, 14, 5, 9, 1.0f);
  images[0] = {"a.nrrd", std::move(a)};
  images[1] = {"b.nrrd", std::move(b)};
  WriterOptions o;
  o.type = SegmentationType::Fractional;
  const std::string path = write("fractional", images, {{describe(1, "a")}, {describe(1, "b")}}, s.index, o);
  const Grid& g = s.out.seriesGrid;
  auto expected = [&](unsigned segment, std::size_t k, std::size_t p) {
    const float x = images[segment - 1].volume.samples<float>()[k * g.slicePixels() + p];
    return static_cast<unsigned>(std::lround(x * 255));
  };
  const std::set<std::pair<unsigned, std::size_t>> painted{{1, 0}, {1, 3}, {2, 3}};
  checkFrames(path, g, expected, painted);
  {
    SegmentationFile seg(path);
    CHECK(seg.type() == SegmentationType::Fractional);
    CHECK(seg.maximumFractionalValue() == 255);
    CHECK(seg.bitsAllocated() == 8);
    seg.decodeAll();
    CHECK(seg.frame(0).data[1] == 128);  // 0.5 -> 128 on the first frame, segment 1 slice 0, pixel (1, 0)
  }

  // The same SEG with its frames in reverse order (per-frame groups and pixel data alike).
  DcmFileFormat file;
  REQUIRE(file.loadFile(path.c_str()).good());
  DcmDataset& ds = *file.getDataset();
  DcmSequenceOfItems* perFrame = nullptr;
  REQUIRE(ds.findAndGetSequence(DCM_PerFrameFunctionalGroupsSequence, perFrame).good());
  const unsigned long n = perFrame->card();
  REQUIRE(n == 3);
  for (unsigned long f = 0; f + 1 < n; ++f) REQUIRE(perFrame->insert(perFrame->remove(n - 1), f, OFTrue).good());
  const Uint8* pixels = nullptr;
  REQUIRE(ds.findAndGetUint8Array(DCM_PixelData, pixels).good());
  const std::size_t plane = g.slicePixels();
  std::vector<Uint8> reversed(n * plane);
  for (unsigned long f = 0; f < n; ++f)
    std::copy(pixels + f * plane, pixels + (f + 1) * plane, &reversed[(n - 1 - f) * plane]);
  REQUIRE(
      ds.putAndInsertUint8Array(DCM_PixelData, reversed.data(), static_cast<unsigned long>(reversed.size())).good());
  const std::string reorderedPath = kWork + "/fractional-reversed.dcm";
  REQUIRE(file.saveFile(reorderedPath.c_str(), EXS_LittleEndianExplicit).good());
  const auto before = frameAttributes(path), after = frameAttributes(reorderedPath);
  CHECK(after.front().segment == before.back().segment);
  checkFrames(reorderedPath, g, expected, painted);
  SegmentationFile original(path), reordered(reorderedPath);
  CHECK(reordered.frames()[0].slice == original.frames()[2].slice);
  CHECK(reordered.frames()[2].slice == original.frames()[0].slice);
}

TEST_CASE("LABELMAP frames on an oblique, negated grid hold segment numbers, one frame per painted slice") {
  const Series s = makeSeries("labelmap-oblique", synth::Orientation::ObliqueNegated);
  std::vector<LabelImage> images(1);
  images[0] = {"labels.nrrd", paintLabels(s.out.seriesGrid)};
  WriterOptions o;
  o.type = SegmentationType::Labelmap;
  const std::string path = write("labelmap-oblique", images, {{describe(1, "one"), describe(2, "two")}}, s.index, o);
  const Volume& v = images[0].volume;
  checkFrames(path, v.grid,
              [&](unsigned, std::size_t k, std::size_t p) {
                return unsigned(v.samples<std::uint8_t>()[k * v.grid.slicePixels() + p]);
              },
              {{0, 1}, {0, 2}, {0, 4}});  // LABELMAP frames name no segment
  SegmentationFile seg(path);
  CHECK(seg.type() == SegmentationType::Labelmap);
  // Segments 1 and 2, and segment 0: the background, designated by Pixel Padding Value.
  REQUIRE(seg.segments().size() == 3);
  CHECK(seg.segments().at(0).type == codes::backgroundType());
  CHECK(seg.segments().at(2).label == "two");
  CHECK(seg.paddingValue() == std::optional<std::uint16_t>(0));
}

TEST_CASE("readSegmentation returns the painted voxels on the source grid") {
  for (auto orientation : {synth::Orientation::Axial, synth::Orientation::Negated}) {
    const bool negated = orientation == synth::Orientation::Negated;
    const Series s = makeSeries(negated ? "roundtrip-negated" : "roundtrip-axial", orientation);
    const Grid& label = s.out.seriesGrid;
    std::vector<LabelImage> images(1);
    images[0] = {"labels.nrrd", paintLabels(label)};
    const Volume& input = images[0].volume;
    for (SegmentationType type : {SegmentationType::Binary, SegmentationType::Labelmap}) {
      WriterOptions o;
      o.type = type;
      const std::string path = write(std::string(negated ? "rt-negated-" : "rt-axial-") + toString(type), images,
                                     {{describe(1, "one"), describe(2, "two")}}, s.index, o);
      INFO(path);
      ReaderOptions ro;
      ro.referenceDirectory = s.out.seriesDirectory;  // the grid spans the whole series
      ro.mergeSegments = true;
      std::vector<Volume> volumes;
      ReadSummary summary;
      const Metadata m = readSegmentation(
          path, ro, [&](const ReaderImage& im) { volumes.push_back(im.volume.clone()); }, &summary);
      REQUIRE(volumes.size() == 1);  // the two segments do not overlap
      CHECK(summary.type == type);
      CHECK(summary.segments == (type == SegmentationType::Binary ? 2u : 3u));  // LABELMAP: and the background
      CHECK(summary.frames == (type == SegmentationType::Binary ? 4u : 3u));
      REQUIRE(m.segmentAttributes.size() == 1);
      REQUIRE(m.segmentAttributes[0].size() == 2);  // the background segment is not listed
      CHECK(m.segmentAttributes[0][0].labelID == 1);
      CHECK(m.segmentAttributes[0][1].label == "two");
      const Volume& out = volumes[0];
      CHECK(out.type == PixelType::UInt8);
      // The reader's slices run along the normal: the negated grid comes back flipped.
      Grid expected = label;
      if (negated) {
        expected.origin = label.slicePosition(label.slices() - 1);
        expected.direction[2] = label.normal();
      }
      CHECK(sameGrid(out.grid, expected));
      CHECK(describeGridDifference(out.grid, expected).empty());
      std::size_t wrong = 0;
      for (std::size_t k = 0; k < 6; ++k)
        for (std::size_t p = 0; p < label.slicePixels(); ++p) {
          const std::size_t sourceK = negated ? 5 - k : k;
          wrong += out.samples<std::uint8_t>()[k * label.slicePixels() + p] !=
                   input.samples<std::uint8_t>()[sourceK * label.slicePixels() + p];
        }
      CHECK(wrong == 0);
    }
  }
}

TEST_CASE("tiles of a slide SEG are placed at their total-pixel-matrix positions") {
  const std::string path = kShared + "/highdicom/data/test_files/seg_image_sm_control.dcm";
  SegmentationFile seg(path);
  REQUIRE(seg.slide());
  DcmFileFormat file;
  REQUIRE(file.loadFile(path.c_str()).good());
  DcmSequenceOfItems* perFrame = nullptr;
  REQUIRE(file.getDataset()->findAndGetSequence(DCM_PerFrameFunctionalGroupsSequence, perFrame).good());
  REQUIRE(seg.frames().size() == perFrame->card());
  std::set<std::pair<std::size_t, std::size_t>> corners;
  for (unsigned long f = 0; f < perFrame->card(); ++f) {
    DcmItem* slide = nullptr;
    REQUIRE(perFrame->getItem(f)->findAndGetSequenceItem(DCM_PlanePositionSlideSequence, slide).good());
    Sint32 column = 0, row = 0;
    slide->findAndGetSint32(DCM_ColumnPositionInTotalImagePixelMatrix, column);
    slide->findAndGetSint32(DCM_RowPositionInTotalImagePixelMatrix, row);
    CHECK(seg.frames()[f].column == static_cast<std::size_t>(column - 1));
    CHECK(seg.frames()[f].row == static_cast<std::size_t>(row - 1));
    CHECK(seg.frames()[f].slice == 0);
    corners.insert({seg.frames()[f].column, seg.frames()[f].row});
  }
  Uint32 totalColumns = 0, totalRows = 0;
  file.getDataset()->findAndGetUint32(DCM_TotalPixelMatrixColumns, totalColumns);
  file.getDataset()->findAndGetUint32(DCM_TotalPixelMatrixRows, totalRows);
  CHECK(seg.grid().size == std::array<std::size_t, 3>{totalColumns, totalRows, 1});
  CHECK(corners.size() > 1);
}
