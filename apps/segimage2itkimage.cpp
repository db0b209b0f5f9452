// segimage2itkimage: DICOM SEG -> label image(s) + JSON metadata.
#include <cstdio>

#include "common/app.h"
#include "qidcm/log.h"
#include "qidcm/seg/reader.h"

using namespace qidcm;

int main(int argc, char** argv) {
  std::string input, outputDirectory, prefix, outputType = "nrrd", referenceDirectory;
  bool merge = false, verbose = false, probability = false;

  const app::Description description{
      "segimage2itkimage",
      "Convert a DICOM Segmentation (BINARY, FRACTIONAL or LABELMAP; any common transfer syntax) into label "
      "image(s) and dcmqi-style JSON metadata.",
      "  segimage2itkimage --inputDICOM liver.seg.dcm --outputDirectory out/\n"
      "      -> out/1.nrrd (pixel value = Segment Number), out/meta.json\n"
      "  segimage2itkimage --inputDICOM total.seg.dcm --outputDirectory out/ -p total -t nifti --mergeSegments\n"
      "      -> out/total-1.nii.gz ... (non-overlapping segments share an image), out/total-meta.json\n"
      "  segimage2itkimage --inputDICOM seg.dcm --outputDirectory out/ --referenceDICOMDirectory ct/\n"
      "      -> images on the full grid of the source series\n"};

  return app::run(
      description, argc, argv,
      [&](CLI::App& a) {
        a.add_option("--inputDICOM", input, "DICOM Segmentation file")->required();
        a.add_option("--outputDirectory", outputDirectory, "Output directory (created when missing)")->required();
        a.add_option("-p,--prefix", prefix, "Output file name prefix; a '-' is appended");
        a.add_option("-t,--outputType", outputType, "nrrd (default), mhd, mha, nii, nifti, hdr or img")
            ->check(CLI::IsMember({"nrrd", "mhd", "mha", "nii", "nifti", "hdr", "img"}));
        a.add_flag("--mergeSegments", merge, "Write mutually non-overlapping segments into as few images as possible");
        a.add_option("--referenceDICOMDirectory", referenceDirectory,
                     "Source series directory: output on its full grid, so border slices are kept");
        a.add_flag("--fractionalAsProbability", probability,
                   "FRACTIONAL SEG: write probabilities in [0,1] as float32 instead of the stored values");
        a.add_flag("--verbose", verbose, "Print progress and the time of each phase");
      },
      [&] {
        log::setVerbose(verbose);
        seg::ReaderOptions options;
        options.mergeSegments = merge;
        options.fractionalAsProbability = probability;
        options.referenceDirectory = referenceDirectory;
        const seg::ReadSummary s = seg::readSegmentationToFiles(input, outputDirectory, prefix, outputType, options);
        const Grid& g = s.grid;
        std::printf("Read %s SEG (%s): %zu segment(s), %zu frame(s) -> %zu image(s) of %zux%zux%zu in %s\n",
                    seg::toString(s.type).c_str(), s.transferSyntax.c_str(), s.segments, s.frames, s.images,
                    g.size[0], g.size[1], g.size[2], outputDirectory.c_str());
      });
}
