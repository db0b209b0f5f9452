// tid1500reader: TID 1500 SR -> measurement JSON.
#include <cstdio>

#include "common/app.h"
#include "qidcm/error.h"
#include "qidcm/log.h"
#include "qidcm/sr/reader.h"

using namespace qidcm;

int main(int argc, char** argv) {
  std::vector<std::string> inputs;
  std::string output, table;
  bool verbose = false;

  const app::Description description{
      "tid1500reader",
      "Read a DICOM TID 1500 Imaging Measurement Report (from qidcm, dcmqi, dcmjs/OHIF or highdicom) into the "
      "measurement JSON that tid1500writer takes. References (compositeContext, imageLibrary) are written as SOP "
      "Instance UIDs, which tid1500writer resolves by scanning the directories it is given. A document that is "
      "not a TID 1500 report is refused.",
      "  tid1500reader --inputDICOM report.dcm --outputMetadata measurements.json\n"
      "  tid1500writer --inputMetadata measurements.json --outputDICOM copy.dcm \\\n"
      "      --inputCompositeContextDirectory seg/ --inputImageLibraryDirectory ct/   (the round trip)\n"
      "  tid1500reader --inputDICOM report.dcm --outputMetadata m.json --outputTable m.csv\n"
      "  tid1500reader --inputDICOM collection/ --outputTable measurements.tsv\n"
      "      -> one row per measurement of every report under collection/ (columns: doc/tid1500reader.md)\n"};

  return app::run(
      description, argc, argv,
      [&](CLI::App& a) {
        a.add_option("--inputDICOM", inputs,
                     "TID 1500 SR file; for --outputTable also several files or directories (searched recursively)")
            ->required();
        a.add_option("--outputMetadata", output, "Output JSON file (one input report)");
        a.add_option("--outputTable", table,
                     "Table of every measurement, one row each: .csv, or .tsv for tab-separated");
        a.add_flag("--verbose", verbose, "Print progress");
      },
      [&] {
        log::setVerbose(verbose);
        if (output.empty() && table.empty()) throwUsage("no output given (--outputMetadata or --outputTable)");
        if (!output.empty() && inputs.size() != 1) throwUsage("--outputMetadata takes one --inputDICOM report");
        // The table first; when the JSON then fails, the table goes too: all or nothing.
        if (!table.empty()) {
          const sr::TableSummary t = sr::writeMeasurementTable(inputs, table);
          std::printf("Wrote %s: %zu row(s) from %zu report(s)%s\n", table.c_str(), t.rows, t.reports,
                      t.skipped ? (", " + std::to_string(t.skipped) + " other file(s) skipped").c_str() : "");
        }
        if (!output.empty()) {
          try {
            const sr::ReadResult r = sr::readMeasurementReportToFile(inputs.front(), output);
            std::printf("Read %s (%s): %zu measurement group(s), %zu measurement(s) -> %s\n",
                        inputs.front().c_str(), r.documentType.c_str(), r.groups, r.measurements, output.c_str());
          } catch (...) {
            if (!table.empty()) std::remove(table.c_str());
            throw;
          }
        }
      });
}
