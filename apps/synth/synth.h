#pragma once
// Synthetic test data (the qidcm_synth library of the tools and tests, not
// part of the installed libqidcm): a CT-like DICOM series, a matching label image with
// ellipsoid segments, and dcmqi-style metadata JSON. The demo, the tests and
// the benchmarks all generate their inputs with this.
#include <cstdint>
#include <string>

#include "qidcm/geometry.h"
#include "qidcm/volume.h"

namespace qidcm::synth {

enum class Orientation {
  Axial,           // row (1,0,0), column (0,1,0), slices along +z
  Negated,         // row (-1,0,0), column (0,-1,0), slices stored along -z
  Oblique,         // axial rotated 20 degrees about x and 15 about z
  ObliqueNegated,  // oblique with negated cosines and reversed slice order
};

struct Options {
  std::string outputDirectory;
  std::size_t columns = 128, rows = 128, slices = 40;
  Vec3 spacing{0.8, 0.8, 1.5};
  Orientation orientation = Orientation::Axial;
  std::size_t segments = 5;
  // Ellipsoid half-lengths across slices are drawn from [minSlices, maxSlices]/2.
  std::size_t minSegmentSlices = 3, maxSegmentSlices = 0;  // 0: up to half the slices
  // Draw extents log-uniformly (many small segments, a few large ones, as in
  // whole-body segmentations) instead of uniformly.
  bool logUniformExtents = false;
  // Largest in-plane half-axis in voxels; 0: a third of the body's radius.
  double maxSegmentRadius = 0;
  std::string labelFormat = "nrrd";  // nrrd, nii, nii.gz, mha, mhd
  PixelType labelType = PixelType::UInt8;
  std::uint32_t seed = 1;
  // Optional crop of the label image: first index and size, in voxels.
  bool crop = false;
  std::array<std::size_t, 3> cropStart{0, 0, 0}, cropSize{0, 0, 0};
  bool writeSeries = true;
  // Also write prob.nii.gz: a 4-D float32 image, one probability map per segment.
  bool probabilityMaps = false;
  std::size_t probabilitySegments = 0;  // maps for the first N segments only; 0: all
  // Also write pmap.nrrd, a float32 ADC-like parametric map on the series
  // grid, and pm-meta.json, its dcmqi-style metadata.
  bool parametricMap = false;
  std::string patientID = "QIDCM-SYNTH-001";
  std::string patientName = "Synthetic^Patient";
};

struct Outputs {
  std::string seriesDirectory;
  std::string labelPath;
  std::string metadataPath;
  std::string probabilityPath;  // when probabilityMaps
  std::string parametricMapPath, parametricMapMetadataPath;  // when parametricMap
  Grid seriesGrid;
  Grid labelGrid;
  std::size_t segments = 0;
  std::uint64_t segmentSlicePairs = 0;  // non-empty (segment, slice) pairs in the label image
};

Outputs generate(const Options& options);

// The grid of the CT series for these options.
Grid seriesGrid(const Options& options);

}  // namespace qidcm::synth
