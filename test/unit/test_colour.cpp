#include <catch2/catch.hpp>

#include "qidcm/codes.h"

using namespace qidcm;

TEST_CASE("sRGB -> CIELab -> sRGB is the identity for every 8-bit colour") {
  std::size_t mismatches = 0;
  RGB first{};
  for (int r = 0; r < 256; ++r)
    for (int g = 0; g < 256; ++g)
      for (int b = 0; b < 256; ++b) {
        const RGB c{r, g, b};
        if (labToRgb(rgbToLab(c)) != c) {
          if (mismatches++ == 0) first = c;
        }
      }
  INFO("first mismatch " << first[0] << "," << first[1] << "," << first[2]);
  REQUIRE(mismatches == 0);
}

TEST_CASE("CIELab encoding follows PS3.3 C.10.7.1.1 with the D65 white point") {
  // White: L* = 100, a* = b* = 0 -> 65535, 0x8080, 0x8080.
  REQUIRE(rgbToLab({255, 255, 255}) == CIELab{65535, 32896, 32896});
  // Black: L* = 0.
  REQUIRE(rgbToLab({0, 0, 0}) == CIELab{0, 32896, 32896});
  // Pure red, L*a*b* (D65) = 53.24, 80.09, 67.20 (reference values).
  const CIELab red = rgbToLab({255, 0, 0});
  CHECK(red[0] == Approx(53.24 * 65535 / 100).margin(40));
  CHECK(red[1] == Approx((80.09 + 128) * 65535 / 255).margin(40));
  CHECK(red[2] == Approx((67.20 + 128) * 65535 / 255).margin(40));
  // dcmqi's example liver colour keeps its value through the trip.
  REQUIRE(labToRgb(rgbToLab({221, 130, 101})) == RGB{221, 130, 101});
}
