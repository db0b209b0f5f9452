#include "qidcm/pet/series.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>

#include <algorithm>
#include <charconv>
#include <cmath>

#include "dcmtk/setup.h"
#include "dicom/dataset_util.h"
#include "qidcm/error.h"

namespace qidcm::pet {
namespace {

using dicom::getString;

std::optional<double> number(const std::string& text) {
  const char* p = text.data();
  const char* end = p + text.size();
  while (p < end && *p == ' ') ++p;
  if (p < end && *p == '+') ++p;
  double v = 0;
  const auto [next, error] = std::from_chars(p, end, v);
  if (error != std::errc() || next == p || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::optional<double> numberAt(DcmItem& item, const DcmTagKey& key) { return number(getString(item, key)); }

bool digits(const std::string& s, std::size_t from, std::size_t count) {
  if (s.size() < from + count) return false;
  for (std::size_t n = from; n < from + count; ++n)
    if (s[n] < '0' || s[n] > '9') return false;
  return true;
}

int twoDigits(const std::string& s, std::size_t at) { return (s[at] - '0') * 10 + (s[at + 1] - '0'); }

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's civil algorithm).
long daysFromCivil(long y, unsigned m, unsigned d) {
  y -= m <= 2;
  const long era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<long>(doe) - 719468;
}

// The value of a private element: (group, creator's block << 8 | element) when
// `creator` reserved a block; when the group has no private creator at all,
// the raw tag (group, 0x1000 | element) if it holds text (not UN bytes).
// `raw` tells which it was.
std::string privateValue(DcmItem& ds, Uint16 group, const char* creator, Uint16 element, bool& raw) {
  raw = false;
  bool anyCreator = false;
  for (Uint16 block = 0x10; block <= 0xFF; ++block) {
    const std::string owner = getString(ds, DcmTagKey(group, block));
    if (owner == creator) return getString(ds, DcmTagKey(group, static_cast<Uint16>((block << 8) | element)));
    anyCreator = anyCreator || !owner.empty();
  }
  if (anyCreator) return {};  // another vendor's block: its elements mean something else
  DcmElement* e = nullptr;
  const DcmTagKey key(group, static_cast<Uint16>(0x1000 | element));
  if (ds.findAndGetElement(key, e).bad() || !e) return {};
  const DcmEVR vr = e->ident();
  if (vr == EVR_UN || vr == EVR_OB || vr == EVR_UNKNOWN || vr == EVR_UNKNOWN2B) return {};
  const std::string value = getString(ds, key);
  raw = !value.empty();
  return value;
}

std::string hex(Uint16 group, Uint16 element) {
  char text[16];
  std::snprintf(text, sizeof text, "(%04X,%04X)", group, element);
  return text;
}


// Records a standard attribute's value (when present) in series.read.
std::string recorded(DcmItem& item, const DcmTagKey& key, const char* name, PetSeries& series) {
  const std::string value = getString(item, key);
  if (!value.empty()) {
    DcmTag tag(key);
    series.read.push_back({name, value, std::string(tag.getTagName()) + " " + hex(key.getGroup(), key.getElement())});
  }
  return value;
}

std::string privateRecorded(DcmItem& ds, Uint16 group, const char* creator, Uint16 element, const char* name,
                            const char* what, PetSeries& series) {
  bool raw = false;
  const std::string value = privateValue(ds, group, creator, element, raw);
  if (value.empty()) return value;
  const std::string tag = hex(group, static_cast<Uint16>(0x1000 | element));
  series.read.push_back({name, value,
                         std::string(what) + " " + tag +
                             (raw ? std::string(" (no private creator; read by its raw tag)")
                                  : std::string(" of private creator \"") + creator + "\"")});
  if (raw)
    series.notes.push_back(std::string(what) + " read from " + tag + " without its private creator \"" + creator +
                           "\"");
  return value;
}

void readSeriesLevel(DcmDataset& ds, PetSeries& series, Vec3& normal) {
  series.seriesInstanceUID = getString(ds, DCM_SeriesInstanceUID);
  Uint16 bits = 16, representation = 0;
  if (ds.findAndGetUint16(DCM_BitsStored, bits).good()) series.bitsStored = bits;
  if (ds.findAndGetUint16(DCM_PixelRepresentation, representation).good()) series.pixelSigned = representation == 1;
  SuvInputs& s = series.inputs;
  s.units = recorded(ds, DCM_Units, "Units", series);
  s.decayCorrection = recorded(ds, DCM_DecayCorrection, "DecayCorrection", series);
  s.suvType = recorded(ds, DCM_SUVType, "SUVType", series);
  DcmElement* corrected = nullptr;
  if (ds.findAndGetElement(DCM_CorrectedImage, corrected).good() && corrected) {
    recorded(ds, DCM_CorrectedImage, "CorrectedImage", series);
    std::vector<std::string> flags;
    for (unsigned long i = 0; i < corrected->getVM(); ++i) {
      OFString value;
      if (corrected->getOFString(value, i).good() && !value.empty()) flags.emplace_back(value.c_str());
    }
    s.correctedImage = flags;
  }
  s.patientSex = recorded(ds, DCM_PatientSex, "PatientSex", series);
  s.patientWeight = number(recorded(ds, DCM_PatientWeight, "PatientWeight", series));
  s.patientSize = number(recorded(ds, DCM_PatientSize, "PatientSize", series));
  s.actualFrameDuration = number(recorded(ds, DCM_ActualFrameDuration, "ActualFrameDuration", series));
  s.doseCalibrationFactor = number(recorded(ds, DCM_DoseCalibrationFactor, "DoseCalibrationFactor", series));
  Float64 rowSpacing = 0, columnSpacing = 0;
  const auto thickness = numberAt(ds, DCM_SliceThickness);
  if (ds.findAndGetFloat64(DCM_PixelSpacing, rowSpacing, 0).good() &&
      ds.findAndGetFloat64(DCM_PixelSpacing, columnSpacing, 1).good() && thickness)
    s.voxelVolumeMl = rowSpacing * columnSpacing * *thickness / 1000;
  const auto seriesDate = parseDate(recorded(ds, DCM_SeriesDate, "SeriesDate", series));
  const auto seriesTime = parseTime(recorded(ds, DCM_SeriesTime, "SeriesTime", series));
  if (seriesDate && seriesTime) s.seriesDateTime = *seriesDate + *seriesTime;
  DcmItem* rp = nullptr;
  if (ds.findAndGetSequenceItem(DCM_RadiopharmaceuticalInformationSequence, rp, 0).good() && rp) {
    s.totalDose = number(recorded(*rp, DCM_RadionuclideTotalDose, "RadionuclideTotalDose", series));
    s.halfLife = number(recorded(*rp, DCM_RadionuclideHalfLife, "RadionuclideHalfLife", series));
    s.radiopharmaceuticalStartDateTime = parseDateTime(
        recorded(*rp, DCM_RadiopharmaceuticalStartDateTime, "RadiopharmaceuticalStartDateTime", series));
    s.radiopharmaceuticalStartTimeOfDay =
        parseTime(recorded(*rp, DCM_RadiopharmaceuticalStartTime, "RadiopharmaceuticalStartTime", series));
  }
  s.gePostInjectionDateTime = parseDateTime(privateRecorded(ds, 0x0009, "GEMS_PETD_01", 0x0D, "GEPostInjectionDateTime",
                                                            "GE post-injection time", series));
  s.philipsSuvFactor = number(privateRecorded(ds, 0x7053, "Philips PET Private Group", 0x00, "PhilipsSUVScaleFactor",
                                              "Philips SUV Scale Factor", series));
  s.philipsActivityConcentrationFactor =
      number(privateRecorded(ds, 0x7053, "Philips PET Private Group", 0x09, "PhilipsActivityConcentrationScaleFactor",
                             "Philips Activity Concentration Scale Factor", series));
  Float64 c[6] = {1, 0, 0, 0, 1, 0};
  bool oriented = true;
  for (unsigned long i = 0; i < 6; ++i) oriented = oriented && ds.findAndGetFloat64(DCM_ImageOrientationPatient, c[i], i).good();
  if (oriented) normal = cross(Vec3{c[0], c[1], c[2]}, Vec3{c[3], c[4], c[5]});
}

}  // namespace

std::optional<double> parseDate(const std::string& da) {
  std::string s;
  for (char c : da)
    if (c != ' ' && c != '.' && c != '-') s += c;  // also the ACR-NEMA YYYY.MM.DD form
  if (s.size() != 8 || !digits(s, 0, 8)) return std::nullopt;
  const long y = std::stol(s.substr(0, 4));
  const unsigned m = static_cast<unsigned>(twoDigits(s, 4)), d = static_cast<unsigned>(twoDigits(s, 6));
  if (m < 1 || m > 12 || d < 1 || d > 31) return std::nullopt;
  return 86400.0 * static_cast<double>(daysFromCivil(y, m, d));
}

std::optional<double> parseTime(const std::string& tm) {
  std::string s;
  for (char c : tm)
    if (c != ' ' && c != ':') s += c;  // also the ACR-NEMA HH:MM:SS form
  if (s.size() < 2 || !digits(s, 0, 2)) return std::nullopt;
  double seconds = 3600.0 * twoDigits(s, 0);
  std::size_t at = 2;
  if (digits(s, at, 2)) seconds += 60.0 * twoDigits(s, at), at += 2;
  if (at == 4 && digits(s, at, 2)) seconds += twoDigits(s, at), at += 2;
  if (at == 6 && at < s.size() && s[at] == '.') {
    const auto fraction = number("0" + s.substr(at));
    if (!fraction) return std::nullopt;
    seconds += *fraction;
    at = s.size();
  }
  if (at != s.size()) return std::nullopt;
  return seconds;
}

std::optional<double> parseDateTime(const std::string& dt) {
  std::string s = dt;
  while (!s.empty() && s.back() == ' ') s.pop_back();
  const std::size_t offset = s.find_first_of("+-", 8);
  if (offset != std::string::npos) s.resize(offset);
  if (s.size() < 8) return std::nullopt;
  const auto date = parseDate(s.substr(0, 8));
  if (!date) return std::nullopt;
  if (s.size() == 8) return date;
  const auto time = parseTime(s.substr(8));
  if (!time) return std::nullopt;
  return *date + *time;
}

PetSeries readPetSeries(const std::vector<std::string>& files) {
  dcmtk::configure();
  if (files.empty()) throwInput("", "Modality (0008,0060)", "no PET images");
  PetSeries series;
  std::vector<std::pair<PetSlice, SliceInputs>> slices;
  Vec3 normal{0, 0, 1};
  for (std::size_t n = 0; n < files.size(); ++n) {
    const std::string& path = files[n];
    DcmFileFormat file;
    const OFCondition status =
        file.loadFile(path.c_str(), EXS_Unknown, EGL_noChange, DCM_MaxReadLength, ERM_autoDetect);
    if (status.bad()) throwInput(path, "", std::string("not a readable DICOM file (") + status.text() + ")");
    DcmDataset& ds = *file.getDataset();
    const std::string modality = getString(ds, DCM_Modality);
    if (modality != "PT")
      throwInput(path, "Modality (0008,0060)", (modality.empty() ? std::string("missing") : modality) + ", not PT");
    PetSlice slice;
    slice.path = path;
    slice.sopClassUID = getString(ds, DCM_SOPClassUID);
    slice.sopInstanceUID = getString(ds, DCM_SOPInstanceUID);
    Float64 v = 0;
    for (unsigned long i = 0; i < 3; ++i)
      if (ds.findAndGetFloat64(DCM_ImagePositionPatient, v, i).good()) slice.position[i] = v;
    SliceInputs in;
    in.rescaleSlope = numberAt(ds, DCM_RescaleSlope);
    in.rescaleIntercept = numberAt(ds, DCM_RescaleIntercept).value_or(0.0);
    const auto date = parseDate(getString(ds, DCM_AcquisitionDate));
    const auto time = parseTime(getString(ds, DCM_AcquisitionTime));
    if (date && time) in.acquisitionDateTime = *date + *time;
    if (n == 0) readSeriesLevel(ds, series, normal);
    slices.emplace_back(std::move(slice), in);
  }
  std::stable_sort(slices.begin(), slices.end(),
                   [&](const auto& a, const auto& b) { return dot(a.first.position, normal) < dot(b.first.position, normal); });
  for (auto& [slice, in] : slices) {
    series.slices.push_back(std::move(slice));
    series.inputs.slices.push_back(in);
  }
  return series;
}

}  // namespace qidcm::pet
