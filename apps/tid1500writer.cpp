// tid1500writer: measurement JSON + referenced DICOM -> TID 1500 SR.
#include <cstdio>

#include "common/app.h"
#include "qidcm/log.h"
#include "qidcm/sr/metadata.h"
#include "qidcm/sr/writer.h"

using namespace qidcm;

int main(int argc, char** argv) {
  std::string metadataPath;
  sr::WriterPaths paths;
  bool verbose = false;

  const app::Description description{
      "tid1500writer",
      "Write a DICOM TID 1500 Imaging Measurement Report (Enhanced SR) from dcmqi-style measurement JSON. "
      "Patient and Study come from the segmentation in the composite context; the composite context and image "
      "library instances are listed as evidence.",
      "  tid1500writer --inputMetadata measurements.json --outputDICOM report.dcm \\\n"
      "      --inputCompositeContextDirectory seg/ --inputImageLibraryDirectory ct/\n"
      "      (compositeContext and imageLibrary entries are file names in those directories, or SOP Instance\n"
      "       UIDs of files under them, as tid1500reader writes them)\n"};

  return app::run(
      description, argc, argv,
      [&](CLI::App& a) {
        a.add_option("--inputMetadata", metadataPath, "Measurement report JSON (sr-tid1500-schema.json)")
            ->required();
        a.add_option("--outputDICOM", paths.output, "Output SR file")->required();
        a.add_option("--inputCompositeContextDirectory", paths.compositeContextDirectory,
                     "Directory of the compositeContext files (SEG, RWVM, ...)");
        a.add_option("--inputImageLibraryDirectory", paths.imageLibraryDirectory,
                     "Directory of the imageLibrary files (the source images)");
        a.add_flag("--verbose", verbose, "Print progress");
      },
      [&] {
        log::setVerbose(verbose);
        const sr::Metadata metadata = sr::readMetadataFile(metadataPath);
        const sr::WriteSummary s = sr::writeMeasurementReport(metadata, paths);
        std::printf("Wrote %s: %zu measurement group(s), %zu measurement(s)", paths.output.c_str(), s.groups,
                    s.measurements);
        if (s.skippedMeasurements) std::printf(", %zu skipped", s.skippedMeasurements);
        std::printf(", %zu image library entr%s, %zu evidence instance(s)\n", s.imageLibraryEntries,
                    s.imageLibraryEntries == 1 ? "y" : "ies", s.evidenceInstances);
      });
}
