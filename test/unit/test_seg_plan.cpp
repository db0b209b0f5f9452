#include <catch2/catch.hpp>

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcostrmb.h>

#include "qidcm/error.h"
#include "seg/plan.h"
#include "seg/segmentation_type.h"

using namespace qidcm;
using namespace qidcm::seg;

namespace {

LabelImage image(std::size_t cols, std::size_t rows, std::size_t slices, PixelType type = PixelType::UInt8) {
  LabelImage li;
  li.path = "labels.nrrd";
  li.volume.type = type;
  li.volume.grid.size = {cols, rows, slices};
  li.volume.allocate();
  li.volume.buffer.zero();
  return li;
}

std::vector<LabelImage> files(LabelImage a) {
  std::vector<LabelImage> v;
  v.push_back(std::move(a));
  return v;
}
std::vector<LabelImage> files(LabelImage a, LabelImage b) {
  std::vector<LabelImage> v = files(std::move(a));
  v.push_back(std::move(b));
  return v;
}

template <typename T>
void set(LabelImage& li, std::size_t i, std::size_t j, std::size_t k, T value) {
  const Grid& g = li.volume.grid;
  li.volume.samples<T>()[(k * g.rows() + j) * g.columns() + i] = value;
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

Metadata metadataFor(std::vector<std::vector<SegmentDescription>> lists) {
  Metadata m;
  m.sourceFile = "meta.json";
  m.segmentAttributes = std::move(lists);
  return m;
}

// Runs the encoder into memory.
std::vector<std::uint8_t> encode(const Plan& plan, const std::vector<LabelImage>& images) {
  const std::unique_ptr<FramePacker> encoder = strategyFor(plan.type).packer(plan, images);
  std::vector<std::uint8_t> buffer(encoder->pixelDataLength() + 64);
  DcmOutputBufferStream out(buffer.data(), buffer.size());
  const std::string path = "memory";
  dicom::ByteSink sink(out, path);
  encoder->encode(sink);
  void* data = nullptr;
  offile_off_t length = 0;
  out.flushBuffer(data, length);
  REQUIRE(static_cast<std::uint64_t>(length) == encoder->pixelDataLength());
  return {static_cast<std::uint8_t*>(data), static_cast<std::uint8_t*>(data) + length};
}

bool bit(const std::vector<std::uint8_t>& bytes, std::size_t n) { return (bytes[n / 8] >> (n % 8)) & 1u; }

}  // namespace

TEST_CASE("one pass finds each segment's slices and bounding boxes") {
  std::vector<LabelImage> images = files(image(8, 6, 4));
  set<std::uint8_t>(images[0], 1, 2, 0, 3);
  set<std::uint8_t>(images[0], 5, 4, 0, 3);
  set<std::uint8_t>(images[0], 2, 1, 2, 1);
  const Metadata m = metadataFor({{describe(3, "three"), describe(1, "one")}});
  WriterOptions o;
  const Plan plan = makePlan(images, m, o);
  REQUIRE(plan.segments.size() == 2);
  // Numbered in label order within the file: label 1 -> 1, label 3 -> 2.
  CHECK(plan.segments[0].label == 1);
  CHECK(plan.segments[0].number == 1);
  CHECK(plan.segments[1].label == 3);
  CHECK(plan.segments[1].number == 2);
  REQUIRE(plan.segments[1].extents.size() == 1);
  const SliceExtent& e = plan.segments[1].extents[0];
  CHECK((e.slice == 0 && e.i0 == 1 && e.i1 == 5 && e.j0 == 2 && e.j1 == 4 && e.voxels == 2));
  // Frames: segment 1 on slice 2, segment 2 on slice 0; positions are absolute.
  REQUIRE(plan.frames.size() == 2);
  CHECK(plan.frames[0].segment == 0);
  CHECK(plan.frames[0].slice == 2);
  CHECK(plan.frames[1].slice == 0);
  CHECK(plan.frames[0].position == 2);
  CHECK(plan.frames[1].position == 1);
  CHECK(plan.overlap == SegmentsOverlap::No);
}

TEST_CASE("skip 0 gives every slice to every segment") {
  std::vector<LabelImage> images = files(image(4, 4, 5));
  set<std::uint8_t>(images[0], 0, 0, 3, 1);
  WriterOptions o;
  o.skipEmptySlices = false;
  const Plan plan = makePlan(images, metadataFor({{describe(1, "a"), describe(2, "b")}}), o);
  CHECK(plan.frames.size() == 10);
  CHECK(plan.frames[3].extent != nullptr);
  CHECK(plan.frames[2].extent == nullptr);
}

TEST_CASE("labels missing from the metadata are named with the file") {
  std::vector<LabelImage> images = files(image(4, 4, 2, PixelType::Int16));
  set<std::int16_t>(images[0], 2, 3, 1, 7);
  try {
    makePlan(images, metadataFor({{describe(1, "a")}}), WriterOptions{});
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.file() == "labels.nrrd");
    CHECK(e.message() == "label 7 (first at voxel (2, 3, 1)) is not described in segmentAttributes[0] of the metadata");
  }
}

TEST_CASE("negative and non-integer labels are refused") {
  std::vector<LabelImage> images = files(image(4, 4, 1, PixelType::Int16));
  set<std::int16_t>(images[0], 1, 1, 0, -2);
  CHECK_THROWS_WITH(makePlan(images, metadataFor({{describe(1, "a")}}), WriterOptions{}),
                    Catch::Contains("negative label value -2"));
  std::vector<LabelImage> floats = files(image(4, 4, 1, PixelType::Float32));
  set<float>(floats[0], 1, 1, 0, 1.5f);
  CHECK_THROWS_WITH(makePlan(floats, metadataFor({{describe(1, "a")}}), WriterOptions{}),
                    Catch::Contains("non-integer label value"));
  // Integral floats are fine.
  set<float>(floats[0], 1, 1, 0, 1.0f);
  CHECK(makePlan(floats, metadataFor({{describe(1, "a")}}), WriterOptions{}).frames.size() == 1);
}

TEST_CASE("overlap between files is measured, and refused for a label map") {
  std::vector<LabelImage> images = files(image(4, 4, 3), image(4, 4, 3));
  set<std::uint8_t>(images[0], 1, 1, 1, 1);
  set<std::uint8_t>(images[1], 2, 2, 1, 1);
  const Metadata m = metadataFor({{describe(1, "liver")}, {describe(1, "heart")}});
  CHECK(makePlan(images, m, WriterOptions{}).overlap == SegmentsOverlap::No);
  set<std::uint8_t>(images[1], 1, 1, 1, 1);
  CHECK(makePlan(images, m, WriterOptions{}).overlap == SegmentsOverlap::Yes);
  WriterOptions labelmap;
  labelmap.type = SegmentationType::Labelmap;
  CHECK_THROWS_WITH(makePlan(images, m, labelmap),
                    Catch::Contains("segment 2 (\"heart\") overlaps segment 1 (\"liver\")") &&
                        Catch::Contains("at slice 1, voxel (1, 1, 1)"));
}

TEST_CASE("useLabelIDAsSegmentNumber: BINARY needs 1..N, LABELMAP allows gaps") {
  std::vector<LabelImage> images = files(image(4, 4, 1));
  set<std::uint8_t>(images[0], 0, 0, 0, 1);
  set<std::uint8_t>(images[0], 1, 0, 0, 5);
  const Metadata m = metadataFor({{describe(1, "a"), describe(5, "b")}});
  WriterOptions o;
  o.useLabelIDAsSegmentNumber = true;
  CHECK_THROWS_WITH(makePlan(images, m, o), Catch::Contains("label 2 is missing"));
  o.type = SegmentationType::Labelmap;
  const Plan plan = makePlan(images, m, o);
  CHECK(plan.segments[1].number == 5);
  CHECK(plan.bitsAllocated == 8);
}

TEST_CASE("all-empty input yields one empty frame") {
  std::vector<LabelImage> images = files(image(4, 4, 3));
  const Plan plan = makePlan(images, metadataFor({{describe(1, "a")}}), WriterOptions{});
  CHECK(plan.emptyInput);
  REQUIRE(plan.frames.size() == 1);
  CHECK(plan.frames[0].extent == nullptr);
}

TEST_CASE("binary frames are packed back to back, across byte boundaries") {
  // 23 x 3 = 69 pixels per frame: frame 2 starts at bit 69.
  std::vector<LabelImage> images = files(image(23, 3, 2));
  set<std::uint8_t>(images[0], 0, 0, 0, 1);   // bit 0
  set<std::uint8_t>(images[0], 22, 2, 0, 1);  // bit 68
  set<std::uint8_t>(images[0], 0, 0, 1, 1);   // frame 2: bit 69
  set<std::uint8_t>(images[0], 5, 1, 1, 1);   // bit 69 + 28 = 97
  const Plan plan = makePlan(images, metadataFor({{describe(1, "a")}}), WriterOptions{});
  REQUIRE(plan.frames.size() == 2);
  const auto bytes = encode(plan, images);
  REQUIRE(bytes.size() == (2 * 69 + 7) / 8);
  std::size_t ones = 0;
  for (std::size_t n = 0; n < 138; ++n) ones += bit(bytes, n);
  CHECK(ones == 4);
  CHECK(bit(bytes, 0));
  CHECK(bit(bytes, 68));
  CHECK(bit(bytes, 69));
  CHECK(bit(bytes, 97));
}

TEST_CASE("label-map frames hold segment numbers, 16-bit beyond 255") {
  std::vector<LabelImage> images = files(image(3, 2, 1, PixelType::UInt16));
  set<std::uint16_t>(images[0], 0, 0, 0, 2);
  set<std::uint16_t>(images[0], 2, 1, 0, 300);
  WriterOptions o;
  o.type = SegmentationType::Labelmap;
  o.useLabelIDAsSegmentNumber = true;
  const Plan plan = makePlan(images, metadataFor({{describe(2, "a"), describe(300, "b")}}), o);
  CHECK(plan.bitsAllocated == 16);
  CHECK(plan.labelmapBackground);
  const auto bytes = encode(plan, images);
  REQUIRE(bytes.size() == 12);
  CHECK(bytes[0] == 2);
  CHECK(bytes[1] == 0);
  CHECK(bytes[10] == (300 & 0xff));
  CHECK(bytes[11] == (300 >> 8));
}

TEST_CASE("fractional frames quantise probabilities to 0..255") {
  std::vector<LabelImage> images = files(image(2, 2, 1, PixelType::Float32));
  set<float>(images[0], 0, 0, 0, 1.0f);
  set<float>(images[0], 1, 0, 0, 0.5f);
  set<float>(images[0], 0, 1, 0, 0.001f);  // rounds to 0
  WriterOptions o;
  o.type = SegmentationType::Fractional;
  const Plan plan = makePlan(images, metadataFor({{describe(1, "p")}}), o);
  const auto bytes = encode(plan, images);
  REQUIRE(bytes.size() == 4);
  CHECK(bytes[0] == 255);
  CHECK(bytes[1] == 128);
  CHECK(bytes[2] == 0);
  set<float>(images[0], 1, 1, 0, 1.5f);
  CHECK_THROWS_WITH(makePlan(images, metadataFor({{describe(1, "p")}}), o), Catch::Contains("outside [0, 1]"));
}
