#pragma once
// SEG metadata: the typed form of dcmqi's segmentation JSON. The writer takes
// it as input and the reader produces it, so the two directions share one
// mapping to and from JSON.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "qidcm/codes.h"
#include "qidcm/seg/enums.h"
#include "qidcm/series.h"

namespace qidcm::seg {

// One segment: what the Segment Sequence item says about it.
struct SegmentDescription {
  // Writer: the voxel value of the segment in its label image (the Segment
  // Number too with useLabelIDAsSegmentNumber; otherwise segments are
  // numbered 1, 2, ... in order). Reader: the Segment Number, which is also
  // the voxel value in the image it returns.
  std::uint64_t labelID = 0;
  std::string label;          // Segment Label
  std::string description;    // Segment Description
  Code category;              // Segmented Property Category
  Code type;                  // Segmented Property Type
  std::optional<Code> typeModifier;
  std::optional<Code> anatomicRegion;
  std::optional<Code> anatomicRegionModifier;
  SegmentAlgorithmType algorithmType = SegmentAlgorithmType::Semiautomatic;
  std::string algorithmName;
  std::optional<RGB> rgb;      // recommendedDisplayRGBValue
  std::optional<CIELab> lab;   // RecommendedDisplayCIELabValue (wins over rgb)
  std::string trackingID;
  std::string trackingUID;
  // Provenance for a curator, in the JSON only (rtstruct2segimage's meta.json;
  // never written to DICOM): the ROI, its RT ROI Interpreted Type, and why
  // the property codes need a look (empty when they are the standard's).
  std::optional<int> roiNumber;
  std::string interpretedType;
  std::string codingNote;

  // The label written to DICOM: SegmentLabel, else the description, else the
  // type's meaning (dcmqi's fallback order).
  std::string effectiveLabel() const;
  // The colour written to DICOM: the CIELab given, else the RGB converted,
  // else dcmqi's default colour.
  CIELab effectiveLab() const;
};

// The series attributes (qidcm/series.h): a SEG has all of them.
struct Metadata : SeriesAttributes {
  Metadata() {
    contentCreatorName = "Reader1";
    clinicalTrialSeriesID = "Session1";
    clinicalTrialTimePointID = "1";
    seriesDescription = "Segmentation";
    seriesNumber = "300";
    instanceNumber = "1";
    contentLabel = "SEGMENTATION";
    contentDescription = "Image segmentation";
  }
  std::optional<SegmentationType> segmentationType;  // non-dcmqi key some pipelines write
  std::vector<std::string> segmentAttributesFileMapping;
  // Outer index: input file (or output image for the reader); inner: segments.
  std::vector<std::vector<SegmentDescription>> segmentAttributes;

  // Where the metadata came from, for messages (not part of the JSON).
  std::string sourceFile;
};

// Validates against seg-schema.json, then maps to the struct. `file` names
// the source in error messages.
Metadata parseMetadata(const nlohmann::json& document, const std::string& file);
Metadata readMetadataFile(const std::string& path);

// The JSON form, as segimage2itkimage writes it (keys in alphabetical order,
// as dcmqi's writer produces them).
nlohmann::json toJson(const Metadata& metadata);

}  // namespace qidcm::seg
