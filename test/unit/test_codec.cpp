#include <catch2/catch.hpp>

#include <random>

#include "pixel/bits.h"
#include "pixel/deflate.h"
#include "pixel/frame_codec.h"
#include "pixel/j2k.h"
#include "pixel/rle.h"
#include "qidcm/compression.h"
#include "qidcm/error.h"

using namespace qidcm;

namespace {
std::vector<std::uint8_t> randomMask(std::size_t n, double density, unsigned seed, bool wideValues = false) {
  std::mt19937 rng(seed);
  std::bernoulli_distribution on(density);
  std::vector<std::uint8_t> v(n);
  for (auto& x : v) x = on(rng) ? static_cast<std::uint8_t>(wideValues ? 1 + rng() % 255 : 1) : 0;
  return v;
}
}  // namespace

TEST_CASE("packBits packs non-zero bytes LSB first, whatever the count") {
  for (std::size_t count : {1u, 7u, 8u, 9u, 63u, 64u, 65u, 1000u, 4099u}) {
    const auto in = randomMask(count, 0.3, static_cast<unsigned>(count), true);
    std::vector<std::uint8_t> packed((count + 7) / 8, 0xAA);
    pixel::packBits(in.data(), count, packed.data());
    for (std::size_t n = 0; n < count; ++n) REQUIRE(pixel::bitAt(packed.data(), n) == (in[n] != 0));
    if (count % 8) CHECK((packed.back() >> (count % 8)) == 0);  // unused high bits are 0
    std::vector<std::uint8_t> back(count);
    pixel::unpackBits(packed.data(), 0, count, back.data());
    for (std::size_t n = 0; n < count; ++n) REQUIRE(back[n] == (in[n] != 0));
  }
}

TEST_CASE("RLE: runs longer than 128, literals and 16-bit planes round-trip") {
  std::vector<std::uint8_t> bytes(70000, 0);
  for (std::size_t n = 300; n < 310; ++n) bytes[n] = static_cast<std::uint8_t>(n);  // literals
  for (std::size_t n = 1000; n < 1500; ++n) bytes[n] = 7;                             // a long run
  bytes.back() = 9;                                                                    // a single trailing byte
  auto encoded = pixel::rleEncodeFrame(bytes.data(), bytes.size(), 1);
  CHECK(encoded.size() < 2000);
  std::vector<std::uint8_t> decoded;
  pixel::rleDecodeFrame(encoded.data(), encoded.size(), bytes.size(), 1, decoded);
  CHECK(decoded == bytes);

  std::vector<std::uint8_t> words(2 * 5000);
  std::mt19937 rng(3);
  for (std::size_t n = 0; n < 5000; ++n) {
    const std::uint16_t v = n < 2500 ? 0 : static_cast<std::uint16_t>(rng());
    words[2 * n] = static_cast<std::uint8_t>(v & 0xff);
    words[2 * n + 1] = static_cast<std::uint8_t>(v >> 8);
  }
  encoded = pixel::rleEncodeFrame(words.data(), 5000, 2);
  pixel::rleDecodeFrame(encoded.data(), encoded.size(), 5000, 2, decoded);
  CHECK(decoded == words);
}

TEST_CASE("single-bit RLE: packed bits are written, both layouts are read, told apart by length") {
  for (std::size_t pixels : {1u, 5u, 8u, 13u, 64u, 37u * 29u, 512u * 512u}) {
    const auto bits = randomMask(pixels, 0.1, static_cast<unsigned>(pixels));
    std::vector<std::uint8_t> packed((pixels + 7) / 8);
    pixel::packBits(bits.data(), pixels, packed.data());
    const auto packedRle = pixel::rleEncodeBitFrame(packed.data(), pixels);
    std::vector<std::uint8_t> segment;
    pixel::rleDecodeFrame(packedRle.data(), packedRle.size(), packed.size(), 1, segment);
    REQUIRE(segment == packed);  // one segment, the packed bytes
    std::vector<std::uint8_t> out;
    pixel::rleDecodeBitFrame(packedRle.data(), packedRle.size(), pixels, out);
    REQUIRE(out == packed);
    // The byte-per-pixel layout qidcm wrote before.
    const auto byteRle = pixel::rleEncodeFrame(bits.data(), pixels, 1);
    pixel::rleDecodeBitFrame(byteRle.data(), byteRle.size(), pixels, out);
    REQUIRE(out == packed);
  }
  // Too short for either layout.
  std::vector<std::uint8_t> three(3, 0xFF);
  const auto shortRle = pixel::rleEncodeFrame(three.data(), 3, 1);
  std::vector<std::uint8_t> out;
  CHECK_THROWS_WITH(pixel::rleDecodeBitFrame(shortRle.data(), shortRle.size(), 100, out),
                    Catch::Contains("decodes to 3 bytes: 13 (packed bits) or 100"));
}

TEST_CASE("frame codecs round-trip a single-bit mask and signed 16-bit samples") {
  pixel::FrameFormat mask{37, 29, 1, false};
  const auto bits = randomMask(37 * 29, 0.2, 11);
  std::vector<std::uint8_t> packed(mask.frameBytes());
  pixel::packBits(bits.data(), bits.size(), packed.data());
  // DIFC: raw DEFLATE of the frame's own packed bytes, even length.
  auto difc = pixel::encodeFrame(Compression::Difc, mask, packed.data());
  CHECK(difc.size() % 2 == 0);
  std::vector<std::uint8_t> out;
  pixel::inflateFrame(difc.data(), difc.size(), packed.size(), out);
  CHECK(out == packed);
  // RLE: the packed bits as one segment (CP 2301); it decodes to the packed bytes.
  auto rle = pixel::encodeFrame(Compression::Rle, mask, packed.data());
  pixel::rleDecodeFrame(rle.data(), rle.size(), packed.size(), 1, out);
  CHECK(out == packed);
  pixel::rleDecodeBitFrame(rle.data(), rle.size(), bits.size(), out);
  CHECK(out == packed);
  // JPEG 2000: samples 0/1.
  auto j2k = pixel::encodeFrame(Compression::Jpeg2000, mask, packed.data());
  pixel::j2kDecodeFrame(j2k.data(), j2k.size(), 29, 37, 1, out);
  CHECK(out == bits);
  CHECK_THROWS(pixel::encodeFrame(Compression::JpegLs, mask, packed.data()));

  pixel::FrameFormat signedMap{16, 20, 16, true};
  std::vector<std::uint8_t> samples(signedMap.frameBytes());
  std::mt19937 rng(5);
  for (std::size_t n = 0; n < samples.size(); n += 2) {
    const auto v = static_cast<std::uint16_t>(static_cast<std::int16_t>(static_cast<int>(rng() % 65536) - 32768));
    samples[n] = static_cast<std::uint8_t>(v & 0xff);
    samples[n + 1] = static_cast<std::uint8_t>(v >> 8);
  }
  j2k = pixel::encodeFrame(Compression::Jpeg2000, signedMap, samples.data());
  pixel::j2kDecodeFrame(j2k.data(), j2k.size(), 20, 16, 2, out);
  CHECK(out == samples);
  // Two threads produce the same fragments as one.
  auto all = pixel::encodeFrames(Compression::Rle, signedMap, 9, [&](std::size_t f, std::vector<std::uint8_t>& o) {
    o = samples;
    o[0] = static_cast<std::uint8_t>(f);
  });
  REQUIRE(all.size() == 9);
  for (std::size_t f = 0; f < 9; ++f) {
    auto one = samples;
    one[0] = static_cast<std::uint8_t>(f);
    CHECK(all[f] == pixel::encodeFrame(Compression::Rle, signedMap, one.data()));
  }
}

TEST_CASE("compression values, transfer syntaxes and allowed combinations") {
  CHECK(parseCompression("difc") == Compression::Difc);
  CHECK(std::string(transferSyntaxUid(Compression::Difc)) == "1.2.840.10008.1.2.8.1");
  CHECK(std::string(transferSyntaxUid(Compression::JpegLs)) == "1.2.840.10008.1.2.4.80");
  CHECK_THROWS_AS(parseCompression("zip"), Error);
  CHECK(allowedCompressions({1, false}).size() == 5);
  CHECK(allowedCompressions({16, false}).size() == 6);
  CHECK(allowedCompressions({32, true}) == std::vector<Compression>{Compression::None, Compression::Deflate});
  try {
    requireAllowed(Compression::JpegLs, {1, false}, "a BINARY SEG");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::Usage);
    CHECK(std::string(e.what()).find("none, deflate, rle, jpeg2000, difc") != std::string::npos);
  }
}
