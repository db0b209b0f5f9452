#pragma once
// The page of each kind of object, and the source series they draw on.
#include <string>
#include <vector>

#include "qc/html.h"
#include "qc/render.h"
#include "qidcm/codes.h"
#include "qidcm/qc/report.h"
#include "qidcm/source.h"

namespace qidcm::qc {

// The source series an object refers to, read for drawing.
struct SourceContext {
  bool found = false;
  std::string seriesInstanceUID, frameOfReferenceUID, description;
  Grid grid;
  SeriesPixels pixels;
  Window window;
};
// The first referenced series found under `directory`; else the series in
// the object's frame of reference with the most frames (warned); else none
// (warned: the pictures then show the object alone).
SourceContext loadSource(const std::string& directory, const ObjectHeader& object, bool modalityValues,
                         std::vector<std::string>& warnings);

// "meaning (value, scheme)".
std::string codeText(const Code& code);
// The checks every object with a source series shares (frame of reference).
void checkFrameOfReference(const ObjectHeader& object, const SourceContext& source, std::vector<std::string>& failed,
                           std::vector<std::string>& passed);
// Of the planes k of `grid`, those that do not lie on a slice of the source
// grid (within 0.1 of a voxel, same orientation and in-plane spacing).
std::vector<std::size_t> planesOffSource(const Grid& grid, const std::vector<std::size_t>& planes,
                                         const Grid& source);
std::string gridText(const Grid& grid);

// Each appends its page to `html` and returns the summary.
PageSummary segmentationPage(const ObjectHeader& object, const PageOptions& options, std::string& html);
PageSummary mapPage(const ObjectHeader& object, const PageOptions& options, std::string& html);
PageSummary reportPage(const ObjectHeader& object, const PageOptions& options, std::string& html);

}  // namespace qidcm::qc
