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
  if (error != std::errc() || next == p) return std::nullopt;
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
    if (n == 0) {
      series.seriesInstanceUID = getString(ds, DCM_SeriesInstanceUID);
      SuvInputs& s = series.inputs;
      s.units = getString(ds, DCM_Units);
      s.decayCorrection = getString(ds, DCM_DecayCorrection);
      s.suvType = getString(ds, DCM_SUVType);
      s.patientSex = getString(ds, DCM_PatientSex);
      s.patientWeight = numberAt(ds, DCM_PatientWeight);
      s.patientSize = numberAt(ds, DCM_PatientSize);
      s.actualFrameDuration = numberAt(ds, DCM_ActualFrameDuration);
      const auto seriesDate = parseDate(getString(ds, DCM_SeriesDate));
      const auto seriesTime = parseTime(getString(ds, DCM_SeriesTime));
      if (seriesDate && seriesTime) s.seriesDateTime = *seriesDate + *seriesTime;
      DcmItem* rp = nullptr;
      if (ds.findAndGetSequenceItem(DCM_RadiopharmaceuticalInformationSequence, rp, 0).good() && rp) {
        s.totalDose = numberAt(*rp, DCM_RadionuclideTotalDose);
        s.halfLife = numberAt(*rp, DCM_RadionuclideHalfLife);
        s.radiopharmaceuticalStartDateTime = parseDateTime(getString(*rp, DCM_RadiopharmaceuticalStartDateTime));
        s.radiopharmaceuticalStartTimeOfDay = parseTime(getString(*rp, DCM_RadiopharmaceuticalStartTime));
      }
      bool raw = false;
      s.gePostInjectionDateTime = parseDateTime(privateValue(ds, 0x0009, "GEMS_PETD_01", 0x0D, raw));
      if (s.gePostInjectionDateTime && raw)
        series.notes.push_back("GE post-injection time read from " + hex(0x0009, 0x100D) +
                               " without its private creator GEMS_PETD_01");
      s.philipsSuvFactor = number(privateValue(ds, 0x7053, "Philips PET Private Group", 0x00, raw));
      if (s.philipsSuvFactor && raw)
        series.notes.push_back("Philips SUV Scale Factor read from " + hex(0x7053, 0x1000) +
                               " without its private creator \"Philips PET Private Group\"");
      s.philipsActivityConcentrationFactor = number(privateValue(ds, 0x7053, "Philips PET Private Group", 0x09, raw));
      if (s.philipsActivityConcentrationFactor && raw)
        series.notes.push_back("Philips Activity Concentration Scale Factor read from " + hex(0x7053, 0x1009) +
                               " without its private creator \"Philips PET Private Group\"");
      Float64 c[6] = {1, 0, 0, 0, 1, 0};
      bool oriented = true;
      for (unsigned long i = 0; i < 6; ++i) oriented = oriented && ds.findAndGetFloat64(DCM_ImageOrientationPatient, c[i], i).good();
      if (oriented) normal = cross(Vec3{c[0], c[1], c[2]}, Vec3{c[3], c[4], c[5]});
    }
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
