// radiomics2tid1500: pyradiomics features + SEG + source series -> TID 1500 SR.
#include <cstdio>

#include "common/app.h"
#include "qidcm/log.h"
#include "qidcm/radiomics/convert.h"

using namespace qidcm;

int main(int argc, char** argv) {
  radiomics::ConvertOptions options;
  std::string output;
  std::vector<std::string> segmentMap;
  bool verbose = false;

  const app::Description description{
      "radiomics2tid1500",
      "Write pyradiomics features (its batch CSV or JSON) as a TID 1500 Measurement Report: one measurement group "
      "per segment of the SEG they were computed on, one NUM per feature, coded with IBSI codes and UCUM units "
      "(doc/radiomics-codes.md).",
      "  radiomics2tid1500 --inputFeatures features.csv --inputSEG seg.dcm --inputImageLibraryDirectory ct/ \\\n"
      "      --outputDICOM report.dcm\n"
      "  radiomics2tid1500 --inputFeatures case.json --inputSEG seg.dcm --inputImageLibraryDirectory ct/ \\\n"
      "      --outputDICOM report.dcm --segmentMap 1=3,2=5 --inputMetadata observer.json\n"
      "      -> label 1's features describe segment 3, label 2's segment 5; observer.json's\n"
      "         observerContext, SeriesDescription ... go into the report\n"};

  return app::run(
      description, argc, argv,
      [&](CLI::App& a) {
        a.add_option("--inputFeatures", options.featuresPath,
                     "pyradiomics output: batch CSV (one row per case) or JSON (one case or a list)")
            ->required();
        a.add_option("--inputSEG", options.segPath, "The SEG whose segments the features were computed on")
            ->required();
        a.add_option("--inputImageLibraryDirectory", options.imageLibraryDirectory,
                     "Directory holding the SEG's source series")
            ->required();
        a.add_option("--outputDICOM", output, "Output SR file")->required();
        a.add_option("--inputMetadata", options.metadataPath,
                     "tid1500writer JSON whose report-level keys (observerContext, SeriesDescription, ...) are used");
        a.add_option("--segmentMap", segmentMap,
                     "label=segmentNumber pairs, comma-separated: which segment a row's Label names "
                     "(default: the same number)");
        a.add_option("--intensityUnit", options.intensityUnit,
                     "UCUM unit of the image intensities (default: [hnsf'U] for CT, Bq/ml for BQML PET, "
                     "[arb'U] otherwise)");
        a.add_flag("--verbose", verbose, "Print progress and the time of each phase");
      },
      [&] {
        log::setVerbose(verbose);
        options.segmentMap = radiomics::parseSegmentMap(segmentMap);
        const radiomics::ConvertSummary s = radiomics::convertFeatures(options, output);
        std::printf("Wrote %s: %zu measurement group(s), %zu measurement(s) from %zu case(s); %zu left out\n",
                    output.c_str(), s.groups, s.measurements, s.cases, s.skipped);
      });
}
