#include "qidcm/pet/suv.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iterator>

#include "qidcm/error.h"

namespace qidcm::pet {
namespace {

constexpr double kDay = 86400;

std::string number(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", v);
  return text;
}

// M, F or O (the mean of the two); anything else is refused by the caller.
template <typename F>
double bySex(const std::string& sex, F&& f) {
  if (sex == "M") return f(true);
  if (sex == "F") return f(false);
  return 0.5 * (f(true) + f(false));
}

class Computation {
 public:
  Computation(const SuvInputs& in, SuvType type, const std::string& path) : in_(in), type_(type), path_(path) {}

  SuvResult run() {
    if (in_.slices.empty()) fail("", "no PET slices");
    const char* known[] = {"BQML", "CNTS", "CPS", "GML", "CM2ML"};
    if (std::find(std::begin(known), std::end(known), in_.units) == std::end(known))
      fail("Units (0054,1001)", (in_.units.empty() ? std::string("missing") : "\"" + in_.units + "\"") +
                                    ": SUV is computed from BQML, CNTS (Philips), CPS, GML and CM2ML only");
    corrections();
    slopes();
    weight();
    sizeUnits();
    std::vector<double> bw;  // SUVbw per stored unit, per slice
    if (in_.units == "BQML") {
      r_.units = "BQML";
      bw = fromActivity(slopes_);
    } else if (in_.units == "CNTS") {
      bw = philips();
    } else if (in_.units == "CPS") {
      r_.units = "CPS";
      bw = fromActivity(countsPerSecond());
    } else if (in_.units == "GML") {
      bw = normalisedGml();
    } else if (in_.units == "CM2ML") {
      r_.units = "CM2ML";
      const double bsa = bodySurfaceAreaDuBois(r_.weightKg, heightCm());
      if (!in_.suvType.empty() && in_.suvType != "BSA")
        r_.warnings.push_back("Units CM2ML with SUV Type (0054,1006) \"" + in_.suvType + "\": taken as BSA");
      for (double m : slopes_) bw.push_back(m * r_.weightKg * 1000 / (bsa * 1e4));
    }
    r_.normalisation = normalisation();
    if (!(r_.normalisation > 0) || !std::isfinite(r_.normalisation))
      fail("PatientSize (0010,1020)", "with Patient's Weight " + number(r_.weightKg) +
                                          " kg gives a body mass or surface of " + number(r_.normalisation) +
                                          " x the weight's: no SUV of this type");
    for (double f : bw) {
      if (!std::isfinite(f) || f <= 0)
        fail("RescaleSlope (0028,1053)", "gives an SUV factor of " + number(f) + ", not a positive number");
      r_.factors.push_back(f * r_.normalisation);
    }
    return r_;
  }

 private:
  [[noreturn]] void fail(const std::string& attribute, const std::string& message) const {
    throwInput(path_, attribute, message);
  }

  bool corrected(const char* flag) const {
    const auto& c = *in_.correctedImage;
    return std::find(c.begin(), c.end(), flag) != c.end();
  }

  // Attenuation, and decay unless the series says it is not decay corrected.
  void corrections() {
    const char* attribute = "CorrectedImage (0028,0051)";
    if (!in_.correctedImage) fail(attribute, "missing; SUV needs attenuation (ATTN) and decay (DECY) corrected images");
    std::string listed;
    for (const std::string& c : *in_.correctedImage) listed += (listed.empty() ? "" : "\\") + c;
    listed = "\"" + listed + "\"";
    if (!corrected("ATTN")) fail(attribute, listed + " has no ATTN: the images are not attenuation corrected");
    if (in_.decayCorrection == "NONE" && corrected("DECY"))
      fail(attribute, listed + " has DECY but Decay Correction (0054,1102) is NONE: is the series decay corrected?");
    const bool decayCorrected = in_.decayCorrection == "START" || in_.decayCorrection == "ADMIN";
    if (decayCorrected && !corrected("DECY"))
      fail(attribute, listed + " has no DECY but Decay Correction (0054,1102) is \"" + in_.decayCorrection + "\"");
    if (!corrected("NORM")) r_.warnings.push_back("Corrected Image (0028,0051) " + listed + " has no NORM");
  }

  // CPS per stored unit to Bq/ml per stored unit.
  std::vector<double> countsPerSecond() {
    if (!in_.voxelVolumeMl || *in_.voxelVolumeMl <= 0)
      fail("SliceThickness (0018,0050)", "missing or 0 with Pixel Spacing (0028,0030): Units CPS needs the voxel volume");
    double calibration = 1;
    if (!corrected("DCAL")) {
      if (!in_.doseCalibrationFactor || *in_.doseCalibrationFactor <= 0)
        fail("DoseCalibrationFactor (0054,1322)",
             "missing, and Corrected Image has no DCAL: Units CPS cannot be converted to Bq/ml");
      calibration = *in_.doseCalibrationFactor;
    }
    std::vector<double> activity;
    for (double m : slopes_) activity.push_back(m * calibration / *in_.voxelVolumeMl);
    return activity;
  }

  void slopes() {
    bool warned = false;
    for (std::size_t n = 0; n < in_.slices.size(); ++n) {
      const SliceInputs& s = in_.slices[n];
      if (s.rescaleIntercept != 0)
        fail("RescaleIntercept (0028,1052)", "slice " + std::to_string(n + 1) + " has " + number(s.rescaleIntercept) +
                                                 "; SUV is defined for an intercept of 0 only");
      if (!s.rescaleSlope && !warned) {
        r_.warnings.push_back("Rescale Slope (0028,1053) missing on some slices: 1 used");
        warned = true;
      }
      slopes_.push_back(s.rescaleSlope.value_or(1.0));
    }
  }

  void weight() {
    if (!in_.patientWeight || *in_.patientWeight <= 0)
      fail("PatientWeight (0010,1030)", in_.patientWeight ? "is " + number(*in_.patientWeight) : "missing");
    r_.weightKg = *in_.patientWeight;
    if (r_.weightKg > 1000) {
      r_.weightKg /= 1000;
      r_.warnings.push_back("Patient's Weight " + number(*in_.patientWeight) + " taken as grams: " +
                            number(r_.weightKg) + " kg");
    }
  }

  double heightCm() const {
    if (!in_.patientSize || *in_.patientSize <= 0)
      fail("PatientSize (0010,1020)", std::string(in_.patientSize ? "is " + number(*in_.patientSize) : "missing") +
                                          "; " + sizeNeededFor() + " needs it");
    const double metres = *in_.patientSize;
    if (metres > 300) fail("PatientSize (0010,1020)", "is " + number(metres) + ": neither metres nor centimetres");
    return metres > 3 ? metres : metres * 100;  // over 3 m: centimetres (warned by sizeUnits)
  }

  void sizeUnits() {
    if (in_.patientSize && *in_.patientSize > 3 && *in_.patientSize <= 300)
      r_.warnings.push_back("Patient's Size " + number(*in_.patientSize) + " taken as centimetres: " +
                            number(*in_.patientSize / 100) + " m");
  }

  const std::string& sex() const {
    if (in_.patientSex != "M" && in_.patientSex != "F" && in_.patientSex != "O")
      fail("PatientSex (0010,0040)", (in_.patientSex.empty() ? std::string("missing") : "\"" + in_.patientSex + "\"") +
                                         "; " + sizeNeededFor() + " needs M, F or O");
    return in_.patientSex;
  }

  std::string sizeNeededFor() const { return "this SUV computation"; }

  // Lean or ideal body mass for GML's SUV Type, in kg.
  double gmlMass(const std::string& suvType) const {
    const double w = r_.weightKg;
    if (suvType == "LBM") return leanBodyMassJames(w, heightCm(), sex(), 120);
    if (suvType == "LBMJAMES128") return leanBodyMassJames(w, heightCm(), sex(), 128);
    if (suvType == "LBMJANMA") return leanBodyMassJanma(w, heightCm(), sex());
    if (suvType == "IBW") return idealBodyWeight(heightCm(), sex());
    fail("SUVType (0054,1006)", "\"" + suvType + "\" is not BW, LBM, LBMJAMES128, LBMJANMA or IBW");
  }

  std::vector<double> normalisedGml() {
    r_.units = "GML";
    std::vector<double> bw;
    if (in_.suvType.empty() || in_.suvType == "BW") {
      if (in_.suvType.empty()) r_.warnings.push_back("Units GML without SUV Type (0054,1006): taken as BW");
      return slopes_;
    }
    const double mass = gmlMass(in_.suvType);
    for (double m : slopes_) bw.push_back(m * r_.weightKg / mass);
    return bw;
  }

  std::vector<double> philips() {
    if (in_.philipsSuvFactor && *in_.philipsSuvFactor != 0) {
      r_.units = "CNTS (SUV factor)";
      std::vector<double> bw;
      for (double m : slopes_) bw.push_back(m * *in_.philipsSuvFactor);
      return bw;
    }
    if (in_.philipsActivityConcentrationFactor && *in_.philipsActivityConcentrationFactor != 0) {
      r_.units = "CNTS (activity factor)";
      std::vector<double> activity;
      for (double m : slopes_) activity.push_back(m * *in_.philipsActivityConcentrationFactor);
      return fromActivity(activity);
    }
    fail("SUVScaleFactor (7053,1000)", "Units CNTS without a Philips SUV Scale Factor (7053,1000) or Activity Concentration Scale "
                        "Factor (7053,1009) other than 0: counts cannot be converted");
  }

  double doseBq() {
    if (!in_.totalDose || *in_.totalDose <= 0)
      fail("RadionuclideTotalDose (0018,1074)", in_.totalDose ? "is " + number(*in_.totalDose) : "missing");
    const double d = *in_.totalDose;
    if (d <= 1e5) {
      r_.warnings.push_back("Radionuclide Total Dose " + number(d) + " taken as MBq");
      return d * 1e6;
    }
    if (d < 1e6)
      fail("RadionuclideTotalDose (0018,1074)", number(d) + " is neither a plausible Bq nor a plausible MBq value");
    return d;
  }

  double lambda() const {
    if (!in_.halfLife || *in_.halfLife <= 0)
      fail("RadionuclideHalfLife (0018,1075)", in_.halfLife ? "is " + number(*in_.halfLife) : "missing");
    return std::log(2.0) / *in_.halfLife;
  }

  double administration(double reference) {
    if (in_.radiopharmaceuticalStartDateTime) {
      r_.administrationTime = "Radiopharmaceutical Start DateTime";
      r_.administrationDateTime = in_.radiopharmaceuticalStartDateTime;
      return *in_.radiopharmaceuticalStartDateTime;
    }
    if (!in_.radiopharmaceuticalStartTimeOfDay)
      fail("RadiopharmaceuticalStartDateTime (0018,1078)",
           "missing, and so is Radiopharmaceutical Start Time (0018,1072)");
    // A time without a date places the injection within the day before the
    // reference: wrong for a nuclide whose uptake may last days.
    if (in_.halfLife && *in_.halfLife > 12 * 3600.0)
      fail("RadiopharmaceuticalStartDateTime (0018,1078)",
           "missing, and Radiopharmaceutical Start Time (0018,1072) has no date: with a half-life of " +
               number(*in_.halfLife / 3600) + " h the injection may be more than a day before the scan");
    double t = std::floor(reference / kDay) * kDay + *in_.radiopharmaceuticalStartTimeOfDay;
    r_.administrationTime = "Radiopharmaceutical Start Time, on the date of the reference time";
    if (t > reference) {
      t -= kDay;
      r_.administrationTime += ", the day before (injection before midnight)";
    }
    r_.administrationDateTime = t;
    return t;
  }

  std::optional<double> earliestAcquisition() const {
    std::optional<double> t;
    for (const SliceInputs& s : in_.slices)
      if (s.acquisitionDateTime && (!t || *s.acquisitionDateTime < *t)) t = s.acquisitionDateTime;
    return t;
  }

  double reference() {
    const std::optional<double> acquisition = earliestAcquisition();
    if (in_.seriesDateTime && (!acquisition || *in_.seriesDateTime <= *acquisition)) {
      r_.referenceTime = "Series Date/Time";
      return *in_.seriesDateTime;
    }
    if (in_.seriesDateTime)
      r_.warnings.push_back("Series Date/Time is after the earliest Acquisition Date/Time (post-processed series)");
    if (in_.gePostInjectionDateTime) {
      r_.referenceTime = "GE (0009,100D)";
      return *in_.gePostInjectionDateTime;
    }
    if (acquisition) {
      r_.referenceTime = "earliest Acquisition Date/Time";
      return *acquisition;
    }
    fail("SeriesTime (0008,0031)", "missing, and no Acquisition Date/Time: no reference time for decay");
  }

  // SUVbw per stored unit from Bq/ml per stored unit, per slice.
  std::vector<double> fromActivity(const std::vector<double>& bqmlPerStored) {
    r_.doseBq = doseBq();
    const double l = lambda();
    const double grams = r_.weightKg * 1000;
    std::vector<double> bw;
    if (in_.decayCorrection == "ADMIN") {
      r_.referenceTime = "administration";
      r_.decayFactor = 1.0;
      for (double a : bqmlPerStored) bw.push_back(a * grams / r_.doseBq);
    } else if (in_.decayCorrection == "START") {
      const double ref = reference();
      r_.referenceDateTime = ref;
      const double adm = administration(ref);
      if (ref < adm) r_.warnings.push_back("the reference time is before the administration");
      if (ref - adm > 10 * *in_.halfLife)
        r_.warnings.push_back("the uptake time, " + number((ref - adm) / 3600) + " h, is more than 10 half-lives");
      r_.decayFactor = std::exp(-l * (ref - adm));
      for (double a : bqmlPerStored) bw.push_back(a * grams / (r_.doseBq * *r_.decayFactor));
    } else if (in_.decayCorrection == "NONE") {
      if (!in_.actualFrameDuration || *in_.actualFrameDuration <= 0)
        fail("ActualFrameDuration (0018,1242)", "missing; a series not decay corrected needs it");
      const double duration = *in_.actualFrameDuration / 1000;
      r_.referenceTime = "per slice Acquisition Date/Time";
      const double average = l * duration / (1 - std::exp(-l * duration));
      std::optional<double> adm;
      for (std::size_t n = 0; n < in_.slices.size(); ++n) {
        const auto& t = in_.slices[n].acquisitionDateTime;
        if (!t)
          fail("AcquisitionTime (0008,0032)",
               "missing on slice " + std::to_string(n + 1) + "; a series not decay corrected needs it per slice");
        if (!adm) adm = administration(*t);
        bw.push_back(bqmlPerStored[n] * grams / r_.doseBq * average * std::exp(l * (*t - *adm)));
      }
    } else {
      fail("DecayCorrection (0054,1102)",
           (in_.decayCorrection.empty() ? std::string("missing") : "\"" + in_.decayCorrection + "\"") +
               ": START, ADMIN or NONE");
    }
    return bw;
  }

  double normalisation() const {
    const double w = r_.weightKg;
    switch (type_) {
      case SuvType::BodyWeight: return 1;
      case SuvType::LeanBodyMassJames128: return leanBodyMassJames(w, heightCm(), sex(), 128) / w;
      case SuvType::LeanBodyMassJanma: return leanBodyMassJanma(w, heightCm(), sex()) / w;
      case SuvType::IdealBodyWeight: return idealBodyWeight(heightCm(), sex()) / w;
      case SuvType::BodySurfaceArea: return bodySurfaceAreaDuBois(w, heightCm()) * 1e4 / (w * 1000);
    }
    return 1;
  }

  const SuvInputs& in_;
  SuvType type_;
  std::string path_;
  SuvResult r_;
  std::vector<double> slopes_;
};

}  // namespace

std::optional<SuvType> parseSuvType(const std::string& text) {
  if (text == "bw") return SuvType::BodyWeight;
  if (text == "lbm") return SuvType::LeanBodyMassJames128;
  if (text == "lbmjanma") return SuvType::LeanBodyMassJanma;
  if (text == "bsa") return SuvType::BodySurfaceArea;
  if (text == "ibw") return SuvType::IdealBodyWeight;
  return std::nullopt;
}

const char* toString(SuvType type) {
  switch (type) {
    case SuvType::BodyWeight: return "bw";
    case SuvType::LeanBodyMassJames128: return "lbm";
    case SuvType::LeanBodyMassJanma: return "lbmjanma";
    case SuvType::BodySurfaceArea: return "bsa";
    case SuvType::IdealBodyWeight: return "ibw";
  }
  return "bw";
}

SuvCodes suvCodes(SuvType type) {
  switch (type) {
    case SuvType::BodyWeight:
      return {{"126401", "DCM", "SUVbw", ""},
              {"126410", "DCM", "SUV body weight calculation method", ""},
              {"g/ml{SUVbw}", "UCUM", "Standardized Uptake Value body weight", ""},
              "SUVbw"};
    case SuvType::LeanBodyMassJames128:
      return {{"126406", "DCM", "SUVlbm(James128)", ""},
              {"126415", "DCM", "SUV lean body mass calculation method using 128 multiplier", ""},
              {"g/ml{SUVlbm(James128)}", "UCUM", "Standardized Uptake Value lean body mass (James 128 multiplier)", ""},
              "SUVlbmJames128"};
    case SuvType::LeanBodyMassJanma:
      return {{"126405", "DCM", "SUVlbm(Janma)", ""},
              {"126414", "DCM", "SUV lean body mass calculation Janmahasatian method", ""},
              {"g/ml{SUVlbm(Janma)}", "UCUM", "Standardized Uptake Value lean body mass (Janma)", ""},
              "SUVlbmJanma"};
    case SuvType::BodySurfaceArea:
      return {{"126403", "DCM", "SUVbsa", ""},
              {"126412", "DCM", "SUV body surface area calculation method", ""},
              {"cm2/ml{SUVbsa}", "UCUM", "Standardized Uptake Value body surface area", ""},
              "SUVbsa"};
    case SuvType::IdealBodyWeight:
      return {{"126404", "DCM", "SUVibw", ""},
              {"126413", "DCM", "SUV ideal body weight calculation method", ""},
              {"g/ml{SUVibw}", "UCUM", "Standardized Uptake Value ideal body weight", ""},
              "SUVibw"};
  }
  return suvCodes(SuvType::BodyWeight);
}

double leanBodyMassJames(double w, double h, const std::string& sex, double multiplier) {
  return bySex(sex, [&](bool male) {
    return male ? 1.10 * w - multiplier * (w / h) * (w / h) : 1.07 * w - 148 * (w / h) * (w / h);
  });
}

double leanBodyMassJanma(double w, double h, const std::string& sex) {
  const double bmi = w / ((h / 100) * (h / 100));
  return bySex(sex, [&](bool male) { return male ? 9270 * w / (6680 + 216 * bmi) : 9270 * w / (8780 + 244 * bmi); });
}

double idealBodyWeight(double h, const std::string& sex) {
  return bySex(sex, [&](bool male) { return male ? 48.0 + 1.06 * (h - 152) : 45.5 + 0.91 * (h - 152); });
}

double bodySurfaceAreaDuBois(double w, double h) { return 0.007184 * std::pow(h, 0.725) * std::pow(w, 0.425); }

SuvResult computeSuv(const SuvInputs& in, SuvType type, const std::string& path) {
  return Computation(in, type, path).run();
}

}  // namespace qidcm::pet
