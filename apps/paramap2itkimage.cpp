// paramap2itkimage: DICOM Parametric Map -> image + JSON metadata.
#include <cstdio>

#include "common/app.h"
#include "qidcm/log.h"
#include "qidcm/pm/reader.h"

using namespace qidcm;

int main(int argc, char** argv) {
  std::string input, outputDirectory, prefix, outputType = "nrrd";
  bool realWorld = false, verbose = false;

  const app::Description description{
      "paramap2itkimage",
      "Convert a DICOM Parametric Map (float, double or integer pixels) into an image and dcmqi-style JSON "
      "metadata.",
      "  paramap2itkimage --inputDICOM adc.pm.dcm --outputDirectory out/\n"
      "      -> out/pmap.nrrd (stored values, stored type), out/meta.json\n"
      "  paramap2itkimage --inputDICOM adc.pm.dcm --outputDirectory out/ -p adc -t nifti --realWorldValues\n"
      "      -> out/adc-pmap.nii.gz (slope and intercept applied), out/adc-meta.json\n"};

  return app::run(
      description, argc, argv,
      [&](CLI::App& a) {
        a.add_option("--inputDICOM", input, "DICOM Parametric Map file")->required();
        a.add_option("--outputDirectory", outputDirectory, "Output directory (created when missing)")->required();
        a.add_option("-p,-n,--prefix", prefix, "Output file name prefix; a '-' is appended");
        a.add_option("-t,--outputType", outputType, "nrrd (default), mhd, mha, nii, nifti, hdr or img")
            ->check(CLI::IsMember({"nrrd", "mhd", "mha", "nii", "nifti", "hdr", "img"}));
        a.add_flag("--realWorldValues", realWorld,
                   "Write real-world values (stored value x slope + intercept) as floating point");
        a.add_flag("--verbose", verbose, "Print progress");
      },
      [&] {
        log::setVerbose(verbose);
        pm::ReaderOptions options;
        options.realWorldValues = realWorld;
        const pm::ReadResult r = pm::readParametricMapToFiles(input, outputDirectory, prefix, outputType, options);
        const Grid& g = r.image.grid;
        std::printf("Read parametric map (%s): %zu frame(s) -> %s image of %zux%zux%zu in %s\n",
                    r.transferSyntax.c_str(), r.frames, pixelTypeName(r.image.type), g.size[0], g.size[1],
                    g.size[2], outputDirectory.c_str());
      });
}
