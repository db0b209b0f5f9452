#include <catch2/catch.hpp>

#include <algorithm>
#include <dirent.h>

#include "qidcm/pet/series.h"

using namespace qidcm::pet;
using Catch::Matchers::Contains;

namespace {

std::vector<std::string> petFiles(const std::string& dro) {
  const std::string dir = std::string(QIDCM_SHARED_DATA) + "/suv_computation/DRO/" + dro + "/PT";
  std::vector<std::string> files;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d))
      if (e->d_name[0] != '.') files.push_back(dir + "/" + e->d_name);
    closedir(d);
  }
  std::sort(files.begin(), files.end());
  return files;
}

SuvResult suvOf(const std::string& dro, PetSeries* out = nullptr) {
  PetSeries s = readPetSeries(petFiles(dro));
  REQUIRE(s.slices.size() == 20);
  SuvResult r = computeSuv(s.inputs, SuvType::BodyWeight, dro);
  if (out) *out = std::move(s);
  return r;
}

}  // namespace

TEST_CASE("DICOM dates and times to seconds") {
  CHECK(parseDate("19700102").value() == 86400);
  CHECK(parseDate("2025.01.01").value() == parseDate("20250101").value());
  CHECK_FALSE(parseDate("2025011"));
  CHECK(parseTime("110000.000000").value() == 39600);
  CHECK(parseTime("1100").value() == 39600);
  CHECK(parseTime("11:00:30.5").value() == Approx(39630.5));
  CHECK_FALSE(parseTime("11x"));
  CHECK(parseDateTime("20250101100000.000000").value() == parseDate("20250101").value() + 36000);
  CHECK(parseDateTime("20250101100000+0100").value() == parseDate("20250101").value() + 36000);
  CHECK_FALSE(parseDateTime(""));
}

TEST_CASE("the six SUV DROs' headers give the expected SUV factors") {
  // Expected factors: doc/design/pet2suv-research.md section 2 (the DROs'
  // expected SUVs, 0.2 / 1 / 4 in the mask, over their stored values).
  PetSeries s;
  SuvResult r = suvOf("DRO_0_0", &s);
  CHECK(r.factors.front() == Approx(2.77778125e-4).epsilon(1e-6));
  CHECK(r.units == "BQML");
  CHECK(r.referenceTime == "Series Date/Time");
  CHECK(s.slices.front().position[2] < s.slices.back().position[2]);  // sorted along the normal

  r = suvOf("DRO_1_0", &s);
  for (std::size_t n = 0; n < 20; ++n) {
    INFO("slice " << n << " z " << s.slices[n].position[2]);
    const bool three = s.slices[n].position[2] >= 32 && s.slices[n].position[2] <= 44;
    CHECK(r.factors[n] == Approx(three ? 8.33334375e-4 : 1.1111125e-3).epsilon(1e-6));
  }

  CHECK(suvOf("DRO_2_0").factors.front() == Approx(0.1));

  r = suvOf("DRO_2_4", &s);
  CHECK(r.factors.front() == Approx(5e-4));
  CHECK(r.units == "CNTS (SUV factor)");
  REQUIRE(s.notes.size() == 1);
  CHECK_THAT(s.notes.front(), Contains("(7053,1000)") && Contains("without its private creator"));
  // Each value read is recorded with its source, for pet2suv's JSON.
  auto source = [&](const std::string& name) {
    for (const InputValue& v : s.read)
      if (v.name == name) return v.value + " from " + v.source;
    return std::string("not read");
  };
  CHECK(source("PhilipsSUVScaleFactor") ==
        "0.0005 from Philips SUV Scale Factor (7053,1000) (no private creator; read by its raw tag)");
  CHECK(source("Units") == "CNTS from Units (0054,1001)");
  CHECK(source("PatientWeight") == "70.0 from PatientWeight (0010,1030)");
  CHECK(source("GEPostInjectionDateTime") == "not read");
  CHECK(s.inputs.correctedImage.value().size() == 6);

  r = suvOf("DRO_3_0");
  CHECK(r.factors.front() == Approx(2.77778125e-4).epsilon(1e-6));
  REQUIRE(r.warnings.size() == 1);
  CHECK_THAT(r.warnings.front(), Contains("MBq"));

  r = suvOf("DRO_4_2");
  CHECK(r.factors.front() == Approx(2.77778125e-4).epsilon(1e-6));
  CHECK_THAT(r.administrationTime, Contains("the day before"));
}

TEST_CASE("a file of another modality is refused by name") {
  const std::string rs = std::string(QIDCM_SHARED_DATA) + "/suv_computation/DRO/DRO_0_0/RS/RS_dro_0_0.dcm";
  CHECK_THROWS_WITH(readPetSeries({rs}), Contains("Modality (0008,0060)") && Contains("RTSTRUCT"));
}
