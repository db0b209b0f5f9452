// tid1500reader: TID 1500 SR -> measurement JSON.
#include <cstdio>

#include "common/app.h"
#include "qidcm/log.h"
#include "qidcm/sr/reader.h"

using namespace qidcm;

int main(int argc, char** argv) {
  std::string input, output;
  bool verbose = false;

  const app::Description description{
      "tid1500reader",
      "Read a DICOM TID 1500 Imaging Measurement Report (from qidcm, dcmqi, dcmjs/OHIF or highdicom) into the "
      "measurement JSON that tid1500writer takes. References (compositeContext, imageLibrary) are written as SOP "
      "Instance UIDs, which tid1500writer resolves by scanning the directories it is given. A document that is "
      "not a TID 1500 report is refused.",
      "  tid1500reader --inputDICOM report.dcm --outputMetadata measurements.json\n"
      "  tid1500writer --inputMetadata measurements.json --outputDICOM copy.dcm \\\n"
      "      --inputCompositeContextDirectory seg/ --inputImageLibraryDirectory ct/   (the round trip)\n"};

  return app::run(
      description, argc, argv,
      [&](CLI::App& a) {
        a.add_option("--inputDICOM", input, "TID 1500 SR file")->required();
        a.add_option("--outputMetadata", output, "Output JSON file")->required();
        a.add_flag("--verbose", verbose, "Print progress");
      },
      [&] {
        log::setVerbose(verbose);
        const sr::ReadResult r = sr::readMeasurementReportToFile(input, output);
        std::printf("Read %s (%s): %zu measurement group(s), %zu measurement(s) -> %s\n", input.c_str(),
                    r.documentType.c_str(), r.groups, r.measurements, output.c_str());
      });
}
