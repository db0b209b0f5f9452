// qidcm-synth: writes a synthetic CT series, a label image and metadata JSON.
#include <cstdio>

#include "common/app.h"
#include "qidcm/error.h"
#include "synth/synth.h"

using namespace qidcm;

int main(int argc, char** argv) {
  synth::Options o;
  std::vector<double> spacing;
  std::vector<std::size_t> crop;
  std::string orientation = "axial", labelType = "uint8";
  bool noSeries = false, probabilityMaps = false;

  const app::Description description{
      "qidcm-synth",
      "Generate a synthetic CT-like DICOM series, a matching label image with ellipsoid segments and dcmqi-style "
      "metadata JSON (the inputs of the qidcm demo, tests and benchmarks).",
      "  qidcm-synth --outputDirectory /tmp/case --segments 5\n"
      "  qidcm-synth --outputDirectory /tmp/oblique --orientation oblique-negated --format nii.gz\n"
      "  qidcm-synth --outputDirectory /tmp/total --columns 512 --rows 512 --slices 600 \\\n"
      "      --spacing 0.8,0.8,1.5 --segments 117 --minSegmentSlices 10 --maxSegmentSlices 400\n"};

  return app::run(
      description, argc, argv,
      [&](CLI::App& a) {
        a.add_option("--outputDirectory", o.outputDirectory, "Directory for ct/, label.<format>, meta.json")
            ->required();
        a.add_option("--columns", o.columns, "Columns (default 128)");
        a.add_option("--rows", o.rows, "Rows (default 128)");
        a.add_option("--slices", o.slices, "Slices (default 40)");
        a.add_option("--spacing", spacing, "Column, row and slice spacing in mm (default 0.8,0.8,1.5)")
            ->delimiter(',')
            ->expected(3);
        a.add_option("--orientation", orientation, "axial, negated, oblique or oblique-negated")
            ->check(CLI::IsMember({"axial", "negated", "oblique", "oblique-negated"}));
        a.add_option("--segments", o.segments, "Number of ellipsoid segments (default 5)");
        a.add_option("--minSegmentSlices", o.minSegmentSlices, "Smallest segment extent in slices");
        a.add_option("--maxSegmentSlices", o.maxSegmentSlices, "Largest segment extent in slices");
        a.add_flag("--logUniformExtents", o.logUniformExtents,
                   "Draw segment extents log-uniformly between the smallest and largest (as in whole-body "
                   "segmentations)");
        a.add_option("--maxSegmentRadius", o.maxSegmentRadius,
                     "Largest in-plane segment half-axis in voxels (default: a third of the body)");
        a.add_option("--format", o.labelFormat, "Label image format: nrrd, nii, nii.gz, mha, mhd")
            ->check(CLI::IsMember({"nrrd", "nii", "nii.gz", "mha", "mhd"}));
        a.add_option("--labelType", labelType, "Label voxel type: uint8, int16, uint16, int32")
            ->check(CLI::IsMember({"uint8", "int16", "uint16", "int32"}));
        a.add_option("--crop", crop, "Crop the label image: i,j,k of the first voxel then its size i,j,k")
            ->delimiter(',')
            ->expected(6);
        a.add_option("--seed", o.seed, "Random seed (default 1)");
        a.add_option("--patientID", o.patientID, "Patient ID of the series");
        a.add_flag("--noSeries", noSeries, "Do not write the DICOM series");
        a.add_flag("--probabilityMaps", probabilityMaps,
                   "Also write prob.nii.gz, a 4-D float32 image with one probability map per segment");
        a.add_option("--probabilitySegments", o.probabilitySegments,
                     "With --probabilityMaps: maps for the first N segments only (a 3-D image when N is 1)");
        a.add_flag("--parametricMap", o.parametricMap,
                   "Also write pmap.nrrd, a float32 ADC-like map on the series grid, and pm-meta.json");
      },
      [&] {
        if (!spacing.empty()) o.spacing = {spacing[0], spacing[1], spacing[2]};
        if (orientation == "negated") o.orientation = synth::Orientation::Negated;
        if (orientation == "oblique") o.orientation = synth::Orientation::Oblique;
        if (orientation == "oblique-negated") o.orientation = synth::Orientation::ObliqueNegated;
        if (labelType == "int16") o.labelType = PixelType::Int16;
        if (labelType == "uint16") o.labelType = PixelType::UInt16;
        if (labelType == "int32") o.labelType = PixelType::Int32;
        if (!crop.empty()) {
          o.crop = true;
          o.cropStart = {crop[0], crop[1], crop[2]};
          o.cropSize = {crop[3], crop[4], crop[5]};
        }
        o.writeSeries = !noSeries;
        o.probabilityMaps = probabilityMaps;
        const synth::Outputs out = synth::generate(o);
        std::printf("series:    %s (%zu x %zu x %zu)\n", out.seriesDirectory.c_str(), o.columns, o.rows, o.slices);
        std::printf("labels:    %s (%zu segments, %llu non-empty segment-slice pairs)\n", out.labelPath.c_str(),
                    out.segments, static_cast<unsigned long long>(out.segmentSlicePairs));
        std::printf("metadata:  %s\n", out.metadataPath.c_str());
        if (!out.parametricMapPath.empty())
          std::printf("parametric map: %s, %s\n", out.parametricMapPath.c_str(),
                      out.parametricMapMetadataPath.c_str());
        if (!out.probabilityPath.empty()) std::printf("probabilities: %s\n", out.probabilityPath.c_str());
      });
}
