#include "seg/document.h"

#include <dcmtk/dcmdata/dcdeftag.h>

#include <set>

#include "dicom/modules.h"
#include "qidcm/error.h"
#include "qidcm/log.h"
#include "qidcm/uid.h"
#include "seg/segment.h"

namespace qidcm::seg {
namespace {
const std::vector<SourceReference> kNoReferences;
}

Document::Document(const Plan& plan, const std::vector<LabelImage>& images, const Metadata& metadata,
                   const SourceIndex& sources, const std::vector<SliceMatch>& matches, const WriterOptions& options)
    : plan_(plan),
      images_(images),
      metadata_(metadata),
      sources_(sources),
      matches_(matches),
      options_(options),
      writer_(options.checkValues),
      derivation_{codes::segmentationDerivation(), "", codes::sourceImagePurpose()},
      primaryInstance_(0),
      sopInstanceUID_(newUid()),
      seriesInstanceUID_(newUid()) {
  std::set<std::size_t> referenced;
  if (options.referencesGeometryCheck) {
    bool primaryFound = false;
    for (const auto& m : matches_)
      if (m.any() && !primaryFound) {
        primaryInstance_ = m.primaryInstance;
        primaryFound = true;
      }
    for (const auto& frame : plan_.frames)
      for (const auto& ref : referencesOf(frame)) referenced.insert(ref.instance);
  } else {
    for (std::size_t i = 0; i < sources_.instances().size(); ++i) referenced.insert(i);
  }
  referenced_.assign(referenced.begin(), referenced.end());
}

const std::vector<SourceReference>& Document::referencesOf(const PlannedFrame& frame) const {
  if (!options_.referencesGeometryCheck || frame.file >= matches_.size()) return kNoReferences;
  const auto& perSlice = matches_[frame.file].perSlice;
  return frame.slice < perSlice.size() ? perSlice[frame.slice] : kNoReferences;
}

std::unique_ptr<DcmDataset> Document::head() const {
  auto ds = std::make_unique<DcmDataset>();
  const SourceInstance& primary = sources_.instances()[primaryInstance_];
  const bool labelmap = plan_.type == SegmentationType::Labelmap;

  // Patient, study and frame of reference, from the matched series.
  const dicom::SourceContext context = dicom::copyPatientStudyContext(*ds, primary.path, writer_, true);
  if (!context.frameOfReference) {
    log::warning(primary.path + ": source has no Frame of Reference UID; a new one is generated");
    writer_.put(*ds, DCM_FrameOfReferenceUID, newUid());
    writer_.put(*ds, DCM_PositionReferenceIndicator, "");
  }

  // SOP Common, General Series, Segmentation Series, equipment.
  dicom::writeSopCommon(*ds, labelmap ? kLabelMapSegmentationStorage : kSegmentationStorage, sopInstanceUID_, writer_);
  const std::string& json = metadata_.sourceFile;
  dicom::SeriesAttributes series;
  series.modality = "SEG";
  series.seriesDescription = metadata_.seriesDescription;
  series.seriesNumber = metadata_.seriesNumber;
  series.bodyPartExamined = metadata_.bodyPartExamined.empty() ? context.bodyPartExamined : metadata_.bodyPartExamined;
  series.seriesInstanceUID = seriesInstanceUID_;
  dicom::writeGeneralSeries(*ds, series, writer_);
  dicom::writeEquipment(*ds, writer_);

  // Clinical Trial Series and Study attributes, as dcmqi writes them.
  writer_.put(*ds, DCM_ClinicalTrialCoordinatingCenterName, metadata_.clinicalTrialCoordinatingCenterName,
              json + " ClinicalTrialCoordinatingCenterName");
  writer_.put(*ds, DCM_ClinicalTrialSeriesID, metadata_.clinicalTrialSeriesID, json + " ClinicalTrialSeriesID");
  writer_.put(*ds, DCM_ClinicalTrialTimePointID, metadata_.clinicalTrialTimePointID,
              json + " ClinicalTrialTimePointID");

  // General Image and Image Pixel.
  writer_.put(*ds, DCM_ImageType, "DERIVED\\PRIMARY");
  writer_.put(*ds, DCM_InstanceNumber, metadata_.instanceNumber, json + " InstanceNumber");
  writer_.put(*ds, DCM_PatientOrientation, "");
  dicom::writeContentDateTime(*ds, writer_);
  const Grid& grid = images_.front().volume.grid;
  writer_.putUint16(*ds, DCM_SamplesPerPixel, 1);
  writer_.put(*ds, DCM_PhotometricInterpretation, "MONOCHROME2");
  writer_.putUint16(*ds, DCM_Rows, static_cast<Uint16>(grid.rows()));
  writer_.putUint16(*ds, DCM_Columns, static_cast<Uint16>(grid.columns()));
  writer_.putUint16(*ds, DCM_BitsAllocated, static_cast<Uint16>(plan_.bitsAllocated));
  writer_.putUint16(*ds, DCM_BitsStored, static_cast<Uint16>(plan_.bitsAllocated));
  writer_.putUint16(*ds, DCM_HighBit, static_cast<Uint16>(plan_.bitsAllocated - 1));
  writer_.putUint16(*ds, DCM_PixelRepresentation, 0);
  writer_.put(*ds, DCM_LossyImageCompression, "00");
  writer_.put(*ds, DCM_NumberOfFrames, std::to_string(plan_.frames.size()));
  if (labelmap && plan_.labelmapBackground) writer_.putUint16(*ds, DCM_PixelPaddingValue, 0);

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

  if (!referenced_.empty())
    dicom::writeCommonInstanceReference(*ds, referenced_, sources_, context.studyInstanceUID, writer_);
  return ds;
}

void Document::writeSegmentationImage(DcmDataset& ds) const {
  const std::string& json = metadata_.sourceFile;
  writer_.put(ds, DCM_SegmentationType, toString(plan_.type));
  if (plan_.type == SegmentationType::Fractional) {
    writer_.put(ds, DCM_SegmentationFractionalType, toString(options_.fractionalType));
    writer_.putUint16(ds, DCM_MaximumFractionalValue, 255);
  }
  writer_.put(ds, DCM_SegmentsOverlap, toString(plan_.overlap));
  writer_.put(ds, DCM_ContentLabel, metadata_.contentLabel, json + " ContentLabel");
  writer_.put(ds, DCM_ContentDescription, metadata_.contentDescription, json + " ContentDescription");
  writer_.put(ds, DCM_ContentCreatorName, metadata_.contentCreatorName, json + " ContentCreatorName");
  if (plan_.type == SegmentationType::Labelmap && plan_.labelmapBackground)
    writeSegmentItem(dicom::appendItem(ds, DCM_SegmentSequence), 0, backgroundSegment(), true, writer_, "");
  for (const auto& s : plan_.segments) {
    const std::string origin = json + " segmentAttributes[" + std::to_string(s.file) + "] labelID " +
                               std::to_string(s.label);
    writeSegmentItem(dicom::appendItem(ds, DCM_SegmentSequence), s.number, s.description, true, writer_, origin);
  }
}

void Document::writeSharedGroups(DcmDataset& ds) const {
  DcmItem& shared = dicom::appendItem(ds, DCM_SharedFunctionalGroupsSequence);
  const Grid& grid = images_.front().volume.grid;
  dicom::writePixelMeasures(shared, grid, writer_);
  dicom::writePlaneOrientation(shared, grid, writer_);
  if (!options_.referencesGeometryCheck && !referenced_.empty()) {
    std::vector<SourceReference> all;
    for (std::size_t i : referenced_) {
      const SourceInstance& src = sources_.instances()[i];
      if (src.multiFrame) {
        for (const auto& f : src.frames) all.push_back({i, f.frameNumber});
      } else {
        all.push_back({i, 0});
      }
    }
    dicom::writeDerivationImage(shared, all, sources_, derivation_, writer_);
  }
}

void Document::fillPerFrame(std::size_t index, DcmItem& item) const {
  const PlannedFrame& frame = plan_.frames[index];
  const Grid& grid = images_[frame.file].volume.grid;
  if (plan_.type == SegmentationType::Labelmap) {
    dicom::writeFrameContent(item, {1u, frame.position}, writer_, "1", frame.position);
  } else {
    const PlannedSegment& seg = plan_.segments[frame.segment];
    dicom::writeFrameContent(item, {seg.number, frame.position}, writer_);
  }
  dicom::writePlanePosition(item, grid.slicePosition(frame.slice), writer_);
  if (plan_.type != SegmentationType::Labelmap)
    writer_.putUint16(dicom::appendItem(item, DCM_SegmentIdentificationSequence), DCM_ReferencedSegmentNumber,
                      plan_.segments[frame.segment].number);
  const auto& refs = referencesOf(frame);
  if (!refs.empty()) dicom::writeDerivationImage(item, refs, sources_, derivation_, writer_);
}

}  // namespace qidcm::seg
