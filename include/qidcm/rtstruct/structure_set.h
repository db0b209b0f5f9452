#pragma once
// RT Structure Set reading: the ROIs, their contours in patient coordinates,
// and the image series they were drawn on (PS3.3 A.19, C.8.8.5 - C.8.8.8).
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "qidcm/geometry.h"

namespace qidcm::rtstruct {

// Contour Geometric Type (3006,0042).
enum class ContourType { ClosedPlanar, ClosedPlanarXor, Point, OpenPlanar, OpenNonplanar, Unknown };

struct Contour {
  ContourType type = ContourType::Unknown;
  std::string typeText;                  // as the file has it
  std::vector<Vec3> points;              // Contour Data, mm, patient coordinates (LPS)
  std::vector<std::string> images;       // Contour Image Sequence: Referenced SOP Instance UIDs
  std::vector<unsigned> imageFrames;     // their Referenced Frame Numbers (0: none)
};

struct Roi {
  int number = 0;                        // ROI Number (3006,0022)
  std::string name;                      // ROI Name (3006,0026)
  std::string description;               // ROI Description (3006,0028)
  std::string frameOfReferenceUID;       // Referenced Frame of Reference UID (3006,0024)
  std::string generationAlgorithm;       // ROI Generation Algorithm (3006,0036)
  std::string generationDescription;     // ROI Generation Description (3006,0038)
  std::string interpretedType;           // RT ROI Interpreted Type (3006,00A4), from RT ROI Observations
  std::optional<std::array<int, 3>> displayColor;  // ROI Display Color (3006,002A), RGB 0..255
  std::vector<Contour> contours;         // empty: the ROI has no contour
};

struct StructureSet {
  std::string path;
  std::string sopInstanceUID, studyInstanceUID, seriesInstanceUID;
  std::string patientID;
  // Referenced Frame of Reference Sequence > RT Referenced Study > RT
  // Referenced Series: the image series the contours were drawn on.
  std::vector<std::string> referencedSeriesUIDs;
  std::vector<std::string> referencedFramesOfReference;
  std::vector<Roi> rois;                 // in Structure Set ROI Sequence order
};

// Reads `path`. Throws Error (Input) naming the file and the attribute for
// what makes it unusable: another SOP Class (a SEG, ...), no ROI Contour
// Sequence, a contour whose Contour Data is not x\y\z triplets or does not
// hold Number of Contour Points of them, a closed contour of fewer than 3
// points. Values other writers get wrong but that do not change the shape
// are kept, with a warning.
StructureSet readStructureSet(const std::string& path);

// The same, one ROI at a time: the constructor reads everything but the
// contours (header(): the ROIs with empty contour lists) and refuses what
// readStructureSet refuses about the file; contours(n) parses ROI n's
// contours (refusing bad ones as readStructureSet does) and releases the
// file's copy of their text, so that a whole-body structure set is never in
// memory at once.
class StructureSetReader {
 public:
  explicit StructureSetReader(const std::string& path);
  ~StructureSetReader();
  StructureSetReader(const StructureSetReader&) = delete;
  StructureSetReader& operator=(const StructureSetReader&) = delete;

  const StructureSet& header() const;
  std::vector<Contour> contours(std::size_t roiIndex);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

const char* toString(ContourType type);

}  // namespace qidcm::rtstruct
