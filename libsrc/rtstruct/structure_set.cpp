#include "qidcm/rtstruct/structure_set.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <map>
#include <sys/stat.h>

#include "core/parallel.h"
#include "dcmtk/setup.h"
#include "dicom/dataset_util.h"
#include "qidcm/error.h"
#include "qidcm/log.h"

namespace qidcm::rtstruct {
namespace {

constexpr const char* kRTStructureSetStorage = "1.2.840.10008.5.1.4.1.1.481.3";

using dicom::attributeName;
using dicom::getString;
using dicom::itemsOf;

std::vector<DcmItem*> sequence(DcmItem& item, const DcmTagKey& key) {
  DcmSequenceOfItems* seq = nullptr;
  if (item.findAndGetSequence(key, seq).bad() || !seq) return {};
  return itemsOf(seq);
}

ContourType contourType(const std::string& text) {
  if (text == "CLOSED_PLANAR") return ContourType::ClosedPlanar;
  if (text == "CLOSEDPLANAR_XOR") return ContourType::ClosedPlanarXor;
  if (text == "POINT") return ContourType::Point;
  if (text == "OPEN_PLANAR") return ContourType::OpenPlanar;
  if (text == "OPEN_NONPLANAR") return ContourType::OpenNonplanar;
  return ContourType::Unknown;
}

// "ROI 3 (\"GTV\") contour 5", for messages.
std::string contourName(const Roi& roi, std::size_t index) {
  return "ROI " + std::to_string(roi.number) + " (\"" + roi.name + "\") contour " + std::to_string(index + 1);
}

// Contour Data as doubles, parsed from the value's text in one pass (DS
// values, backslash-separated, spaces allowed around each), up to a NUL some
// writers pad with.
std::vector<double> contourValues(const char* text, std::size_t length, const std::string& path,
                                  const std::string& where) {
  if (!text) return {};
  const char* p = text;
  const char* end = text + strnlen(text, length);
  std::vector<double> values;
  values.reserve(length / 8);
  while (p < end) {
    while (p < end && *p == ' ') ++p;
    if (p < end && *p == '+') ++p;
    double v = 0;
    const auto [next, error] = std::from_chars(p, end, v);
    if (error != std::errc() || next == p || !std::isfinite(v))
      throwInput(path, attributeName(DCM_ContourData),
                 where + ": value " + std::to_string(values.size() + 1) + " is not a decimal number");
    values.push_back(v);
    p = next;
    while (p < end && *p == ' ') ++p;
    if (p < end && *p != '\\')
      throwInput(path, attributeName(DCM_ContourData),
                 where + ": value " + std::to_string(values.size()) + " is not a decimal number");
    if (p < end) ++p;
  }
  return values;
}

// What a contour item holds, gathered on the reading thread: its Contour
// Data is the file's text, parsed later (on any thread) by parseContour.
struct ContourItem {
  Contour contour;  // type, images; no points yet
  std::string declared;
  DcmElement* data = nullptr;
  const char* text = nullptr;
  std::size_t length = 0;
};

ContourItem gatherContour(DcmItem& item) {
  ContourItem c;
  c.contour.typeText = getString(item, DCM_ContourGeometricType);
  c.contour.type = contourType(c.contour.typeText);
  c.declared = getString(item, DCM_NumberOfContourPoints);
  if (item.findAndGetElement(DCM_ContourData, c.data).good() && c.data) {
    char* text = nullptr;
    if (c.data->getString(text).good() && text) {
      c.text = text;
      c.length = c.data->getLength();
    }
  }
  for (DcmItem* image : sequence(item, DCM_ContourImageSequence)) {
    c.contour.images.push_back(getString(*image, DCM_ReferencedSOPInstanceUID));
    Sint32 frame = 0;
    if (image->findAndGetSint32(DCM_ReferencedFrameNumber, frame).bad() || frame < 0) frame = 0;
    c.contour.imageFrames.push_back(static_cast<unsigned>(frame));
  }
  return c;
}

void parseContour(ContourItem& item, const Roi& roi, std::size_t index, const std::string& path) {
  const std::string where = contourName(roi, index);
  Contour& c = item.contour;
  const std::vector<double> values = contourValues(item.text, item.length, path, where);
  if (values.size() % 3 != 0)
    throwInput(path, attributeName(DCM_ContourData),
               where + ": " + std::to_string(values.size()) + " values, not x\\y\\z triplets");
  const std::size_t points = values.size() / 3;
  if (!item.declared.empty()) {
    long long declared = -1;
    std::from_chars(item.declared.data(), item.declared.data() + item.declared.size(), declared);
    if (declared < 0 || static_cast<unsigned long long>(declared) != points)
      throwInput(path, attributeName(DCM_NumberOfContourPoints),
                 where + ": declares " + item.declared + " points, Contour Data holds " + std::to_string(points));
  }
  const bool closed = c.type == ContourType::ClosedPlanar || c.type == ContourType::ClosedPlanarXor;
  if (closed && points < 3)
    throwInput(path, attributeName(DCM_ContourData),
               where + ": a " + c.typeText + " contour of " + std::to_string(points) + " point(s); it needs 3");
  c.points.reserve(points);
  for (std::size_t n = 0; n < points; ++n) c.points.push_back({values[3 * n], values[3 * n + 1], values[3 * n + 2]});
}

std::optional<std::array<int, 3>> displayColor(DcmItem& item) {
  std::array<int, 3> rgb{};
  for (unsigned long n = 0; n < 3; ++n) {
    Sint32 v = 0;
    if (item.findAndGetSint32(DCM_ROIDisplayColor, v, n).bad()) return std::nullopt;
    rgb[n] = static_cast<int>(std::min<Sint32>(255, std::max<Sint32>(0, v)));
  }
  return rgb;
}

void readReferences(DcmItem& ds, StructureSet& s) {
  for (DcmItem* frame : sequence(ds, DCM_ReferencedFrameOfReferenceSequence)) {
    s.referencedFramesOfReference.push_back(getString(*frame, DCM_FrameOfReferenceUID));
    for (DcmItem* study : sequence(*frame, DCM_RTReferencedStudySequence))
      for (DcmItem* series : sequence(*study, DCM_RTReferencedSeriesSequence))
        s.referencedSeriesUIDs.push_back(getString(*series, DCM_SeriesInstanceUID));
  }
}

int roiNumber(DcmItem& item, const DcmTagKey& key, const std::string& path) {
  const std::string text = getString(item, key);
  int n = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (text.empty() || error != std::errc() || end != text.data() + text.size())
    throwInput(path, attributeName(key), text.empty() ? "missing" : "\"" + text + "\" is not an integer");
  return n;
}

}  // namespace

const char* toString(ContourType type) {
  switch (type) {
    case ContourType::ClosedPlanar: return "CLOSED_PLANAR";
    case ContourType::ClosedPlanarXor: return "CLOSEDPLANAR_XOR";
    case ContourType::Point: return "POINT";
    case ContourType::OpenPlanar: return "OPEN_PLANAR";
    case ContourType::OpenNonplanar: return "OPEN_NONPLANAR";
    case ContourType::Unknown: break;
  }
  return "unknown";
}

struct StructureSetReader::Impl {
  DcmFileFormat file;
  StructureSet header;
  std::vector<std::vector<DcmItem*>> contourItems;  // per ROI, in file order
};

StructureSetReader::StructureSetReader(const std::string& path) : impl_(std::make_unique<Impl>()) {
  dcmtk::configure();
  struct stat st;
  if (stat(path.c_str(), &st) != 0) throwInput(path, "", "file not found");
  // Values longer than DCM_MaxReadLength (Contour Data, mostly) stay in the
  // file until a ROI's contours are read, and are released after.
  const OFCondition status =
      impl_->file.loadFile(path.c_str(), EXS_Unknown, EGL_noChange, DCM_MaxReadLength, ERM_autoDetect);
  if (status.bad()) throwInput(path, "", std::string("not a readable DICOM file (") + status.text() + ")");
  DcmDataset& ds = *impl_->file.getDataset();
  const std::string sopClass = getString(ds, DCM_SOPClassUID);
  if (sopClass != kRTStructureSetStorage)
    throwInput(path, attributeName(DCM_SOPClassUID),
               (sopClass.empty() ? std::string("missing") : "is " + sopClass) + ", not an RT Structure Set");
  StructureSet& s = impl_->header;
  s.path = path;
  s.sopInstanceUID = getString(ds, DCM_SOPInstanceUID);
  s.studyInstanceUID = getString(ds, DCM_StudyInstanceUID);
  s.seriesInstanceUID = getString(ds, DCM_SeriesInstanceUID);
  s.patientID = getString(ds, DCM_PatientID);
  readReferences(ds, s);

  std::map<int, std::size_t> byNumber;
  for (DcmItem* item : sequence(ds, DCM_StructureSetROISequence)) {
    Roi roi;
    roi.number = roiNumber(*item, DCM_ROINumber, path);
    roi.name = getString(*item, DCM_ROIName);
    roi.description = getString(*item, DCM_ROIDescription);
    roi.frameOfReferenceUID = getString(*item, DCM_ReferencedFrameOfReferenceUID);
    roi.generationAlgorithm = getString(*item, DCM_ROIGenerationAlgorithm);
    roi.generationDescription = getString(*item, DCM_ROIGenerationDescription);
    if (!byNumber.emplace(roi.number, s.rois.size()).second)
      throwInput(path, attributeName(DCM_ROINumber), std::to_string(roi.number) + " is used by two ROIs");
    s.rois.push_back(std::move(roi));
  }
  impl_->contourItems.resize(s.rois.size());
  if (!ds.tagExists(DCM_ROIContourSequence))
    throwInput(path, attributeName(DCM_ROIContourSequence), "missing; the structure set holds no contours");
  for (DcmItem* item : sequence(ds, DCM_ROIContourSequence)) {
    const int number = roiNumber(*item, DCM_ReferencedROINumber, path);
    const auto it = byNumber.find(number);
    if (it == byNumber.end()) {
      log::warning(path + ": ROI Contour Sequence refers to ROI " + std::to_string(number) +
                   ", which the Structure Set ROI Sequence does not list; its contours are left out");
      continue;
    }
    s.rois[it->second].displayColor = displayColor(*item);
    for (DcmItem* contour : sequence(*item, DCM_ContourSequence)) impl_->contourItems[it->second].push_back(contour);
  }
  for (DcmItem* item : sequence(ds, DCM_RTROIObservationsSequence)) {
    const auto it = byNumber.find(roiNumber(*item, DCM_ReferencedROINumber, path));
    if (it != byNumber.end()) s.rois[it->second].interpretedType = getString(*item, DCM_RTROIInterpretedType);
  }
}

StructureSetReader::~StructureSetReader() = default;

const StructureSet& StructureSetReader::header() const { return impl_->header; }

std::vector<Contour> StructureSetReader::contours(std::size_t index) {
  const Roi& roi = impl_->header.rois.at(index);
  const std::vector<DcmItem*>& items = impl_->contourItems.at(index);
  // Text from the file on this thread (DCMTK loads values lazily), parsed on two.
  std::vector<ContourItem> gathered;
  gathered.reserve(items.size());
  for (DcmItem* item : items) gathered.push_back(gatherContour(*item));
  const std::string& path = impl_->header.path;
  parallelFor(gathered.size(), [&](int, std::size_t n) { parseContour(gathered[n], roi, n, path); });
  std::vector<Contour> out;
  out.reserve(gathered.size());
  for (ContourItem& c : gathered) {
    if (c.data) c.data->compact();
    out.push_back(std::move(c.contour));
  }
  return out;
}

StructureSet readStructureSet(const std::string& path) {
  StructureSetReader reader(path);
  StructureSet s = reader.header();
  for (std::size_t n = 0; n < s.rois.size(); ++n) s.rois[n].contours = reader.contours(n);
  return s;
}

}  // namespace qidcm::rtstruct
