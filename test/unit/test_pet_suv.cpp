#include <catch2/catch.hpp>

#include <cmath>

#include "qidcm/error.h"
#include "qidcm/pet/suv.h"

using namespace qidcm::pet;
using Catch::Matchers::Contains;

namespace {

constexpr double kHour = 3600;
// 2025-01-01 00:00:00 UTC in seconds since 1970.
constexpr double kDay0 = 1735689600;

// The SUV DROs' shared headers (doc/design/pet2suv-research.md section 2):
// BQML, START, 70 kg, 1.75 m, sex O, 368.08 MBq FDG at 10:00, series at 11:00.
SuvInputs dro(std::size_t slices = 20) {
  SuvInputs in;
  in.units = "BQML";
  in.decayCorrection = "START";
  in.patientSex = "O";
  in.patientWeight = 70;
  in.patientSize = 1.75;
  in.totalDose = 368080000;
  in.halfLife = 6586.2;
  in.actualFrameDuration = 300000;
  in.correctedImage = std::vector<std::string>{"NORM", "DTIM", "ATTN", "SCAT", "DECY", "RAN"};
  in.seriesDateTime = kDay0 + 11 * kHour;
  in.radiopharmaceuticalStartDateTime = kDay0 + 10 * kHour;
  in.radiopharmaceuticalStartTimeOfDay = 10 * kHour;
  for (std::size_t n = 0; n < slices; ++n) in.slices.push_back({1.0, 0.0, kDay0 + 11 * kHour});
  return in;
}

// The DROs' expected factor: 70 kg / (368.08 MBq x exp(-ln2 x 3600 / 6586.2)).
const double kDroFactor = 70000 / (368080000 * std::exp(-std::log(2.0) * 3600 / 6586.2));

}  // namespace

TEST_CASE("SUV: the DROs' factor, BQML decay corrected to the series start") {
  const SuvResult r = computeSuv(dro(), SuvType::BodyWeight, "pt");
  REQUIRE(r.factors.size() == 20);
  CHECK(r.factors[0] == Approx(2.77778125e-4).epsilon(1e-6));
  CHECK(r.factors[0] == Approx(kDroFactor).epsilon(1e-12));
  CHECK(r.referenceTime == "Series Date/Time");
  CHECK(r.administrationTime == "Radiopharmaceutical Start DateTime");
  CHECK(r.decayFactor.value() == Approx(0.6846329).epsilon(1e-6));
  CHECK(r.warnings.empty());
}

TEST_CASE("SUV: Rescale Slope per slice (DRO_1_0: 4, and 3 on slices 8-11)") {
  SuvInputs in = dro();
  for (std::size_t n = 0; n < 20; ++n) in.slices[n].rescaleSlope = n >= 8 && n <= 11 ? 3.0 : 4.0;
  const SuvResult r = computeSuv(in, SuvType::BodyWeight, "pt");
  CHECK(r.factors[0] == Approx(1.1111125e-3).epsilon(1e-6));
  CHECK(r.factors[9] == Approx(8.33334375e-4).epsilon(1e-6));
  CHECK(r.factors[12] == Approx(r.factors[0]));
}

TEST_CASE("SUV: GML with SUV Type BW or empty is the stored value x slope (DRO_2_0)") {
  SuvInputs in = dro();
  in.units = "GML";
  in.suvType = "BW";
  for (auto& s : in.slices) s.rescaleSlope = 0.1;
  CHECK(computeSuv(in, SuvType::BodyWeight, "pt").factors[0] == Approx(0.1));
  in.suvType = "";
  const SuvResult r = computeSuv(in, SuvType::BodyWeight, "pt");
  CHECK(r.factors[0] == Approx(0.1));
  CHECK(r.warnings.size() == 1);
}

TEST_CASE("SUV: GML normalised by LBM, LBMJAMES128, LBMJANMA, IBW is back-computed to body weight") {
  SuvInputs in = dro();
  in.units = "GML";
  in.patientSex = "M";
  const double w = 70, h = 175;
  const std::pair<const char*, double> masses[] = {
      {"LBM", 1.10 * w - 120 * (w / h) * (w / h)},
      {"LBMJAMES128", 1.10 * w - 128 * (w / h) * (w / h)},
      {"LBMJANMA", 9270 * w / (6680 + 216 * (w / (1.75 * 1.75)))},
      {"IBW", 48.0 + 1.06 * (h - 152)},
  };
  for (const auto& [type, mass] : masses) {
    in.suvType = type;
    CHECK(computeSuv(in, SuvType::BodyWeight, "pt").factors[0] == Approx(w / mass).epsilon(1e-12));
  }
  // 120 and 128 give different masses: the multiplier is not ignored.
  CHECK(masses[0].second != Approx(masses[1].second));
  // Sex O: the mean of the male and female masses.
  in.suvType = "IBW";
  in.patientSex = "O";
  const double mean = 0.5 * ((48.0 + 1.06 * (h - 152)) + (45.5 + 0.91 * (h - 152)));
  CHECK(computeSuv(in, SuvType::BodyWeight, "pt").factors[0] == Approx(w / mean).epsilon(1e-12));
  in.patientSex = "";
  CHECK_THROWS_WITH(computeSuv(in, SuvType::BodyWeight, "pt"), Contains("PatientSex (0010,0040)"));
  in.patientSex = "F";
  in.patientSize.reset();
  CHECK_THROWS_WITH(computeSuv(in, SuvType::BodyWeight, "pt"), Contains("PatientSize (0010,1020)"));
}

TEST_CASE("SUV: CM2ML (Du Bois BSA) and Philips CNTS factors") {
  SuvInputs in = dro();
  in.units = "CM2ML";
  const double bsa = 0.007184 * std::pow(175.0, 0.725) * std::pow(70.0, 0.425);
  CHECK(computeSuv(in, SuvType::BodyWeight, "pt").factors[0] == Approx(70000 / (bsa * 1e4)).epsilon(1e-12));

  in = dro();
  in.units = "CNTS";
  in.philipsSuvFactor = 0.0005;  // DRO_2_4
  CHECK(computeSuv(in, SuvType::BodyWeight, "pt").factors[0] == Approx(5e-4));
  in.philipsSuvFactor = 0.0;
  in.philipsActivityConcentrationFactor = 2.0;  // Bq/ml per count, then decay as BQML
  const SuvResult r = computeSuv(in, SuvType::BodyWeight, "pt");
  CHECK(r.factors[0] == Approx(2 * kDroFactor).epsilon(1e-12));
  CHECK(r.units == "CNTS (activity factor)");
  in.philipsActivityConcentrationFactor.reset();
  CHECK_THROWS_WITH(computeSuv(in, SuvType::BodyWeight, "pt"), Contains("(7053,1000)"));
}

TEST_CASE("SUV: other Units and a non-zero intercept are refused by name") {
  for (const char* units : {"PROPCPS", "PROPCNTS", "1CM", "CNT", ""}) {
    SuvInputs in = dro();
    in.units = units;
    CHECK_THROWS_WITH(computeSuv(in, SuvType::BodyWeight, "pt.dcm"), Contains("Units (0054,1001)") && Contains("pt.dcm"));
  }
  SuvInputs in = dro();
  in.slices[3].rescaleIntercept = 1;
  CHECK_THROWS_WITH(computeSuv(in, SuvType::BodyWeight, "pt"), Contains("RescaleIntercept (0028,1052)") &&
                                                                   Contains("slice 4"));
}

TEST_CASE("SUV: weight in grams and dose in MBq are recognised, with warnings (DRO_3_0)") {
  SuvInputs in = dro();
  in.patientWeight = 70000;
  in.totalDose = 368.08;
  const SuvResult r = computeSuv(in, SuvType::BodyWeight, "pt");
  CHECK(r.factors[0] == Approx(kDroFactor).epsilon(1e-9));
  CHECK(r.warnings.size() == 2);
  in.totalDose = 5e5;
  CHECK_THROWS_WITH(computeSuv(in, SuvType::BodyWeight, "pt"), Contains("RadionuclideTotalDose (0018,1074)"));
  in = dro();
  in.patientWeight.reset();
  CHECK_THROWS_WITH(computeSuv(in, SuvType::BodyWeight, "pt"), Contains("PatientWeight (0010,1030)"));
  in = dro();
  in.halfLife.reset();
  CHECK_THROWS_WITH(computeSuv(in, SuvType::BodyWeight, "pt"), Contains("RadionuclideHalfLife (0018,1075)"));
}

TEST_CASE("SUV: injection before midnight with a Start Time only (DRO_4_2)") {
  SuvInputs in = dro();
  in.seriesDateTime = kDay0 + 24 * kHour + 0.5 * kHour;  // 2025-01-02 00:30
  for (auto& s : in.slices) s.acquisitionDateTime = in.seriesDateTime;
  in.radiopharmaceuticalStartDateTime.reset();
  in.radiopharmaceuticalStartTimeOfDay = 23.5 * kHour;  // 23:30, the day before
  const SuvResult r = computeSuv(in, SuvType::BodyWeight, "pt");
  CHECK(r.factors[0] == Approx(kDroFactor).epsilon(1e-12));
  CHECK_THAT(r.administrationTime, Contains("the day before"));
}

TEST_CASE("SUV: reference time when the Series Time is after the acquisition") {
  SuvInputs in = dro();
  in.seriesDateTime = kDay0 + 12 * kHour;  // post-processed
  // earliest acquisition: 11:00
  CHECK(computeSuv(in, SuvType::BodyWeight, "pt").factors[0] == Approx(kDroFactor).epsilon(1e-12));
  CHECK(computeSuv(in, SuvType::BodyWeight, "pt").referenceTime == "earliest Acquisition Date/Time");
  in.gePostInjectionDateTime = kDay0 + 11 * kHour;
  for (auto& s : in.slices) s.acquisitionDateTime = kDay0 + 11.5 * kHour;
  const SuvResult r = computeSuv(in, SuvType::BodyWeight, "pt");
  CHECK(r.referenceTime == "GE (0009,100D)");
  CHECK(r.factors[0] == Approx(kDroFactor).epsilon(1e-12));
}

TEST_CASE("SUV: ADMIN needs no decay, NONE decays each slice from its own acquisition") {
  SuvInputs in = dro();
  in.decayCorrection = "ADMIN";
  CHECK(computeSuv(in, SuvType::BodyWeight, "pt").factors[0] == Approx(70000 / 368080000.0).epsilon(1e-12));
  in.decayCorrection = "NONE";
  in.correctedImage = std::vector<std::string>{"NORM", "ATTN"};
  in.slices[5].acquisitionDateTime = kDay0 + 11.25 * kHour;
  const double l = std::log(2.0) / 6586.2, T = 300;
  const double average = l * T / (1 - std::exp(-l * T));
  const SuvResult r = computeSuv(in, SuvType::BodyWeight, "pt");
  CHECK(r.factors[0] == Approx(70000 / 368080000.0 * average * std::exp(l * kHour)).epsilon(1e-12));
  CHECK(r.factors[5] == Approx(70000 / 368080000.0 * average * std::exp(l * 1.25 * kHour)).epsilon(1e-12));
  in.decayCorrection = "DECAY";
  CHECK_THROWS_WITH(computeSuv(in, SuvType::BodyWeight, "pt"), Contains("DecayCorrection (0054,1102)"));
}

TEST_CASE("SUV: the other normalisations scale SUVbw by mass / weight or BSA / weight") {
  SuvInputs in = dro();
  in.patientSex = "F";
  const double w = 70, h = 175;
  CHECK(computeSuv(in, SuvType::LeanBodyMassJames128, "pt").factors[0] ==
        Approx(kDroFactor * (1.07 * w - 148 * (w / h) * (w / h)) / w).epsilon(1e-12));
  CHECK(computeSuv(in, SuvType::IdealBodyWeight, "pt").factors[0] ==
        Approx(kDroFactor * (45.5 + 0.91 * (h - 152)) / w).epsilon(1e-12));
  CHECK(computeSuv(in, SuvType::BodySurfaceArea, "pt").factors[0] ==
        Approx(kDroFactor * 0.007184 * std::pow(h, 0.725) * std::pow(w, 0.425) * 1e4 / 70000).epsilon(1e-12));
  CHECK(parseSuvType("lbmjanma") == SuvType::LeanBodyMassJanma);
  CHECK_FALSE(parseSuvType("suv"));
}

TEST_CASE("SUV: a long-lived nuclide with a Start Time and no date is refused, a long uptake warned") {
  SuvInputs in = dro();
  in.halfLife = 78.4 * 3600;  // Zr-89
  in.radiopharmaceuticalStartDateTime.reset();
  CHECK_THROWS_WITH(computeSuv(in, SuvType::BodyWeight, "pt"), Contains("RadiopharmaceuticalStartDateTime (0018,1078)"));
  in = dro();
  in.radiopharmaceuticalStartDateTime = kDay0 - 2 * 24 * kHour;  // 2 days of FDG: > 10 half-lives
  const SuvResult r = computeSuv(in, SuvType::BodyWeight, "pt");
  REQUIRE(r.warnings.size() == 1);
  CHECK_THAT(r.warnings.front(), Contains("10 half-lives"));
}

TEST_CASE("SUV: attenuation and decay corrections must be listed in Corrected Image") {
  SuvInputs in = dro();
  CHECK(computeSuv(in, SuvType::BodyWeight, "pt").warnings.empty());
  in.correctedImage.reset();
  CHECK_THROWS_WITH(computeSuv(in, SuvType::BodyWeight, "pt"), Contains("CorrectedImage (0028,0051)") && Contains("missing"));
  in.correctedImage = std::vector<std::string>{"NORM", "DECY"};
  CHECK_THROWS_WITH(computeSuv(in, SuvType::BodyWeight, "pt"), Contains("CorrectedImage (0028,0051)") && Contains("no ATTN"));
  in.correctedImage = std::vector<std::string>{"NORM", "ATTN"};
  CHECK_THROWS_WITH(computeSuv(in, SuvType::BodyWeight, "pt"), Contains("CorrectedImage (0028,0051)") && Contains("no DECY"));
  in.decayCorrection = "ADMIN";
  CHECK_THROWS_WITH(computeSuv(in, SuvType::BodyWeight, "pt"), Contains("no DECY"));
  in.decayCorrection = "NONE";
  CHECK_NOTHROW(computeSuv(in, SuvType::BodyWeight, "pt"));
  in.correctedImage = std::vector<std::string>{"NORM", "ATTN", "DECY"};
  CHECK_THROWS_WITH(computeSuv(in, SuvType::BodyWeight, "pt"), Contains("has DECY but Decay Correction"));
  in = dro();
  in.correctedImage = std::vector<std::string>{"ATTN", "DECY"};
  const SuvResult r = computeSuv(in, SuvType::BodyWeight, "pt");
  REQUIRE(r.warnings.size() == 1);
  CHECK_THAT(r.warnings.front(), Contains("no NORM"));
}

TEST_CASE("SUV: CPS through the voxel volume, and the dose calibration factor unless DCAL") {
  SuvInputs in = dro();
  in.units = "CPS";
  CHECK_THROWS_WITH(computeSuv(in, SuvType::BodyWeight, "pt"), Contains("SliceThickness (0018,0050)"));
  in.voxelVolumeMl = 4.0 * 4.0 * 2.0 / 1000;  // 4 x 4 mm pixels, 2 mm slices
  CHECK_THROWS_WITH(computeSuv(in, SuvType::BodyWeight, "pt"), Contains("DoseCalibrationFactor (0054,1322)"));
  in.doseCalibrationFactor = 2.5;
  SuvResult r = computeSuv(in, SuvType::BodyWeight, "pt");
  CHECK(r.units == "CPS");
  CHECK(r.factors[0] == Approx(kDroFactor * 2.5 / 0.032).epsilon(1e-12));
  in.correctedImage->push_back("DCAL");
  r = computeSuv(in, SuvType::BodyWeight, "pt");
  CHECK(r.factors[0] == Approx(kDroFactor / 0.032).epsilon(1e-12));
}

TEST_CASE("SUV: a Patient's Size in centimetres is recognised, an impossible one refused") {
  SuvInputs in = dro();
  in.patientSex = "F";
  const double metres = computeSuv(in, SuvType::IdealBodyWeight, "pt").factors[0];
  in.patientSize = 175;
  const SuvResult r = computeSuv(in, SuvType::IdealBodyWeight, "pt");
  CHECK(r.factors[0] == Approx(metres).epsilon(1e-12));
  REQUIRE(r.warnings.size() == 1);
  CHECK_THAT(r.warnings.front(), Contains("centimetres"));
  in.patientSize = 1750;
  CHECK_THROWS_WITH(computeSuv(in, SuvType::IdealBodyWeight, "pt"), Contains("PatientSize (0010,1020)"));
  in.patientSize = 0.9;  // IBW of a 90 cm woman: 45.5 + 0.91 x (90 - 152) < 0
  CHECK_THROWS_WITH(computeSuv(in, SuvType::IdealBodyWeight, "pt"), Contains("PatientSize (0010,1020)"));
}
