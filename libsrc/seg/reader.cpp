#include "qidcm/seg/reader.h"

#include <nlohmann/json.hpp>

#include "core/output_transaction.h"
#include "qidcm/error.h"
#include "qidcm/image_io.h"
#include "qidcm/log.h"
#include "qidcm/schema.h"
#include "seg/segmentation_file.h"
#include "seg/segmentation_type.h"

namespace qidcm::seg {
namespace {

Metadata seriesMetadata(const SegmentationFile& seg) {
  Metadata m = seg.seriesMetadata();
  m.sourceFile = seg.path();
  // Values are kept as the file has them: the reader warned about those their
  // VR does not allow, and the writers make them fit.
  return m;
}

}  // namespace


Metadata readSegmentation(const std::string& path, const ReaderOptions& options,
                          const std::function<void(const ReaderImage&)>& sink, ReadSummary* summary) {
  std::unique_ptr<SegmentationFile> segPtr;
  {
    log::PhaseTimer timer("parse the SEG and rebuild its grid");
    segPtr = std::make_unique<SegmentationFile>(path, options.referenceDirectory);
  }
  SegmentationFile& seg = *segPtr;
  {
    log::PhaseTimer timer("decode frames");
    seg.decodeAll();
  }
  Metadata metadata = seriesMetadata(seg);
  const Grid& grid = seg.grid();
  std::size_t images = 0;
  ReaderImage image;
  auto emit = [&](Volume& volume, std::vector<SegmentDescription> segments) {
    metadata.segmentAttributes.push_back(segments);
    ++images;
    std::swap(image.volume, volume);
    image.segments = std::move(segments);
    sink(image);
    std::swap(image.volume, volume);
  };
  log::PhaseTimer timer("assemble and write images");
  strategyFor(seg.type()).unpack(seg, options, emit);
  if (summary) {
    summary->type = seg.type();
    summary->transferSyntax = seg.transferSyntax();
    summary->segments = seg.segments().size();
    summary->frames = seg.frames().size();
    summary->images = images;
    summary->slide = seg.slide();
    summary->grid = grid;
  }
  return metadata;
}

ReadSummary readSegmentationToFiles(const std::string& input, const std::string& outputDirectory,
                                    const std::string& prefix, const std::string& outputType,
                                    const ReaderOptions& options) {
  const std::string extension = imageExtension(outputType);
  createDirectories(outputDirectory);
  OutputTransaction output;
  const std::string stem = outputDirectory + "/" + (prefix.empty() ? "" : prefix + "-");
  output.stage(stem + "meta.json");  // fails early when the directory is not writable
  ReadSummary summary;
  std::size_t n = 0;
  const Metadata metadata = readSegmentation(
      input, options,
      [&](const ReaderImage& image) {
        const std::string path = output.stage(stem + std::to_string(++n) + extension);
        writeImage(path, image.volume, true);
      },
      &summary);
  nlohmann::json json = toJson(metadata);
  if (repairUtf8(json))
    log::warning(input + ": text that is not valid UTF-8 was replaced by U+FFFD in the metadata");
  validateReaderOutput(SchemaId::Segmentation, json, input);
  writeTextFile(output.stage(stem + "meta.json"), json.dump(2) + "\n", stem + "meta.json");
  output.commit();
  return summary;
}

}  // namespace qidcm::seg
