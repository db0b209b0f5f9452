// The regular voxel grid of a source series, for programs that build a label
// volume on the images they segment.
#include <map>

#include "qidcm/error.h"
#include "qidcm/source.h"
#include "qidcm/stack.h"

namespace qidcm {

Grid seriesGrid(const SourceIndex& index, const std::string& seriesInstanceUID) {
  std::string series = seriesInstanceUID;
  if (series.empty()) {
    // The series with the most frames.
    std::map<std::string, std::size_t> frames;
    for (const SourceInstance& s : index.instances()) frames[s.seriesInstanceUID] += s.frames.size();
    std::size_t most = 0;
    for (const auto& [uid, count] : frames)
      if (count > most) most = count, series = uid;
  }
  FrameStack stack;
  std::string path;
  for (const SourceInstance& s : index.instances()) {
    if (s.seriesInstanceUID != series) continue;
    if (!s.hasGeometry) throwInput(s.path, "ImageOrientationPatient (0020,0037)", "source image without plane geometry");
    if (path.empty()) {
      path = s.path;
      stack.rowCosine = s.rowCosine;
      stack.columnCosine = s.columnCosine;
      stack.rowSpacing = s.rowSpacing;
      stack.columnSpacing = s.columnSpacing;
      stack.rows = s.rows;
      stack.columns = s.columns;
    } else if (s.rows != stack.rows || s.columns != stack.columns) {
      throwInput(s.path, "Rows (0028,0010)", "image size differs from the rest of series " + series);
    }
    for (const SourceFrame& f : s.frames) stack.positions.push_back(f.position);
  }
  if (stack.positions.empty())
    throwInput("", "SeriesInstanceUID (0020,000E)", "no source images in series '" + series + "'");
  return placeFrames(stack, path).grid;
}

}  // namespace qidcm
