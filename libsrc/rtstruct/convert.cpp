#include "qidcm/rtstruct/convert.h"

#include "qidcm/error.h"
#include "qidcm/log.h"
#include "qidcm/rtstruct/structure_set.h"
#include "qidcm/source.h"
#include "rtstruct/roi_mask.h"

namespace qidcm::rtstruct {
namespace {

std::string joined(const std::vector<std::string>& items) {
  std::string text;
  for (const auto& item : items) text += (text.empty() ? "" : ", ") + item;
  return text;
}

// The image series the contours were drawn on: the first RT Referenced
// Series found among the scanned instances.
SourceIndex referencedSeries(const StructureSet& s, const SourceIndex& all, const std::vector<std::string>& directories,
                             std::string& uid) {
  if (s.referencedSeriesUIDs.empty())
    throwInput(s.path, "RTReferencedSeriesSequence (3006,0014)", "missing; the image series cannot be found");
  for (const std::string& candidate : s.referencedSeriesUIDs) {
    SourceIndex series = all.series(candidate);
    if (!series.empty()) {
      uid = candidate;
      return series;
    }
  }
  throwInput(s.path, "RTReferencedSeriesSequence (3006,0014)",
             "the referenced image series " + joined(s.referencedSeriesUIDs) + " is not in " + joined(directories));
}

seg::SegmentAlgorithmType algorithmType(const Roi& roi, const std::string& path) {
  if (roi.generationAlgorithm == "AUTOMATIC") return seg::SegmentAlgorithmType::Automatic;
  if (roi.generationAlgorithm == "SEMIAUTOMATIC") return seg::SegmentAlgorithmType::Semiautomatic;
  if (roi.generationAlgorithm != "MANUAL")
    log::warning(path + ": ROI " + std::to_string(roi.number) + " (\"" + roi.name + "\"): ROI Generation Algorithm \"" +
                 roi.generationAlgorithm + "\" is not AUTOMATIC, SEMIAUTOMATIC or MANUAL; written as MANUAL");
  return seg::SegmentAlgorithmType::Manual;
}

seg::SegmentDescription describe(const Roi& roi, const std::string& path) {
  seg::SegmentDescription d;
  d.labelID = 1;
  d.label = roi.name.empty() ? "ROI " + std::to_string(roi.number) : roi.name;
  d.description = roi.description;
  // Generic codes until the RT ROI Interpreted Type table is in (doc/design).
  d.category = {"85756007", "SCT", "Tissue", ""};
  d.type = {"85756007", "SCT", "Tissue", ""};
  d.algorithmType = algorithmType(roi, path);
  if (d.algorithmType != seg::SegmentAlgorithmType::Manual)
    d.algorithmName = roi.generationDescription.empty() ? "unknown" : roi.generationDescription;
  if (roi.displayColor) d.rgb = *roi.displayColor;
  return d;
}

}  // namespace

ConvertSummary convertStructureSet(const std::string& rtstructPath, const std::vector<std::string>& dicomDirectories,
                                   const std::string& outputPath, const ConvertOptions& options) {
  const StructureSet s = readStructureSet(rtstructPath);
  ConvertSummary summary;
  summary.rois = s.rois.size();
  const SourceIndex all = SourceIndex::scan({}, dicomDirectories);
  const SourceIndex series = referencedSeries(s, all, dicomDirectories, summary.seriesInstanceUID);
  const Grid grid = seriesGrid(series, summary.seriesInstanceUID);

  std::vector<seg::LabelImage> images;
  seg::Metadata metadata;
  metadata.sourceFile = rtstructPath;
  RoiMaskOptions maskOptions;
  maskOptions.planeTolerance = options.planeTolerance;
  for (const Roi& roi : s.rois) {
    RoiMask mask = rasterizeRoi(roi, grid, rtstructPath, maskOptions);
    summary.contours += mask.closedContours;
    summary.skippedContours += mask.skippedContours;
    if (mask.closedContours == 0) {
      log::warning(rtstructPath + ": ROI " + std::to_string(roi.number) + " (\"" + roi.name +
                   "\") has no closed contour on the image slices; it is left out");
      continue;
    }
    images.push_back({rtstructPath + " ROI " + std::to_string(roi.number), std::move(mask.volume)});
    metadata.segmentAttributes.push_back({describe(roi, rtstructPath)});
  }
  if (images.empty()) throwInput(rtstructPath, "ROIContourSequence (3006,0039)", "no ROI has a closed contour");
  summary.segments = images.size();
  summary.seg = seg::writeSegmentation(images, metadata, series, outputPath, options.writer);
  return summary;
}

}  // namespace qidcm::rtstruct
