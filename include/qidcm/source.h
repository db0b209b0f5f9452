#pragma once
// Source series: the DICOM images a derived object (SEG, PM) refers to.
// Scanning reads headers only, never pixel data; instances are indexed by
// series with the plane geometry of each of their frames, so that the slices
// of a research image can be matched to the images they were derived from.
#include <cstddef>
#include <string>
#include <vector>

#include "qidcm/geometry.h"
#include "qidcm/volume.h"

namespace qidcm {

// A composite instance an object was derived from besides its source images
// (an RT Structure Set for rtstruct2segimage): referenced in each Derivation
// Image item and in the Common Instance Reference module.
struct InstanceReference {
  std::string sopClassUID;
  std::string sopInstanceUID;
  std::string seriesInstanceUID;
  std::string studyInstanceUID;
};

struct SourceFrame {
  Vec3 position{0, 0, 0};        // Image Position (Patient)
  std::size_t frameNumber = 0;   // 1-based in a multi-frame instance; 0 for single-frame
};

struct SourceInstance {
  std::string path;
  std::string sopClassUID;
  std::string sopInstanceUID;
  std::string seriesInstanceUID;
  std::string studyInstanceUID;
  std::string frameOfReferenceUID;
  std::string patientID;
  std::string patientName;
  std::string modality;
  unsigned rows = 0;
  unsigned columns = 0;
  double rowSpacing = 0;     // Pixel Spacing [0]: between rows
  double columnSpacing = 0;  // Pixel Spacing [1]: between columns
  Vec3 rowCosine{0, 0, 0};
  Vec3 columnCosine{0, 0, 0};
  bool hasGeometry = false;  // orientation, spacing and a position for every frame
  bool multiFrame = false;   // an enhanced (functional-group) multi-frame image
  std::vector<SourceFrame> frames;
};

class SourceIndex {
 public:
  // Scans the listed files and, recursively, the directories, in parallel.
  // Files that are not DICOM, DICOMDIRs and non-image objects (SR, SEG, ...)
  // are skipped; duplicate SOP Instance UIDs are kept once. Throws Error
  // (Input) when nothing usable is found, naming what was scanned.
  static SourceIndex scan(const std::vector<std::string>& files, const std::vector<std::string>& directories);
  // Every DICOM instance under the directories, whatever its SOP class and
  // whether or not it has plane geometry (`frames` may be empty), sorted by
  // path; no error when there is none. For looking instances up by UID.
  static SourceIndex scanInstances(const std::vector<std::string>& directories);

  // The instances of one series (order kept); empty when it is not there.
  SourceIndex series(const std::string& seriesInstanceUID) const;

  // The instance with this SOP Instance UID, or nullptr.
  const SourceInstance* find(const std::string& sopInstanceUID) const;

  const std::vector<SourceInstance>& instances() const { return instances_; }
  bool empty() const { return instances_.empty(); }

  // Throws Error (Input) when the instances belong to more than one patient.
  void requireSinglePatient() const;
  // Throws Error (Input) when the images of one series lie in more than one
  // frame of reference.
  void requireConsistentSeries() const;

 private:
  std::vector<SourceInstance> instances_;  // sorted by series, then position
};

// The regular grid of a source series (its images' planes, sorted along the
// slice normal): what a program builds a label volume on. With an empty UID,
// the series with the most frames. Throws Error (Input) when the series is
// missing or its planes do not lie on one regular grid.
Grid seriesGrid(const SourceIndex& index, const std::string& seriesInstanceUID = {});

// The pixels of one series, decoded from any transfer syntax into modality
// values (Rescale Slope and Intercept applied; colour averaged to grey) as
// float32 on `grid` (from seriesGrid). Slices without an image stay 0 (warned);
// of two images on one slice the first (in the index's order) is drawn.
struct SeriesPixels {
  Volume volume;
  std::string modality;
  std::string units;                            // Rescale Type, "HU" for CT, else Units (PET)
  double windowCenter = 0, windowWidth = 0;     // the first image's window; width 0: none
  std::size_t placedSlices = 0;
  std::vector<std::string> sliceInstances;      // SOP Instance UID of each slice's image ("" when none)
  std::vector<std::string> warnings;            // slices without an image, images on a slice twice (also logged)
};
// With `modalityValues` false, the stored values (for a Real World Value
// Mapping, which maps stored values).
SeriesPixels readSeriesPixels(const SourceIndex& index, const std::string& seriesInstanceUID, const Grid& grid,
                              bool modalityValues = true);

// A source image (and frame) that a slice of the research image lies on.
struct SourceReference {
  std::size_t instance = 0;     // index into SourceIndex::instances()
  std::size_t frameNumber = 0;  // 0 for single-frame instances
  bool operator==(const SourceReference& o) const { return instance == o.instance && frameNumber == o.frameNumber; }
};

struct SliceMatch {
  // For every slice k of the grid, the source frames lying in that plane.
  std::vector<std::vector<SourceReference>> perSlice;
  // The series with the most matched slices: patient, study and frame of
  // reference are taken from it. Index of one of its instances, or npos.
  std::size_t primaryInstance = static_cast<std::size_t>(-1);
  std::size_t matchedSlices = 0;
  bool any() const { return matchedSlices > 0; }
};

// Matches each slice of `grid` to the source frames whose plane is parallel to
// it and within `toleranceFraction` x slice spacing of it, and whose in-plane
// extent overlaps the slice (so a grid cropped to a sub-region still matches).
// Only sources in the primary series' frame of reference are kept.
SliceMatch matchSlices(const Grid& grid, const SourceIndex& index, double toleranceFraction = 0.1);

// A one-line description of why nothing matched (closest plane distance and
// orientation), for error messages.
std::string describeMismatch(const Grid& grid, const SourceIndex& index, double toleranceFraction = 0.1);

}  // namespace qidcm
