#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcsequen.h>

#include "pixel/bits.h"
#include "core/output_transaction.h"
#include "dcmtk/setup.h"
#include "qidcm/error.h"
#include "qidcm/log.h"
#include "qidcm/seg/convert.h"
#include "seg/context.h"
#include "seg/document.h"
#include "seg/overlap.h"
#include "seg/plan.h"
#include "seg/segmentation_file.h"

namespace qidcm::seg {
namespace {

DcmItem* firstItem(DcmItem& parent, const DcmTagKey& seq) {
  DcmItem* item = nullptr;
  return parent.findAndGetSequenceItem(seq, item, 0).good() ? item : nullptr;
}

// Context taken from the input SEG: its patient/study modules, its Common
// Instance Reference, and per position the source references of its first
// frame there.
class SegmentationContext : public DocumentContext {
 public:
  explicit SegmentationContext(SegmentationFile& input) : input_(input) {
    DcmDataset& ds = input.dataset();
    shared_ = firstItem(ds, DCM_SharedFunctionalGroupsSequence);
    ds.findAndGetSequence(DCM_PerFrameFunctionalGroupsSequence, perFrame_);
    perFrameItems_ = dicom::itemsOf(perFrame_);
    for (std::size_t f = 0; f < input.frames().size(); ++f) firstFrameAt_.emplace(input.frames()[f].slice, f);
  }

  dicom::SourceContext writePatientStudy(DcmItem& dataset, const dicom::ValueWriter& writer) const override {
    return dicom::copyPatientStudyContext(dataset, input_.dataset(), input_.path(), writer, true);
  }

  void writeFrameReferences(const PlannedFrame& frame, const Vec3&, DcmItem& group,
                            const dicom::ValueWriter&) const override {
    auto it = firstFrameAt_.find(frame.slice);
    if (it == firstFrameAt_.end() || it->second >= perFrameItems_.size()) return;
    DcmItem* source = perFrameItems_[it->second];
    copySequence(source, DCM_DerivationImageSequence, group);
  }

  void writeSharedReferences(DcmItem& shared, const dicom::ValueWriter&) const override {
    copySequence(shared_, DCM_DerivationImageSequence, shared);
  }

  void writeCommonInstanceReference(DcmItem& dataset, const std::string&, const dicom::ValueWriter&) const override {
    copySequence(&input_.dataset(), DCM_ReferencedSeriesSequence, dataset);
    copySequence(&input_.dataset(), DCM_StudiesContainingOtherReferencedInstancesSequence, dataset);
  }

  std::size_t referencedInstances() const override {
    std::size_t count = 0;
    DcmSequenceOfItems* series = nullptr;
    if (input_.dataset().findAndGetSequence(DCM_ReferencedSeriesSequence, series).good() && series)
      for (unsigned long s = 0; s < series->card(); ++s) {
        DcmSequenceOfItems* instances = nullptr;
        if (series->getItem(s)->findAndGetSequence(DCM_ReferencedInstanceSequence, instances).good() && instances)
          count += instances->card();
      }
    return count;
  }

 private:
  static void copySequence(DcmItem* from, const DcmTagKey& key, DcmItem& to) {
    DcmSequenceOfItems* sequence = nullptr;
    if (!from || from->findAndGetSequence(key, sequence).bad() || !sequence) return;
    to.insert(new DcmSequenceOfItems(*sequence), OFTrue);
  }

  SegmentationFile& input_;
  DcmItem* shared_ = nullptr;
  DcmSequenceOfItems* perFrame_ = nullptr;
  std::vector<DcmItem*> perFrameItems_;
  std::map<std::size_t, std::size_t> firstFrameAt_;  // slice -> first input frame there
};

}  // namespace

WriteSummary convertToLabelmap(const std::string& input, const std::string& output,
                               const LabelmapConversionOptions& options) {
  dcmtk::configure();
  WriterOptions writerOptions;
  writerOptions.type = SegmentationType::Labelmap;
  writerOptions.useLabelIDAsSegmentNumber = true;
  writerOptions.force16Bit = options.force16Bit;
  writerOptions.palette = options.palette;
  writerOptions.compression = options.compression;
  writerOptions.checkValues = options.checkValues;
  {
    OutputTransaction probe;
    probe.stage(output);
  }
  SegmentationFile seg(input);
  if (seg.type() != SegmentationType::Binary)
    throwInput(input, "SegmentationType (0062,0001)", "is " + toString(seg.type()) + "; a BINARY SEG is expected");
  if (seg.slide())
    throwInput(input, "PlanePositionSlideSequence (0048,021a)",
               "slide (microscopy) SEGs have no patient geometry to write a label map on");
  seg.decodeAll();
  const auto overlaps = overlappingSegments(seg);
  if (!overlaps.empty()) {
    const auto& [pair, frame] = *overlaps.begin();
    const Vec3& p = seg.frames()[frame].position;
    throwInput(input, "",
               "segments " + std::to_string(pair.first) + " and " + std::to_string(pair.second) +
                   " overlap (for example in frame " + std::to_string(frame + 1) + " at " + formatDS(p.data(), 3) +
                   "); a label map cannot hold overlapping segments");
  }

  // The label volume: pixel value = Segment Number.
  std::vector<LabelImage> images(1);
  images[0].path = input;
  Volume& volume = images[0].volume;
  volume.grid = seg.grid();
  volume.type = PixelType::UInt16;
  volume.allocate(input);
  const std::size_t plane = volume.grid.slicePixels();
  for (std::size_t f = 0; f < seg.frames().size(); ++f) {
    const FramePlacement& place = seg.frames()[f];
    const FrameView v = seg.frame(f);
    std::uint16_t* slice = volume.samples<std::uint16_t>() + place.slice * plane;
    pixel::forEachSetBit(v.data, v.bitOffset, plane, [&](std::size_t p) { slice[p] = place.segment; });
  }

  Metadata metadata = seg.seriesMetadata();
  metadata.sourceFile = input;
  std::vector<SegmentDescription> list;
  for (const auto& [number, s] : seg.segments()) {
    SegmentDescription d = s;
    d.labelID = number;
    list.push_back(d);
  }
  metadata.segmentAttributes = {list};
  // One frame per position the input has a frame at, as dcmqi writes it.
  std::vector<bool> positions(volume.grid.slices(), false);
  for (const auto& f : seg.frames()) positions[f.slice] = true;
  const Plan plan = makePlan(images, metadata, writerOptions, &positions);
  const SegmentationContext context(seg);
  return writeDocument(plan, {volume.grid}, images, metadata, context, output, writerOptions);
}

}  // namespace qidcm::seg
