#pragma once
// SUV from PET headers: the rules of the SUV computation manual
// (../shared/reference/suv/, doc/design/pet2suv-research.md), as a pure
// function of the values read from the series, so that every branch is
// testable without files. Reading the headers and writing RWVM / PM / image
// outputs build on it.
#include <optional>
#include <string>
#include <vector>

#include "qidcm/codes.h"

namespace qidcm::pet {

// The SUV normalisations pet2suv writes (PS3.16 CID 85 units, CID 7180 quantities).
enum class SuvType { BodyWeight, LeanBodyMassJames128, LeanBodyMassJanma, BodySurfaceArea, IdealBodyWeight };

// "bw", "lbm" (James, 128 multiplier), "lbmjanma", "bsa", "ibw".
std::optional<SuvType> parseSuvType(const std::string& text);
const char* toString(SuvType type);

// The codes an SUV of `type` is written with: quantity (PS3.16 CID 7180,
// DCM 126401...), measurement method (DCM 126410...), units (CID 85, UCUM
// g/ml{SUVbw}...) and a LUT Label that fits SH's 16 characters.
struct SuvCodes {
  Code quantity;
  Code method;
  Code units;
  std::string lutLabel;
};
SuvCodes suvCodes(SuvType type);

// Times are seconds since 1970-01-01 (a DICOM date + time, or a DT without
// offset), except radiopharmaceuticalStartTimeOfDay: seconds since midnight.
struct SliceInputs {
  std::optional<double> rescaleSlope;          // (0028,1053); absent: 1, with a warning
  double rescaleIntercept = 0;                 // (0028,1052)
  std::optional<double> acquisitionDateTime;   // (0008,0022) + (0008,0032)
};

struct SuvInputs {
  std::string units;                 // (0054,1001)
  std::string decayCorrection;       // (0054,1102)
  std::string suvType;               // (0054,1006), for GML
  // (0028,0051); nullopt when the attribute is absent. ATTN is required, and
  // DECY unless Decay Correction is NONE (then DECY is a contradiction).
  std::optional<std::vector<std::string>> correctedImage;
  std::string patientSex;            // (0010,0040)
  std::optional<double> patientWeight;     // (0010,1030), kg
  std::optional<double> patientSize;       // (0010,1020), m
  std::optional<double> totalDose;         // (0018,1074), Bq (or MBq, recognised by value)
  std::optional<double> halfLife;          // (0018,1075), s
  std::optional<double> actualFrameDuration;  // (0018,1242), ms
  std::optional<double> seriesDateTime;    // (0008,0021) + (0008,0031)
  std::optional<double> radiopharmaceuticalStartDateTime;   // (0018,1078)
  std::optional<double> radiopharmaceuticalStartTimeOfDay;  // (0018,1072)
  std::optional<double> gePostInjectionDateTime;            // GE (0009,100D)
  std::optional<double> philipsSuvFactor;                   // Philips (7053,1000)
  std::optional<double> philipsActivityConcentrationFactor; // Philips (7053,1009)
  // CPS: counts per second per voxel become Bq/ml through the voxel volume,
  // and Dose Calibration Factor (0054,1322) unless Corrected Image has DCAL.
  std::optional<double> doseCalibrationFactor;              // (0054,1322)
  std::optional<double> voxelVolumeMl;  // Pixel Spacing x Slice Thickness (0018,0050) / 1000
  std::vector<SliceInputs> slices;   // in the order the caller keeps
};

struct SuvResult {
  std::vector<double> factors;   // per slice: SUV = stored value x factor
  std::string units;             // the branch taken: BQML, GML, CM2ML, CPS, CNTS (SUV factor), CNTS (activity factor)
  std::string referenceTime;     // "Series Date/Time", "GE (0009,100D)", "earliest Acquisition Date/Time",
                                 // "per slice Acquisition Date/Time" (NONE), "administration" (ADMIN), or empty
  std::string administrationTime;  // "Radiopharmaceutical Start DateTime" or "... Start Time (date of the reference)"
  std::optional<double> referenceDateTime;       // seconds since 1970 (START)
  std::optional<double> administrationDateTime;  // seconds since 1970 (START, NONE)
  double weightKg = 0;
  double doseBq = 0;
  std::optional<double> decayFactor;   // D_ref / D (START, ADMIN)
  double normalisation = 1;            // SUVtype / SUVbw
  std::vector<std::string> warnings;
};

// Throws Error (Input) naming `path` and the attribute when SUV cannot be
// computed: a Rescale Intercept other than 0, Units it does not handle,
// missing weight, dose, half-life, times, sex or size where the branch needs
// them. Warnings (grams, MBq, a missing slope, ...) go to result.warnings.
SuvResult computeSuv(const SuvInputs& in, SuvType type, const std::string& path);

// Body composition (kg, cm; sex "M", "F" or "O" = mean of the two).
double leanBodyMassJames(double weightKg, double heightCm, const std::string& sex, double multiplier);
double leanBodyMassJanma(double weightKg, double heightCm, const std::string& sex);
double idealBodyWeight(double heightCm, const std::string& sex);
double bodySurfaceAreaDuBois(double weightKg, double heightCm);  // m2

}  // namespace qidcm::pet
