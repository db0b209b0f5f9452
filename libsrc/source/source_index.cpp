// Header-only scanning of source DICOM files.
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcitem.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <dcmtk/dcmdata/dcuid.h>
#include "dicom/dataset_util.h"

#include <algorithm>
#include <map>
#include <atomic>
#include <filesystem>
#include <thread>
#include <unordered_set>

#include "dcmtk/setup.h"
#include "qidcm/error.h"
#include "qidcm/log.h"
#include "qidcm/source.h"

namespace fs = std::filesystem;

namespace qidcm {
namespace {

std::string getString(DcmItem& item, const DcmTagKey& key) {
  OFString value;
  if (item.findAndGetOFStringArray(key, value).good()) return value.c_str();
  return "";
}

bool getDoubles(DcmItem& item, const DcmTagKey& key, double* out, unsigned count) {
  for (unsigned n = 0; n < count; ++n) {
    Float64 v = 0;
    if (item.findAndGetFloat64(key, v, n).bad()) return false;
    out[n] = v;
  }
  return true;
}

// Looks for `key` inside (seq)[0] of `fg`, e.g. PlanePositionSequence > IPP.
DcmItem* firstItem(DcmItem& parent, const DcmTagKey& seq) {
  DcmItem* item = nullptr;
  if (parent.findAndGetSequenceItem(seq, item, 0).good()) return item;
  return nullptr;
}

bool isNonImageClass(const std::string& sopClass) {
  static const char* prefixes[] = {
      "1.2.840.10008.5.1.4.1.1.88.",      // structured reports
      "1.2.840.10008.5.1.4.1.1.66",       // raw data, spatial registration, SEG, fiducials, label map SEG
      "1.2.840.10008.5.1.4.1.1.67",       // real world value mapping
      "1.2.840.10008.5.1.4.1.1.11.",      // presentation states
      "1.2.840.10008.5.1.4.1.1.481.",     // RT objects
      "1.2.840.10008.5.1.4.1.1.104.",     // encapsulated documents
      "1.2.840.10008.1.3.10",             // media storage directory
      "1.2.840.10008.5.1.4.1.1.91.",      // microscopy bulk annotations
  };
  for (const char* p : prefixes)
    if (sopClass.rfind(p, 0) == 0) return true;
  return false;
}

enum class ScanOutcome { Image, NotDicom, NotImage, NoGeometry };

// Enhanced multi-frame: geometry lives in the functional groups, per frame
// or shared. Fills `iop`, `spacing` and the frames' positions.
ScanOutcome readFunctionalGroupGeometry(DcmDataset& ds, DcmSequenceOfItems* perFrame, SourceInstance& out,
                                        double* iop, double* spacing, std::string& why) {
  DcmItem* shared = firstItem(ds, DCM_SharedFunctionalGroupsSequence);
  out.multiFrame = true;
  auto fromGroups = [&](DcmItem* frame, const DcmTagKey& seq) -> DcmItem* {
    DcmItem* item = frame ? firstItem(*frame, seq) : nullptr;
    if (!item && shared) item = firstItem(*shared, seq);
    return item;
  };
  const std::vector<DcmItem*> frames = dicom::itemsOf(perFrame);
  DcmItem* first = frames.front();
  DcmItem* orientation = fromGroups(first, DCM_PlaneOrientationSequence);
  DcmItem* measures = fromGroups(first, DCM_PixelMeasuresSequence);
  if (!orientation || !getDoubles(*orientation, DCM_ImageOrientationPatient, iop, 6) || !measures ||
      !getDoubles(*measures, DCM_PixelSpacing, spacing, 2)) {
    why = "no plane orientation or pixel spacing in its functional groups";
    return ScanOutcome::NoGeometry;
  }
  for (std::size_t f = 0; f < frames.size(); ++f) {
    DcmItem* position = fromGroups(frames[f], DCM_PlanePositionSequence);
    double ipp[3];
    if (!position || !getDoubles(*position, DCM_ImagePositionPatient, ipp, 3)) {
      why = "frame " + std::to_string(f + 1) + " has no Plane Position (Patient)";
      return ScanOutcome::NoGeometry;
    }
    out.frames.push_back({{ipp[0], ipp[1], ipp[2]}, static_cast<std::size_t>(f + 1)});
  }
  return ScanOutcome::Image;
}

// A single-frame image: geometry in the Image Plane Module.
ScanOutcome readImagePlaneGeometry(DcmDataset& ds, SourceInstance& out, double* iop, double* spacing,
                                   std::string& why) {
  Sint32 frames = 1;
  if (ds.findAndGetSint32(DCM_NumberOfFrames, frames).good() && frames > 1) {
    why = "multi-frame image without functional groups";
    return ScanOutcome::NoGeometry;
  }
  double ipp[3];
  if (!getDoubles(ds, DCM_ImageOrientationPatient, iop, 6) || !getDoubles(ds, DCM_ImagePositionPatient, ipp, 3) ||
      !getDoubles(ds, DCM_PixelSpacing, spacing, 2)) {
    why = "no Image Position/Orientation (Patient) or Pixel Spacing";
    return ScanOutcome::NoGeometry;
  }
  out.frames.push_back({{ipp[0], ipp[1], ipp[2]}, 0});
  return ScanOutcome::Image;
}

// The plane geometry of an image: orientation, pixel spacing and the position
// of each frame.
ScanOutcome readGeometry(DcmDataset& ds, SourceInstance& out, std::string& why) {
  DcmSequenceOfItems* perFrame = nullptr;
  ds.findAndGetSequence(DCM_PerFrameFunctionalGroupsSequence, perFrame);
  double iop[6];
  double spacing[2];
  const ScanOutcome outcome = perFrame && perFrame->card() > 0
                                  ? readFunctionalGroupGeometry(ds, perFrame, out, iop, spacing, why)
                                  : readImagePlaneGeometry(ds, out, iop, spacing, why);
  if (outcome != ScanOutcome::Image) return outcome;
  out.rowCosine = normalized({iop[0], iop[1], iop[2]});
  out.columnCosine = normalized({iop[3], iop[4], iop[5]});
  out.rowSpacing = spacing[0];
  out.columnSpacing = spacing[1];
  out.hasGeometry = norm(cross(out.rowCosine, out.columnCosine)) > 0.5;
  if (!out.hasGeometry) {
    why = "degenerate Image Orientation (Patient)";
    return ScanOutcome::NoGeometry;
  }
  return ScanOutcome::Image;
}

ScanOutcome readInstance(const std::string& path, SourceInstance& out, std::string& why) {
  DcmFileFormat file;
  OFCondition status = file.loadFileUntilTag(path.c_str(), EXS_Unknown, EGL_noChange, 4096, ERM_autoDetect,
                                             DCM_PixelData);
  if (status.bad()) {
    why = status.text();
    return ScanOutcome::NotDicom;
  }
  DcmDataset& ds = *file.getDataset();
  out.path = path;
  out.sopClassUID = getString(ds, DCM_SOPClassUID);
  out.sopInstanceUID = getString(ds, DCM_SOPInstanceUID);
  if (out.sopClassUID.empty() || out.sopInstanceUID.empty()) {
    const std::string metaClass = getString(*file.getMetaInfo(), DCM_MediaStorageSOPClassUID);
    why = metaClass == UID_MediaStorageDirectoryStorage ? "DICOMDIR" : "no SOP Class/Instance UID";
    return metaClass.empty() && out.sopClassUID.empty() ? ScanOutcome::NotDicom : ScanOutcome::NotImage;
  }
  out.seriesInstanceUID = getString(ds, DCM_SeriesInstanceUID);
  out.studyInstanceUID = getString(ds, DCM_StudyInstanceUID);
  out.frameOfReferenceUID = getString(ds, DCM_FrameOfReferenceUID);
  out.patientID = getString(ds, DCM_PatientID);
  out.patientName = getString(ds, DCM_PatientName);
  out.modality = getString(ds, DCM_Modality);
  if (isNonImageClass(out.sopClassUID)) {
    why = "not an image (SOP Class " + out.sopClassUID + ")";
    return ScanOutcome::NotImage;
  }
  Uint16 rows = 0, columns = 0;
  ds.findAndGetUint16(DCM_Rows, rows);
  ds.findAndGetUint16(DCM_Columns, columns);
  if (rows == 0 || columns == 0) {
    why = "no Rows/Columns";
    return ScanOutcome::NotImage;
  }
  out.rows = rows;
  out.columns = columns;
  return readGeometry(ds, out, why);
}

void collectFiles(const std::string& dir, std::vector<std::string>& out) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throwInput(dir, "", "directory not found");
  fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec), end;
  if (ec) throwInput(dir, "", "cannot read directory: " + ec.message());
  for (; it != end; it.increment(ec)) {
    if (ec) break;
    if (it->is_regular_file(ec)) out.push_back(it->path().string());
  }
}

}  // namespace

namespace {
// What reading the headers found: one entry a file.
struct ScanResults {
  std::vector<SourceInstance> found;
  std::vector<ScanOutcome> outcome;
  std::vector<std::string> why;
};

// Reads the header of every file, on up to eight threads.
ScanResults readAll(const std::vector<std::string>& files) {
  ScanResults results;
  std::vector<SourceInstance>& found = results.found;
  std::vector<ScanOutcome>& outcome = results.outcome;
  std::vector<std::string>& why = results.why;
  found.assign(files.size(), {});
  outcome.assign(files.size(), ScanOutcome::NotDicom);
  why.assign(files.size(), {});
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t n = next++; n < files.size(); n = next++) {
      try {
        outcome[n] = readInstance(files[n], found[n], why[n]);
      } catch (const std::exception& e) {
        outcome[n] = ScanOutcome::NotDicom;
        why[n] = e.what();
      }
    }
  };
  const unsigned threads = std::max(1u, std::min<unsigned>(std::thread::hardware_concurrency(), 8));
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads && t < files.size(); ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  return results;
}
}  // namespace

SourceIndex SourceIndex::scanInstances(const std::vector<std::string>& directories) {
  dcmtk::configure();
  std::vector<std::string> files;
  for (const auto& d : directories) collectFiles(d, files);
  std::sort(files.begin(), files.end());
  ScanResults results = readAll(files);
  SourceIndex index;
  std::unordered_set<std::string> seen;
  for (std::size_t n = 0; n < files.size(); ++n) {
    if (results.outcome[n] == ScanOutcome::NotDicom || results.found[n].sopInstanceUID.empty()) {
      log::debug("skipping " + files[n] + ": " + results.why[n]);
      continue;
    }
    if (seen.insert(results.found[n].sopInstanceUID).second) index.instances_.push_back(std::move(results.found[n]));
  }
  return index;
}

const SourceInstance* SourceIndex::find(const std::string& sopInstanceUID) const {
  for (const auto& inst : instances_)
    if (inst.sopInstanceUID == sopInstanceUID) return &inst;
  return nullptr;
}

SourceIndex SourceIndex::scan(const std::vector<std::string>& listed, const std::vector<std::string>& directories) {
  dcmtk::configure();
  std::vector<std::string> files;
  for (const auto& f : listed) {
    std::error_code ec;
    if (!fs::is_regular_file(f, ec)) throwInput(f, "", "source DICOM file not found");
    files.push_back(f);
  }
  const std::size_t listedCount = files.size();
  std::vector<std::string> scanned;
  for (const auto& d : directories) collectFiles(d, scanned);
  std::sort(scanned.begin(), scanned.end());
  files.insert(files.end(), scanned.begin(), scanned.end());

  ScanResults results = readAll(files);

  SourceIndex index;
  std::unordered_set<std::string> seen;
  for (std::size_t n = 0; n < files.size(); ++n) {
    const bool explicitlyListed = n < listedCount;
    switch (results.outcome[n]) {
      case ScanOutcome::Image:
        if (seen.insert(results.found[n].sopInstanceUID).second) {
          index.instances_.push_back(std::move(results.found[n]));
        } else {
          log::debug("skipping duplicate SOP Instance UID in " + files[n]);
        }
        break;
      case ScanOutcome::NoGeometry:
        log::warning("skipping source " + files[n] + ": " + results.why[n]);
        break;
      case ScanOutcome::NotImage:
      case ScanOutcome::NotDicom:
        if (explicitlyListed)
          log::warning("skipping source " + files[n] + ": " + results.why[n]);
        else
          log::debug("skipping " + files[n] + ": " + results.why[n]);
        break;
    }
  }
  if (index.instances_.empty()) {
    std::string what;
    for (const auto& d : directories) what += (what.empty() ? "" : ", ") + d;
    for (const auto& f : listed) what += (what.empty() ? "" : ", ") + f;
    throwInput(what, "", "no DICOM image with plane geometry found among " + std::to_string(files.size()) + " file(s)");
  }
  std::stable_sort(index.instances_.begin(), index.instances_.end(),
                   [](const SourceInstance& a, const SourceInstance& b) {
                     if (a.seriesInstanceUID != b.seriesInstanceUID) return a.seriesInstanceUID < b.seriesInstanceUID;
                     const Vec3 n = cross(a.rowCosine, a.columnCosine);
                     return dot(n, a.frames.front().position) < dot(n, b.frames.front().position);
                   });
  return index;
}

SourceIndex SourceIndex::series(const std::string& seriesInstanceUID) const {
  SourceIndex subset;
  for (const auto& inst : instances_)
    if (inst.seriesInstanceUID == seriesInstanceUID) subset.instances_.push_back(inst);
  return subset;
}

void SourceIndex::requireSinglePatient() const {
  // Patient ID decides; Patient's Name only when no ID is given.
  const auto& first = instances_.front();
  for (const auto& inst : instances_) {
    const bool byId = !first.patientID.empty() || !inst.patientID.empty();
    const bool differ = byId ? inst.patientID != first.patientID : inst.patientName != first.patientName;
    if (differ) {
      const char* attribute = byId ? "PatientID (0010,0020)" : "PatientName (0010,0010)";
      const std::string a = byId ? first.patientID : first.patientName;
      const std::string b = byId ? inst.patientID : inst.patientName;
      throwInput(inst.path, attribute,
                 "sources belong to more than one patient: '" + a + "' (" + first.path + ") and '" + b + "'");
    }
  }
}

void SourceIndex::requireConsistentSeries() const {
  std::map<std::string, const SourceInstance*> firstOf;
  for (const auto& inst : instances_) {
    auto [it, inserted] = firstOf.emplace(inst.seriesInstanceUID, &inst);
    const SourceInstance& first = *it->second;
    if (!inserted && inst.frameOfReferenceUID != first.frameOfReferenceUID)
      throwInput(inst.path, "FrameOfReferenceUID (0020,0052)",
                 "images of series " + inst.seriesInstanceUID + " lie in two frames of reference: '" +
                     first.frameOfReferenceUID + "' (" + first.path + ") and '" + inst.frameOfReferenceUID + "'");
  }
}

}  // namespace qidcm
