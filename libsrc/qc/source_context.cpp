// The source series under a QC page's pictures, and the checks against it.
#include <algorithm>
#include <cmath>
#include <map>

#include "qc/pages.h"
#include "qidcm/error.h"

namespace qidcm::qc {

std::string codeText(const Code& code) {
  if (code.value.empty() && code.meaning.empty()) return "";
  return code.meaning + " (" + code.value + ", " + code.scheme + ")";
}

std::string gridText(const Grid& g) {
  return std::to_string(g.size[0]) + " × " + std::to_string(g.size[1]) + " × " + std::to_string(g.size[2]) +
         " voxels of " + number(g.spacing[0]) + " × " + number(g.spacing[1]) + " × " + number(g.spacing[2]) + " mm";
}

SourceContext loadSource(const std::string& directory, const ObjectHeader& object, bool modalityValues,
                         std::vector<std::string>& warnings) {
  SourceContext s;
  if (directory.empty()) {
    warnings.push_back("no source directory given: the pictures show the object without its images");
    return s;
  }
  SourceIndex index;
  try {
    index = SourceIndex::scan({}, {directory});
  } catch (const Error& e) {
    warnings.push_back("source directory " + directory + ": " + e.message() +
                       "; the pictures show the object without its images");
    return s;
  }
  for (const std::string& uid : object.referencedSeries)
    if (!index.series(uid).empty()) {
      s.seriesInstanceUID = uid;
      break;
    }
  if (s.seriesInstanceUID.empty()) {
    std::size_t most = 0;
    std::map<std::string, std::size_t> frames;
    for (const SourceInstance& i : index.instances())
      if (i.frameOfReferenceUID == object.frameOfReferenceUID && i.hasGeometry)
        frames[i.seriesInstanceUID] += i.frames.size();
    for (const auto& [uid, n] : frames)
      if (n > most) most = n, s.seriesInstanceUID = uid;
    if (s.seriesInstanceUID.empty()) {
      warnings.push_back("no series under " + directory +
                         " is referenced by the object or shares its frame of reference; the pictures show the "
                         "object without its images");
      return s;
    }
    if (!object.referencedSeries.empty())
      warnings.push_back("the referenced series is not under " + directory + "; drawn over series " +
                         s.seriesInstanceUID + ", which shares the object's frame of reference");
  }
  const SourceIndex series = index.series(s.seriesInstanceUID);
  try {
    s.grid = seriesGrid(series, s.seriesInstanceUID);
  } catch (const Error& e) {
    warnings.push_back("source series " + s.seriesInstanceUID + ": " + e.message() + "; drawn without it");
    return s;
  }
  const SourceInstance& first = series.instances().front();
  s.frameOfReferenceUID = first.frameOfReferenceUID;
  try {
    s.pixels = readSeriesPixels(series, s.seriesInstanceUID, s.grid, modalityValues);
  } catch (const Error& e) {
    warnings.push_back(std::string("source series ") + s.seriesInstanceUID + ": " + e.what() + "; drawn without it");
    return s;
  }
  warnings.insert(warnings.end(), s.pixels.warnings.begin(), s.pixels.warnings.end());
  s.window = greyWindow(s.pixels.volume, s.pixels.modality, s.pixels.windowCenter, s.pixels.windowWidth);
  s.description = s.seriesInstanceUID + " (" + first.modality + ", " + std::to_string(series.instances().size()) +
                  " instances; " + gridText(s.grid) + ")";
  s.found = true;
  return s;
}

void checkFrameOfReference(const ObjectHeader& object, const SourceContext& source, std::vector<std::string>& failed,
                           std::vector<std::string>& passed) {
  if (!source.found) return;
  if (object.frameOfReferenceUID.empty() && object.kind == "RWVM") return;  // the IOD has no Frame of Reference
  if (object.frameOfReferenceUID.empty())
    failed.push_back("the object has no Frame of Reference UID; the source series' is " + source.frameOfReferenceUID);
  else if (object.frameOfReferenceUID != source.frameOfReferenceUID)
    failed.push_back("Frame of Reference UID " + object.frameOfReferenceUID + " differs from the source series' " +
                     source.frameOfReferenceUID);
  else
    passed.push_back("Frame of Reference UID is the source series'");
}

std::vector<std::size_t> planesOffSource(const Grid& grid, const std::vector<std::size_t>& planes, const Grid& source) {
  const Affine m = indexMapping(grid, source);
  // Same orientation and in-plane spacing: the in-plane block is the identity.
  bool aligned = true;
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 2; ++c) aligned = aligned && std::fabs(m.a[r][c] - (r == c ? 1.0 : 0.0)) < 1e-3;
  std::vector<std::size_t> off;
  for (std::size_t k : planes) {
    const Vec3 x = m.apply({0, 0, static_cast<double>(k)});
    bool on = aligned;
    for (int c = 0; c < 3 && on; ++c) on = std::fabs(x[c] - std::round(x[c])) <= 0.1;
    on = on && x[2] > -0.5 && x[2] < static_cast<double>(source.slices()) - 0.5;
    if (!on) off.push_back(k);
  }
  return off;
}

}  // namespace qidcm::qc
