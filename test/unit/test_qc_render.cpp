// qidcm-qc's pictures: PNG encoding (decoded back with libpng), base64, the
// planes through a grid and the label outlines.
#include <catch2/catch.hpp>
#include <png.h>

#include <cstring>
#include <sstream>

#include "core/csv.h"
#include "qc/png.h"
#include "qc/render.h"

using namespace qidcm;
using namespace qidcm::qc;

namespace {

struct Decoded {
  png_uint_32 width = 0, height = 0;
  int colourType = -1, depth = 0;
  std::vector<std::uint8_t> pixels;
};

Decoded decode(const std::string& bytes) {
  png_image image;
  std::memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  REQUIRE(png_image_begin_read_from_memory(&image, bytes.data(), bytes.size()));
  Decoded d;
  d.width = image.width;
  d.height = image.height;
  image.format = PNG_FORMAT_RGB;
  d.pixels.resize(PNG_IMAGE_SIZE(image));
  REQUIRE(png_image_finish_read(&image, nullptr, d.pixels.data(), 0, nullptr));
  return d;
}

Grid grid(std::size_t c, std::size_t r, std::size_t s, Vec3 spacing) {
  Grid g;
  g.size = {c, r, s};
  g.spacing = spacing;
  return g;
}

}  // namespace

TEST_CASE("QC pictures: PNG holds the RGB pixels exactly") {
  RgbImage picture(37, 11);
  for (std::size_t y = 0; y < picture.height; ++y)
    for (std::size_t x = 0; x < picture.width; ++x)
      picture.set(x, y, {static_cast<std::uint8_t>(x * 7), static_cast<std::uint8_t>(y * 23),
                         static_cast<std::uint8_t>((x * y) & 255)});
  const Decoded d = decode(encodePng(picture));
  CHECK(d.width == 37);
  CHECK(d.height == 11);
  CHECK(d.pixels == picture.pixels);
}

TEST_CASE("QC pictures: base64 (RFC 4648 test vectors)") {
  CHECK(base64("") == "");
  CHECK(base64("f") == "Zg==");
  CHECK(base64("fo") == "Zm8=");
  CHECK(base64("foo") == "Zm9v");
  CHECK(base64("foob") == "Zm9vYg==");
  CHECK(base64("fooba") == "Zm9vYmE=");
  CHECK(base64("foobar") == "Zm9vYmFy");
  CHECK(pngDataUri(RgbImage(1, 1)).rfind("data:image/png;base64,iVBORw0KGgo", 0) == 0);
}

TEST_CASE("QC pictures: an axial plane that fits is the slice, voxel for voxel") {
  const Grid g = grid(100, 80, 30, {0.7, 0.7, 2.5});
  const Plane p = axialPlane(g, 12, 256);
  REQUIRE(p.width == 100);
  REQUIRE(p.height == 80);
  const Vec3 a = p.at(0, 0), b = p.at(99, 79);
  CHECK(a[0] == Approx(0));
  CHECK(a[1] == Approx(0));
  CHECK(a[2] == Approx(12));
  CHECK(b[0] == Approx(99));
  CHECK(b[1] == Approx(79));
}

TEST_CASE("QC pictures: a large slice is reduced, reformats keep the physical aspect with k upwards") {
  const Grid g = grid(512, 512, 600, {0.8, 0.8, 1.5});
  const Plane axial = axialPlane(g, 0, 256);
  CHECK(axial.width == 256);
  CHECK(axial.height == 256);
  const Plane coronal = coronalPlane(g, 100, 512);
  // 409.6 mm across, 900 mm high: 900 / 512 mm per pixel.
  CHECK(coronal.height == 512);
  CHECK(coronal.width == 233);
  CHECK(coronal.at(0, 0)[1] == Approx(100));
  CHECK(coronal.at(0, 0)[2] > 598.5);                       // top row: the last slice
  CHECK(coronal.at(0, coronal.height - 1)[2] < 0.5);        // bottom row: the first
  const Plane sagittal = sagittalPlane(g, 7, 512);
  CHECK(sagittal.at(0, 0)[0] == Approx(7));
  CHECK(sagittal.du[1] > 0);
}

TEST_CASE("QC pictures: a reformat of three slices is still readable") {
  const Grid g = grid(512, 512, 3, {0.8, 0.8, 1.0});
  CHECK(coronalPlane(g, 0, 256).height == 24);
}

TEST_CASE("QC pictures: outline opaque on the border, fill blended inside, others left alone") {
  RgbImage picture(6, 5);
  for (std::size_t y = 0; y < 5; ++y)
    for (std::size_t x = 0; x < 6; ++x) picture.set(x, y, {100, 100, 100});
  std::vector<std::uint16_t> labels(30, 0);
  for (std::size_t y = 1; y < 4; ++y)
    for (std::size_t x = 1; x < 4; ++x) labels[y * 6 + x] = 2;
  labels[5] = 3;  // another segment, not in focus
  std::vector<Rgb> colours(4);
  colours[2] = {255, 0, 0};
  colours[3] = {0, 0, 255};
  drawLabels(picture, labels, colours, 2);
  auto at = [&](std::size_t x, std::size_t y) {
    const std::uint8_t* p = picture.at(x, y);
    return std::vector<int>{p[0], p[1], p[2]};
  };
  CHECK(at(1, 1) == std::vector<int>{255, 0, 0});  // border
  CHECK(at(3, 2) == std::vector<int>{255, 0, 0});
  CHECK(at(2, 2) == std::vector<int>{154, 65, 65});  // inside: 35 % red over grey 100
  CHECK(at(0, 0) == std::vector<int>{100, 100, 100});
  CHECK(at(5, 0) == std::vector<int>{100, 100, 100});  // segment 3 is not in focus
}

TEST_CASE("QC pictures: labels sampled through the mapping between two grids") {
  Grid source = grid(10, 10, 4, {1, 1, 1});
  Grid layerGrid = grid(4, 4, 2, {1, 1, 1});
  layerGrid.origin = {3, 5, 1};  // voxel (0,0,0) of the layer is voxel (3,5,1) of the source
  Volume layer = emptyVolume(layerGrid, PixelType::UInt8, "");
  layer.buffer.zero();
  layer.samples<std::uint8_t>()[layerGrid.index(1, 2, 0)] = 7;
  const std::vector<std::uint16_t> labels = sampleLabels(layer, indexMapping(source, layerGrid), axialPlane(source, 1, 64));
  std::size_t count = 0;
  for (std::size_t n = 0; n < labels.size(); ++n)
    if (labels[n]) {
      ++count;
      CHECK(n == 7 * 10 + 4);  // row 5 + 2, column 3 + 1
      CHECK(labels[n] == 7);
    }
  CHECK(count == 1);
}

TEST_CASE("CSV records: quotes, separators and line breaks inside cells, blank lines skipped") {
  std::istringstream in("a,b,c\r\n\"x,1\",\"say \"\"hi\"\"\",\"two\nlines\"\n\n1,,3");
  const auto r = csvRecords(in, ',');
  REQUIRE(r.size() == 3);
  CHECK(r[0] == std::vector<std::string>{"a", "b", "c"});
  CHECK(r[1] == std::vector<std::string>{"x,1", "say \"hi\"", "two\nlines"});
  CHECK(r[2] == std::vector<std::string>{"1", "", "3"});
}
