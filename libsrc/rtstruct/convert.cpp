#include "qidcm/rtstruct/convert.h"

#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <nlohmann/json.hpp>

#include "core/output_transaction.h"
#include "qidcm/error.h"
#include "qidcm/image_io.h"
#include "qidcm/log.h"
#include "qidcm/rtstruct/structure_set.h"
#include "qidcm/schema.h"
#include "qidcm/source.h"
#include "rtstruct/interpreted_type.h"
#include "rtstruct/roi_mask.h"

namespace qidcm::rtstruct {
namespace {

constexpr const char* kRtStructureSetStorage = "1.2.840.10008.5.1.4.1.1.481.3";

std::string joined(const std::vector<std::string>& items) {
  std::string text;
  for (const auto& item : items) text += (text.empty() ? "" : ", ") + item;
  return text;
}

std::string roiText(const Roi& roi) { return "ROI " + std::to_string(roi.number) + " (\"" + roi.name + "\")"; }

// The image series the contours were drawn on: the first RT Referenced
// Series found among the scanned instances; failing that, the one series on
// the structure set's Frame of Reference (with a warning).
SourceIndex referencedSeries(const StructureSet& s, const SourceIndex& all, const std::vector<std::string>& directories,
                             std::string& uid) {
  for (const std::string& candidate : s.referencedSeriesUIDs) {
    SourceIndex series = all.series(candidate);
    if (!series.empty()) {
      uid = candidate;
      return series;
    }
  }
  std::set<std::string> frames(s.referencedFramesOfReference.begin(), s.referencedFramesOfReference.end());
  for (const Roi& roi : s.rois)
    if (!roi.frameOfReferenceUID.empty()) frames.insert(roi.frameOfReferenceUID);
  frames.erase("");
  std::set<std::string> onFrame;
  for (const SourceInstance& i : all.instances())
    if (i.hasGeometry && frames.count(i.frameOfReferenceUID)) onFrame.insert(i.seriesInstanceUID);
  const std::string missing = s.referencedSeriesUIDs.empty()
                                  ? std::string("missing")
                                  : "the referenced image series " + joined(s.referencedSeriesUIDs) + " is not in " +
                                        joined(directories);
  if (onFrame.size() == 1) {
    uid = *onFrame.begin();
    log::warning(s.path + ": RTReferencedSeriesSequence (3006,0014): " + missing + "; series " + uid +
                 ", the only one on the structure set's Frame of Reference, is used");
    return all.series(uid);
  }
  throwInput(s.path, "RTReferencedSeriesSequence (3006,0014)",
             missing + (onFrame.empty() ? std::string()
                                        : "; " + std::to_string(onFrame.size()) +
                                              " series share its Frame of Reference, so none is chosen"));
}

seg::SegmentAlgorithmType algorithmType(const Roi& roi, const std::string& path) {
  if (roi.generationAlgorithm == "AUTOMATIC") return seg::SegmentAlgorithmType::Automatic;
  if (roi.generationAlgorithm == "SEMIAUTOMATIC") return seg::SegmentAlgorithmType::Semiautomatic;
  if (roi.generationAlgorithm != "MANUAL")
    log::warning(path + ": " + roiText(roi) + ": ROI Generation Algorithm \"" + roi.generationAlgorithm +
                 "\" is not AUTOMATIC, SEMIAUTOMATIC or MANUAL; written as MANUAL");
  return seg::SegmentAlgorithmType::Manual;
}

seg::SegmentDescription describe(const Roi& roi, const std::string& path) {
  seg::SegmentDescription d;
  d.label = roi.name.empty() ? "ROI " + std::to_string(roi.number) : roi.name;
  d.description = roi.description;
  const PropertyCodes codes = propertyCodes(roi.interpretedType);
  d.category = codes.category;
  d.type = codes.type;
  d.codingNote = codes.note;
  d.roiNumber = roi.number;
  d.interpretedType = roi.interpretedType;
  d.algorithmType = algorithmType(roi, path);
  if (d.algorithmType != seg::SegmentAlgorithmType::Manual)
    d.algorithmName = roi.generationDescription.empty() ? "unknown" : roi.generationDescription;
  if (roi.displayColor) d.rgb = *roi.displayColor;
  return d;
}

// --inputMetadata: its segments by SegmentLabel and by labelID.
class Overrides {
 public:
  explicit Overrides(const std::string& path) : path_(path) {
    if (path.empty()) return;
    metadata_ = seg::readMetadataFile(path);
    for (const auto& list : metadata_.segmentAttributes)
      for (const auto& s : list) segments_.push_back(s);
    used_.assign(segments_.size(), false);
  }
  bool given() const { return !path_.empty(); }
  const seg::Metadata& metadata() const { return metadata_; }

  // Applies the segment matching `roi` to `d`; the ROI's own values stay where
  // the JSON leaves a value out.
  void apply(const Roi& roi, seg::SegmentDescription& d) {
    // ROINumber (as --outputDirectory's meta.json has it), then the label, then labelID.
    std::size_t match = segments_.size();
    for (std::size_t n = 0; n < segments_.size() && match == segments_.size(); ++n)
      if (!used_[n] && segments_[n].roiNumber && *segments_[n].roiNumber == roi.number) match = n;
    for (std::size_t n = 0; n < segments_.size() && match == segments_.size(); ++n)
      if (!used_[n] && !segments_[n].roiNumber && !segments_[n].label.empty() && segments_[n].label == roi.name)
        match = n;
    for (std::size_t n = 0; n < segments_.size() && match == segments_.size(); ++n)
      if (!used_[n] && !segments_[n].roiNumber && segments_[n].label.empty() &&
          segments_[n].labelID == static_cast<std::uint64_t>(roi.number))
        match = n;
    if (match == segments_.size()) return;
    used_[match] = true;
    seg::SegmentDescription o = segments_[match];
    if (o.label.empty()) o.label = d.label;
    if (o.description.empty()) o.description = d.description;
    if (!o.rgb && !o.lab) o.rgb = d.rgb;
    o.roiNumber = d.roiNumber;
    o.interpretedType = d.interpretedType;
    o.codingNote.clear();
    d = std::move(o);
  }

  void warnUnused() const {
    for (std::size_t n = 0; n < segments_.size(); ++n)
      if (!used_[n])
        log::warning(path_ + ": segment \"" + segments_[n].label + "\" (labelID " +
                     std::to_string(segments_[n].labelID) + ") matches no ROI name or number; it is not used");
  }

 private:
  std::string path_;
  seg::Metadata metadata_;
  std::vector<seg::SegmentDescription> segments_;
  std::vector<bool> used_;
};

// SOP Instance UID -> slice of the grid, for the Contour Image Sequence check.
std::map<std::string, std::size_t> instanceSlices(const SourceIndex& series, const Grid& grid) {
  std::map<std::string, std::size_t> slices;
  for (const SourceInstance& s : series.instances()) {
    if (s.multiFrame) slices[s.sopInstanceUID] = kAnySlice;
    for (const SourceFrame& f : s.frames) {
      const double k = std::floor(grid.continuousIndex(f.position)[2] + 0.5);
      if (k < 0 || k >= static_cast<double>(grid.slices())) continue;
      const std::string key = s.multiFrame ? s.sopInstanceUID + "#" + std::to_string(f.frameNumber) : s.sopInstanceUID;
      slices.emplace(key, static_cast<std::size_t>(k));
    }
  }
  return slices;
}

// The label images segimage2itkimage writes for the SEG (with the source
// series as reference): BINARY one per segment, LABELMAP one.
void writeDirectory(OutputTransaction& output, const ConvertOptions& options, const std::vector<seg::LabelImage>& layers,
                    const seg::Metadata& metadata, std::size_t segments, const std::string& input) {
  createDirectories(options.outputDirectory);
  const std::string stem = options.outputDirectory + "/";
  const std::string extension = imageExtension(options.outputType);
  seg::Metadata out = metadata;
  out.segmentAttributes.clear();
  if (options.writer.type == seg::SegmentationType::Labelmap) {
    const Volume& layer = layers.front().volume;
    if (layer.type == PixelType::UInt16 && segments <= 255) {
      // As the reader gives an 8-bit label map: every Segment Number fits.
      Volume narrow = emptyVolume(layer.grid, PixelType::UInt8, stem);
      for (std::size_t v = 0; v < layer.grid.voxels(); ++v)
        narrow.samples<std::uint8_t>()[v] = static_cast<std::uint8_t>(layer.samples<std::uint16_t>()[v]);
      writeImage(output.stage(stem + "1" + extension), narrow, true);
    } else {
      writeImage(output.stage(stem + "1" + extension), layer, true);
    }
    out.segmentAttributes.push_back(metadata.segmentAttributes.front());
  } else {
    const PixelType type = segments > 255 ? PixelType::UInt16 : PixelType::UInt8;
    Volume image = emptyVolume(layers.front().volume.grid, type, stem);
    std::map<std::uint64_t, std::pair<std::size_t, const seg::SegmentDescription*>> bySegment;
    for (std::size_t layer = 0; layer < layers.size(); ++layer)
      for (const seg::SegmentDescription& d : metadata.segmentAttributes[layer]) bySegment[d.labelID] = {layer, &d};
    std::size_t n = 0;
    for (const auto& [number, where] : bySegment) {
      const std::size_t layer = where.first;
      const seg::SegmentDescription& d = *where.second;
      image.buffer.zero();
      const Volume& from = layers[layer].volume;
      const auto value = static_cast<std::uint16_t>(number);
      dispatchPixelType(from.type, [&](auto zero) {
        using T = decltype(zero);
        const T* in = from.samples<T>();
        for (std::size_t v = 0; v < from.grid.voxels(); ++v)
          if (in[v] == value) {
            if (type == PixelType::UInt8) image.samples<std::uint8_t>()[v] = static_cast<std::uint8_t>(value);
            else image.samples<std::uint16_t>()[v] = value;
          }
      });
      writeImage(output.stage(stem + std::to_string(++n) + extension), image, true);
      out.segmentAttributes.push_back({d});
    }
  }
  nlohmann::json json = seg::toJson(out);
  repairUtf8(json);
  validateReaderOutput(SchemaId::Segmentation, json, input);
  writeTextFile(output.stage(stem + "meta.json"), json.dump(2) + "\n", stem + "meta.json");
}

}  // namespace

ConvertSummary convertStructureSet(const std::string& rtstructPath, const std::vector<std::string>& dicomDirectories,
                                   const std::string& outputPath, const ConvertOptions& options) {
  std::optional<log::PhaseTimer> phase;
  phase.emplace("read the structure set");
  StructureSetReader reader(rtstructPath);
  const StructureSet& s = reader.header();
  Overrides overrides(options.metadataPath);
  ConvertSummary summary;
  summary.rois = s.rois.size();
  phase.emplace("scan the image series");
  const SourceIndex all = SourceIndex::scan({}, dicomDirectories);
  const SourceIndex series = referencedSeries(s, all, dicomDirectories, summary.seriesInstanceUID);
  const Grid grid = seriesGrid(series, summary.seriesInstanceUID);
  const std::string seriesFrame = series.instances().front().frameOfReferenceUID;
  for (const Roi& roi : s.rois)
    if (!roi.frameOfReferenceUID.empty() && !seriesFrame.empty() && roi.frameOfReferenceUID != seriesFrame)
      throwInput(rtstructPath, "ReferencedFrameOfReferenceUID (3006,0024)",
                 roiText(roi) + " is drawn on Frame of Reference " + roi.frameOfReferenceUID + ", the image series " +
                     summary.seriesInstanceUID + " is on " + seriesFrame);

  const auto slices = instanceSlices(series, grid);
  RoiMaskOptions maskOptions;
  maskOptions.planeTolerance = options.planeTolerance;
  maskOptions.instanceSlices = &slices;

  // ROIs are painted into as few label volumes as they fit without overlap
  // (LABELMAP: one, and overlap is refused), voxel value = Segment Number.
  const bool labelmap = options.writer.type == seg::SegmentationType::Labelmap;
  const PixelType type = s.rois.size() > 255 ? PixelType::UInt16 : PixelType::UInt8;
  std::vector<seg::LabelImage> layers;
  seg::Metadata metadata;
  if (overrides.given()) metadata = overrides.metadata();
  metadata.segmentAttributes.clear();
  metadata.segmentAttributesFileMapping.clear();
  metadata.segmentationType.reset();
  metadata.sourceFile = rtstructPath;
  std::vector<const Roi*> bySegment{nullptr};
  phase.emplace("read and rasterize the ROIs' contours");
  for (std::size_t index = 0; index < s.rois.size(); ++index) {
    const Roi& roi = s.rois[index];
    RoiMask mask;
    {
      Roi withContours = roi;
      withContours.contours = reader.contours(index);
      mask = rasterizeRoi(withContours, grid, rtstructPath, maskOptions);
    }
    summary.contours += mask.closedContours;
    summary.skippedContours += mask.skippedContours;
    if (mask.closedContours == 0 || mask.count == 0) {
      log::warning(rtstructPath + ": " + roiText(roi) +
                   (mask.closedContours == 0 ? " has no closed contour on the image slices"
                                             : "'s contours enclose no voxel centre") +
                   "; it is left out");
      continue;
    }
    std::size_t layer = 0;
    for (; layer < layers.size(); ++layer) {
      const auto conflict = firstConflict(mask, layers[layer].volume);
      if (!conflict) break;
      if (labelmap)
        throwInput(rtstructPath, "ROIContourSequence (3006,0039)",
                   roiText(roi) + " overlaps " + roiText(*bySegment.at(conflict->value)) + " on slice " +
                       std::to_string(conflict->slice) + "; a LABELMAP SEG needs disjoint ROIs (use binary)");
    }
    if (layer == layers.size()) {
      // calloc'ed: the pages of slices no ROI of the layer touches are never mapped
      layers.push_back({rtstructPath, emptyVolume(grid, type, rtstructPath)});
      metadata.segmentAttributes.emplace_back();
    }
    const auto number = static_cast<std::uint16_t>(bySegment.size());
    bySegment.push_back(&roi);
    paint(mask, number, layers[layer].volume);
    seg::SegmentDescription d = describe(roi, rtstructPath);
    overrides.apply(roi, d);
    d.labelID = number;
    if (!d.codingNote.empty()) ++summary.genericCodes;
    metadata.segmentAttributes[layer].push_back(std::move(d));
  }
  phase.reset();
  log::debug(std::to_string(bySegment.size() - 1) + " segment(s) in " + std::to_string(layers.size()) +
               " label volume(s)");
  overrides.warnUnused();
  if (layers.empty()) throwInput(rtstructPath, "ROIContourSequence (3006,0039)", "no ROI has a closed contour");
  summary.segments = bySegment.size() - 1;
  summary.layers = layers.size();
  if (summary.genericCodes)
    log::warning(rtstructPath + ": " + std::to_string(summary.genericCodes) +
                 " segment(s) carry generic property codes (see codingNote in the metadata, or give --inputMetadata)");

  seg::WriterOptions writer = options.writer;
  writer.useLabelIDAsSegmentNumber = true;
  writer.derivedFrom.push_back({kRtStructureSetStorage, s.sopInstanceUID, s.seriesInstanceUID, s.studyInstanceUID});
  OutputTransaction output;
  if (!options.outputDirectory.empty())
    writeDirectory(output, options, layers, metadata, summary.segments, rtstructPath);
  summary.seg = seg::writeSegmentation(layers, metadata, series, output.stage(outputPath), writer);
  output.commit();
  return summary;
}

}  // namespace qidcm::rtstruct
