#include "qidcm/seg/writer.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdatset.h>

#include <filesystem>
#include <sys/stat.h>

#include "core/output_transaction.h"
#include "dcmtk/setup.h"
#include "dicom/file_writer.h"
#include "qidcm/error.h"
#include "qidcm/image_io.h"
#include "qidcm/log.h"
#include "seg/document.h"
#include "pixel/frame_codec.h"
#include "seg/plan.h"
#include "seg/segmentation_type.h"

namespace qidcm::seg {


namespace {

std::vector<SliceMatch> matchSources(const std::vector<LabelImage>& images, const SourceIndex& sources,
                                     const WriterOptions& options) {
  std::vector<SliceMatch> matches;
  if (!options.referencesGeometryCheck) return matches;
  bool any = false;
  for (const auto& image : images) {
    matches.push_back(matchSlices(image.volume.grid, sources, options.matchTolerance));
    any = any || matches.back().any();
  }
  if (!any)
    throwInput(images.front().path, "",
               "the image grid fits no source series: " +
                   describeMismatch(images.front().volume.grid, sources, options.matchTolerance) +
                   " (use --referencesGeometryCheck 0 to reference the sources without matching)");
  for (std::size_t f = 0; f < images.size(); ++f) {
    const std::size_t slices = images[f].volume.grid.slices();
    if (matches[f].matchedSlices < slices)
      log::debug(images[f].path + ": " + std::to_string(matches[f].matchedSlices) + " of " + std::to_string(slices) +
                 " slices matched a source image");
  }
  return matches;
}

}  // namespace


WriteSummary writeSegmentation(const std::vector<LabelImage>& images, const Metadata& metadata,
                               const SourceIndex& sources, const std::string& outputPath,
                               const WriterOptions& options) {
  dcmtk::configure();
  strategyFor(options.type).checkCompression(options.compression);
  {
    OutputTransaction probe;  // an unusable output path fails before any work
    probe.stage(outputPath);
  }
  sources.requireSinglePatient();
  sources.requireConsistentSeries();
  Plan plan;
  {
    log::PhaseTimer timer("plan (one pass over the label voxels)");
    plan = makePlan(images, metadata, options);
  }
  std::vector<SliceMatch> matches;
  {
    log::PhaseTimer timer("match slices to sources");
    matches = matchSources(images, sources, options);
  }
  std::vector<Grid> grids;
  for (const auto& image : images) grids.push_back(image.volume.grid);
  const SourceSeriesContext context(sources, matches, plan, options.referencesGeometryCheck, options.derivedFrom);
  WriteSummary summary = writeDocument(plan, grids, images, metadata, context, outputPath, options);
  for (const auto& m : matches) summary.matchedSlices += m.matchedSlices;
  return summary;
}

namespace {

// Pairs input images with segmentAttributes lists: by position, or by
// segmentAttributesFileMapping (each entry names the file its list describes).
std::vector<std::string> orderImages(const std::vector<std::string>& images, const Metadata& metadata) {
  const auto& mapping = metadata.segmentAttributesFileMapping;
  if (mapping.empty()) return images;
  if (mapping.size() != images.size())
    throwInput(metadata.sourceFile, "segmentAttributesFileMapping",
               "has " + std::to_string(mapping.size()) + " entries, but " + std::to_string(images.size()) +
                   " input image(s) were given");
  std::vector<std::string> ordered(images.size());
  std::vector<bool> taken(images.size(), false);
  for (const auto& image : images) {
    const std::string name = std::filesystem::path(image).filename().string();
    std::size_t found = mapping.size();
    // An exact file-name match wins over dcmqi's substring match.
    for (std::size_t k = 0; k < mapping.size() && found == mapping.size(); ++k)
      if (!taken[k] && std::filesystem::path(mapping[k]).filename().string() == name) found = k;
    for (std::size_t k = 0; k < mapping.size() && found == mapping.size(); ++k)
      if (!taken[k] && image.rfind(mapping[k]) != std::string::npos) found = k;
    if (found == mapping.size())
      throwInput(metadata.sourceFile, "segmentAttributesFileMapping",
                 "no entry matches input image " + image);
    taken[found] = true;
    ordered[found] = image;
  }
  return ordered;
}

}  // namespace

WriteSummary writeSegmentationFiles(const WriterFiles& files, const WriterOptions& options) {
  Metadata metadata;
  {
    log::PhaseTimer timer("read and validate metadata");
    metadata = readMetadataFile(files.metadata);
  }
  if (metadata.segmentationType && *metadata.segmentationType != options.type)
    log::warning(files.metadata + ": segmentationType " + toString(*metadata.segmentationType) +
                 " is ignored; the SEG is " + toString(options.type) + " (--segmentationType decides)");
  if (files.images.empty()) throwUsage("no input image given (--inputImageList)");
  if (metadata.segmentAttributes.size() != files.images.size())
    throwInput(files.metadata, "segmentAttributes",
               "lists segments for " + std::to_string(metadata.segmentAttributes.size()) + " input file(s), but " +
                   std::to_string(files.images.size()) + " image(s) were given");
  if (files.dicomFiles.empty() && files.dicomDirectories.empty())
    throwUsage("no source DICOM given (--inputDICOMDirectory or --inputDICOMList)");
  {
    OutputTransaction probe;  // an unusable output path fails before any heavy work
    probe.stage(files.output);
  }
  const std::vector<std::string> ordered = orderImages(files.images, metadata);
  std::vector<LabelImage> images;
  {
    log::PhaseTimer timer("read label images");
    for (const auto& path : ordered) images.push_back({path, readImage(path)});
  }
  SourceIndex sources;
  {
    log::PhaseTimer timer("scan source DICOM headers");
    sources = SourceIndex::scan(files.dicomFiles, files.dicomDirectories);
  }
  return writeSegmentation(images, metadata, sources, files.output, options);
}

}  // namespace qidcm::seg
