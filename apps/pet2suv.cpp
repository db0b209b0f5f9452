// pet2suv: a PET series -> SUV as Real World Value Mapping, parametric map,
// image and provenance JSON.
#include <cstdio>

#include "common/app.h"
#include "qidcm/log.h"
#include "qidcm/pet/convert.h"

using namespace qidcm;

int main(int argc, char** argv) {
  std::string directory, type = "bw", rwvm, pm, image, metadata, compress = "none";
  bool verbose = false;

  const app::Description description{
      "pet2suv",
      "Compute Standardized Uptake Values from a PET series' headers (BQML, GML, CM2ML, CPS and Philips CNTS; "
      "decay START, ADMIN or NONE; per-slice Rescale Slope; rules: doc/pet2suv.md) and write them as a Real World "
      "Value Mapping object, a float32 parametric map, an image and a JSON of every value used.",
      "  pet2suv --inputDICOMDirectory pet/ --outputRWVM suv-rwvm.dcm\n"
      "  pet2suv --inputDICOMDirectory pet/ --suvType lbm --outputParametricMap suvlbm.dcm --outputImage suv.nii.gz\n"
      "  pet2suv --inputDICOMDirectory pet/ --outputMetadata suv.json    # factors and provenance only\n"
      "      -> suv.json: every header value used and where it came from, the branch taken, the decay\n"
      "         factor, the SUV factor of each slice (SUV = stored value x factor) and the warnings\n"};

  return app::run(
      description, argc, argv,
      [&](CLI::App& a) {
        a.add_option("--inputDICOMDirectory", directory, "Directory holding one PET series (searched recursively)")
            ->required();
        a.add_option("--suvType", type,
                     "bw (body weight, default), lbm (lean body mass, James with 128 multiplier), lbmjanma "
                     "(Janmahasatian), bsa (body surface area, Du Bois) or ibw (ideal body weight)")
            ->check(CLI::IsMember({"bw", "lbm", "lbmjanma", "bsa", "ibw"}));
        a.add_option("--outputRWVM", rwvm, "Real World Value Mapping object referencing every PET image");
        a.add_option("--outputParametricMap", pm, "float32 Parametric Map of SUV");
        a.add_option("--outputImage", image, "SUV image, float32, in any format ITK writes (.nii.gz, .nrrd, .mha...)");
        a.add_option("--outputMetadata", metadata, "JSON: values used, their sources, branch, factors, warnings");
        a.add_option("--compress", compress, "Transfer syntax of the parametric map: none (default) or deflate")
            ->check(CLI::IsMember({"none", "deflate"}));
        a.add_flag("--verbose", verbose, "Print progress and the time of each phase");
      },
      [&] {
        log::setVerbose(verbose);
        pet::ConvertOptions options;
        options.suvType = *pet::parseSuvType(type);
        options.outputRWVM = rwvm;
        options.outputParametricMap = pm;
        options.outputImage = image;
        options.outputMetadata = metadata;
        options.compression = parseCompression(compress);
        const pet::ConvertSummary s = pet::convertPetSeries({directory}, options);
        std::printf("SUV (%s) of series %s: %zu slice(s), %zu distinct factor(s), units branch %s\n",
                    pet::toString(options.suvType), s.seriesInstanceUID.c_str(), s.slices, s.mappings,
                    s.suv.units.c_str());
      });
}
