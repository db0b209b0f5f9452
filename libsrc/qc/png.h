#pragma once
// RGB pictures and their PNG encoding (libpng), inline in a page as data URIs.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace qidcm::qc {

struct Rgb {
  std::uint8_t r = 0, g = 0, b = 0;
};

struct RgbImage {
  std::size_t width = 0, height = 0;
  std::vector<std::uint8_t> pixels;  // RGB, row by row from the top
  RgbImage() = default;
  RgbImage(std::size_t w, std::size_t h) : width(w), height(h), pixels(w * h * 3, 0) {}
  std::uint8_t* at(std::size_t x, std::size_t y) { return pixels.data() + (y * width + x) * 3; }
  void set(std::size_t x, std::size_t y, Rgb c) {
    std::uint8_t* p = at(x, y);
    p[0] = c.r, p[1] = c.g, p[2] = c.b;
  }
};

// PNG bytes (8-bit RGB, Up filter, zlib level 1: a page of a hundred
// segments has hundreds of pictures, and speed matters more than bytes).
// Throws Error (Internal) when libpng fails.
std::string encodePng(const RgbImage& image);
std::string base64(const std::string& bytes);
// "data:image/png;base64,..."
std::string pngDataUri(const RgbImage& image);

}  // namespace qidcm::qc
