#include "seg/document.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcvrobow.h>

#include <set>

#include <sys/stat.h>
#include "core/output_transaction.h"
#include "dicom/file_writer.h"
#include "seg/segmentation_type.h"
#include "dicom/icc.h"
#include "dicom/modules.h"
#include "iod/series.h"
#include "qidcm/error.h"
#include "qidcm/log.h"
#include "qidcm/uid.h"
#include "seg/segment.h"

namespace qidcm::seg {
namespace {

// Does any text of the metadata need more than ASCII?
bool needsUtf8(const Metadata& m) {
  if (iod::needsUtf8(m, iod::segmentationProfile())) return true;
  std::vector<const std::string*> texts;
  for (const auto& list : m.segmentAttributes)
    for (const auto& s : list) {
      for (const std::string* t : {&s.label, &s.description, &s.algorithmName, &s.trackingID, &s.category.meaning,
                                   &s.type.meaning})
        texts.push_back(t);
      for (const auto* c : {&s.typeModifier, &s.anatomicRegion, &s.anatomicRegionModifier})
        if (*c) texts.push_back(&(*c)->meaning);
    }
  for (const std::string* t : texts)
    if (!dicom::isAscii(*t)) return true;
  return false;
}

}  // namespace

Document::Document(const Plan& plan, const std::vector<Grid>& grids, const Metadata& metadata,
                   const DocumentContext& context, const WriterOptions& options)
    : plan_(plan),
      grids_(grids),
      metadata_(metadata),
      context_(context),
      options_(options),
      writer_(options.checkValues),
      sopInstanceUID_(newUid()),
      seriesInstanceUID_(newUid()) {}

std::unique_ptr<DcmDataset> Document::head() const {
  auto ds = std::make_unique<DcmDataset>();
  const bool labelmap = plan_.type == SegmentationType::Labelmap;
  const bool palette = labelmap && options_.palette;

  // Patient, study and frame of reference.
  const dicom::SourceContext context = context_.writePatientStudy(*ds, writer_);
  if (needsUtf8(metadata_)) dicom::useUtf8(*ds, metadata_.sourceFile);

  // SOP Common, General Series, Segmentation Series, equipment.
  dicom::writeSopCommon(*ds, labelmap ? kLabelMapSegmentationStorage : kSegmentationStorage, sopInstanceUID_, writer_);
  const std::string& json = metadata_.sourceFile;
  dicom::writeGeneralSeries(*ds, "SEG", seriesInstanceUID_, writer_);
  // Series Number, Series Description, Body Part Examined (when empty, the
  // source's) and the Clinical Trial Series attributes, as dcmqi writes them.
  SeriesAttributes attributes = metadata_;
  if (attributes.bodyPartExamined.empty()) attributes.bodyPartExamined = context.bodyPartExamined;
  const iod::SeriesProfile& profile = iod::segmentationProfile();
  iod::writeDicom(*ds, attributes, profile, writer_, json, iod::Level::Series);
  dicom::writeEquipment(*ds, writer_);

  // General Image (Instance Number, Content Identification) and Image Pixel.
  writer_.put(*ds, DCM_ImageType, "DERIVED\\PRIMARY");
  iod::writeDicom(*ds, attributes, profile, writer_, json, iod::Level::Instance);
  writer_.put(*ds, DCM_PatientOrientation, "");
  dicom::writeContentDateTime(*ds, writer_);
  const Grid& grid = grids_.front();
  writer_.putUint16(*ds, DCM_SamplesPerPixel, 1);
  writer_.put(*ds, DCM_PhotometricInterpretation, palette ? "PALETTE COLOR" : "MONOCHROME2");
  writer_.putUint16(*ds, DCM_Rows, static_cast<Uint16>(grid.rows()));
  writer_.putUint16(*ds, DCM_Columns, static_cast<Uint16>(grid.columns()));
  writer_.putUint16(*ds, DCM_BitsAllocated, static_cast<Uint16>(plan_.bitsAllocated));
  writer_.putUint16(*ds, DCM_BitsStored, static_cast<Uint16>(plan_.bitsAllocated));
  writer_.putUint16(*ds, DCM_HighBit, static_cast<Uint16>(plan_.bitsAllocated - 1));
  writer_.putUint16(*ds, DCM_PixelRepresentation, 0);
  writer_.put(*ds, DCM_LossyImageCompression, "00");
  writer_.put(*ds, DCM_NumberOfFrames, std::to_string(plan_.frames.size()));
  if (labelmap && plan_.labelmapBackground) writer_.putUint16(*ds, DCM_PixelPaddingValue, 0);
  if (palette) writePalette(*ds);

  writeSegmentationImage(*ds);

  // Multi-frame Dimension.
  if (labelmap) {
    dicom::writeDimensions(*ds,
                           {{DCM_StackID, DCM_FrameContentSequence, "Stack ID"},
                            {DCM_InStackPositionNumber, DCM_FrameContentSequence, "In-Stack Position Number"}},
                           writer_);
  } else {
    dicom::writeDimensions(*ds,
                           {{DCM_ReferencedSegmentNumber, DCM_SegmentIdentificationSequence, "ReferencedSegmentNumber"},
                            {DCM_ImagePositionPatient, DCM_PlanePositionSequence, "ImagePositionPatient"}},
                           writer_);
  }

  writeSharedGroups(*ds);
  context_.writeCommonInstanceReference(*ds, context.studyInstanceUID, writer_);
  return ds;
}

void Document::writeSegmentationImage(DcmDataset& ds) const {
  const std::string& json = metadata_.sourceFile;
  const bool colour = !(plan_.type == SegmentationType::Labelmap && options_.palette);
  writer_.put(ds, DCM_SegmentationType, toString(plan_.type));
  if (plan_.type == SegmentationType::Fractional) {
    writer_.put(ds, DCM_SegmentationFractionalType, toString(options_.fractionalType));
    writer_.putUint16(ds, DCM_MaximumFractionalValue, 255);
  }
  writer_.put(ds, DCM_SegmentsOverlap, toString(plan_.overlap));
  if (plan_.type == SegmentationType::Labelmap && plan_.labelmapBackground)
    writeSegmentItem(dicom::appendItem(ds, DCM_SegmentSequence), 0, backgroundSegment(), colour, writer_, {});
  for (const auto& s : plan_.segments) {
    const dicom::Origin origin{json, "segmentAttributes[" + std::to_string(s.file) + "] labelID " +
                                         std::to_string(s.label)};
    writeSegmentItem(dicom::appendItem(ds, DCM_SegmentSequence), s.number, s.description, colour, writer_, origin);
  }
}

void Document::writePalette(DcmDataset& ds) const {
  // Palette Color Lookup Table: entry v is the colour of Segment v (black for
  // the background and for values no segment uses). One more entry, for a
  // value no pixel has, is white: validators take a 16-bit table whose
  // channel never reaches half scale for 8-bit data stored in 16 bits.
  std::uint32_t entries = 1;
  for (const auto& s : plan_.segments) entries = std::max<std::uint32_t>(entries, s.number + 1u);
  if (entries < 65536) ++entries;
  std::vector<Uint16> red(entries, 0), green(entries, 0), blue(entries, 0);
  red.back() = green.back() = blue.back() = 0xFFFF;
  for (const auto& s : plan_.segments) {
    const RGB rgb = labToRgb(s.description.effectiveLab());
    red[s.number] = static_cast<Uint16>(rgb[0] * 257);
    green[s.number] = static_cast<Uint16>(rgb[1] * 257);
    blue[s.number] = static_cast<Uint16>(rgb[2] * 257);
  }
  // Descriptor: number of entries (0 means 65536), first value mapped, bits per entry.
  const Uint16 count = entries >= 65536 ? 0 : static_cast<Uint16>(entries);
  const struct {
    DcmTagKey descriptor, data;
    const std::vector<Uint16>& values;
  } tables[] = {{DCM_RedPaletteColorLookupTableDescriptor, DCM_RedPaletteColorLookupTableData, red},
                {DCM_GreenPaletteColorLookupTableDescriptor, DCM_GreenPaletteColorLookupTableData, green},
                {DCM_BluePaletteColorLookupTableDescriptor, DCM_BluePaletteColorLookupTableData, blue}};
  for (const auto& t : tables) {
    writer_.putUint16Array(ds, t.descriptor, {count, 0, 16});
    auto* data = new DcmOtherByteOtherWord(DcmTag(t.data, EVR_OW));
    data->putUint16Array(t.values.data(), static_cast<unsigned long>(t.values.size()));
    ds.insert(data, OFTrue);
  }
  const std::vector<std::uint8_t> profile = dicom::srgbIccProfile();
  ds.putAndInsertUint8Array(DCM_ICCProfile, profile.data(), static_cast<unsigned long>(profile.size()));
  writer_.put(ds, DCM_ColorSpace, "SRGB");
}

void Document::writeSharedGroups(DcmDataset& ds) const {
  DcmItem& shared = dicom::appendItem(ds, DCM_SharedFunctionalGroupsSequence);
  const Grid& grid = grids_.front();
  dicom::writePixelMeasures(shared, grid, writer_);
  dicom::writePlaneOrientation(shared, grid, writer_);
  context_.writeSharedReferences(shared, writer_);
}

void Document::fillPerFrame(std::size_t index, DcmItem& item) const {
  const PlannedFrame& frame = plan_.frames[index];
  const Vec3 position = grids_[frame.file].slicePosition(frame.slice);
  if (plan_.type == SegmentationType::Labelmap) {
    dicom::writeFrameContent(item, {1u, frame.position}, writer_, "1", frame.position);
  } else {
    const PlannedSegment& seg = plan_.segments[frame.segment];
    dicom::writeFrameContent(item, {seg.number, frame.position}, writer_);
  }
  dicom::writePlanePosition(item, position, writer_);
  if (plan_.type != SegmentationType::Labelmap)
    writer_.putUint16(dicom::appendItem(item, DCM_SegmentIdentificationSequence), DCM_ReferencedSegmentNumber,
                      plan_.segments[frame.segment].number);
  context_.writeFrameReferences(frame, position, item, writer_);
}

WriteSummary writeDocument(const Plan& plan, const std::vector<Grid>& grids, const std::vector<LabelImage>& images,
                           const Metadata& metadata, const DocumentContext& context, const std::string& outputPath,
                           const WriterOptions& options) {
  OutputTransaction output;
  const std::string staged = output.stage(outputPath);
  Document document(plan, grids, metadata, context, options);
  const std::unique_ptr<FramePacker> encoder = strategyFor(plan.type).packer(plan, images);
  {
    log::PhaseTimer timer("write document and frames");
    std::unique_ptr<DcmDataset> head = document.head();
    dicom::FramePixels pixels;
    pixels.format.rows = images.front().volume.grid.rows();
    pixels.format.columns = images.front().volume.grid.columns();
    pixels.format.bitsAllocated = plan.bitsAllocated;
    pixels.frames = plan.frames.size();
    pixels.nativeLength = encoder->pixelDataLength();
    pixels.frame = [&](std::size_t f, std::vector<std::uint8_t>& out) { encoder->frame(f, out); };
    pixels.stream = [&](dicom::ByteSink& sink) { encoder->encode(sink); };
    dicom::writeMultiFrame(
        staged, *head, options.compression,
        [&](std::size_t f, DcmItem& item) { document.fillPerFrame(f, item); }, pixels);
  }
  WriteSummary summary;
  struct stat st;
  if (stat(staged.c_str(), &st) == 0) summary.bytes = static_cast<std::uint64_t>(st.st_size);
  output.commit();
  summary.sopInstanceUID = document.sopInstanceUID();
  summary.seriesInstanceUID = document.seriesInstanceUID();
  summary.segments = plan.segments.size();
  summary.frames = plan.frames.size();
  summary.referencedInstances = context.referencedInstances();
  summary.overlap = plan.overlap;
  return summary;
}

}  // namespace qidcm::seg
