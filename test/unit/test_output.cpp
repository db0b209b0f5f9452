#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "core/output_transaction.h"
#include "qidcm/error.h"
#include "qidcm/volume.h"

using namespace qidcm;
namespace fs = std::filesystem;

namespace {
std::string dir(const std::string& name) {
  const std::string d = std::string(QIDCM_TEST_WORK) + "/" + name;
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}
std::size_t entries(const std::string& d) {
  return static_cast<std::size_t>(std::distance(fs::directory_iterator(d), fs::directory_iterator()));
}
}  // namespace

TEST_CASE("committed outputs appear, with their companion files") {
  const std::string d = dir("tx-commit");
  {
    OutputTransaction tx;
    const std::string staged = tx.stage(d + "/image.mhd");
    std::ofstream(staged) << "header";
    std::ofstream(fs::path(staged).replace_extension(".zraw")) << "data";
    CHECK(entries(d) == 1);  // only the staging directory
    tx.commit();
  }
  CHECK(fs::exists(d + "/image.mhd"));
  CHECK(fs::exists(d + "/image.zraw"));
  CHECK(entries(d) == 2);
}

TEST_CASE("an abandoned transaction leaves nothing behind") {
  const std::string d = dir("tx-abandon");
  try {
    OutputTransaction tx;
    std::ofstream(tx.stage(d + "/out.dcm")) << "partial";
    throw std::runtime_error("conversion failed");
  } catch (const std::runtime_error&) {
  }
  CHECK(entries(d) == 0);
}

TEST_CASE("an output in a missing directory is refused before any work") {
  OutputTransaction tx;
  CHECK_THROWS_WITH(tx.stage(std::string(QIDCM_TEST_WORK) + "/no/such/dir/out.dcm"),
                    Catch::Contains("output directory does not exist"));
}

TEST_CASE("Volume::clone copies the voxels, not the buffer", "[volume]") {
  qidcm::Volume v;
  v.grid.size = {3, 2, 2};
  v.type = qidcm::PixelType::Int16;
  v.allocate();
  for (std::size_t n = 0; n < v.grid.voxels(); ++n) v.samples<std::int16_t>()[n] = static_cast<std::int16_t>(n * 7 - 20);
  qidcm::Volume c = v.clone();
  REQUIRE(c.buffer.size() == v.buffer.size());
  CHECK(c.buffer.data() != v.buffer.data());
  CHECK(c.type == qidcm::PixelType::Int16);
  CHECK(qidcm::sameGrid(c.grid, v.grid));
  for (std::size_t n = 0; n < v.grid.voxels(); ++n) CHECK(c.sampleAsDouble(n) == double(n * 7) - 20);
  v.samples<std::int16_t>()[0] = 99;
  CHECK(c.sampleAsDouble(0) == -20);
}

TEST_CASE("ErrorKind names and exit codes", "[error]") {
  CHECK(std::string(qidcm::toString(qidcm::ErrorKind::Input)) == "input");
  CHECK(std::string(qidcm::toString(qidcm::ErrorKind::Output)) == "output");
  CHECK(qidcm::exitCode(qidcm::ErrorKind::Output) == 3);
  const qidcm::Error e(qidcm::ErrorKind::Input, "a.json", "", "bad");
  CHECK(std::string(e.what()) == "a.json: bad");
}
