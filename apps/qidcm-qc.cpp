// qidcm-qc: a self-contained HTML QC page per SEG, PM, RWVM or SR, and an
// index page per collection.
#include <cstdio>

#include "common/app.h"
#include "qidcm/error.h"
#include "qidcm/log.h"
#include "qidcm/qc/report.h"

using namespace qidcm;

int main(int argc, char** argv) {
  std::string input, source, report, html, summaryJson;
  std::size_t pictureSize = 256;
  bool verbose = false, noReuse = false;

  const app::Description description{
      "qidcm-qc",
      "Write a visual QC page of a Segmentation, Parametric Map, Real World Value Mapping or TID 1500 SR: one "
      "self-contained HTML file (pictures inline as PNG, no scripts or fonts fetched) with the object's identity, "
      "checks shown in red at the top, its segments or map over the source slices, a montage and reformats. Or, from "
      "qidcm-batch's report, a page per row and an index of them all (doc/qidcm-qc.md).",
      "  qidcm-qc --inputDICOM seg.dcm --inputDICOMDirectory ct/ --outputHTML seg-qc.html\n"
      "  qidcm-qc --inputDICOM suv-rwvm.dcm --inputDICOMDirectory pet/ --outputHTML suv-qc.html\n"
      "  qidcm-qc --inputDICOM report.dcm --outputHTML report-qc.html\n"
      "  qidcm-qc --inputReport out/report.csv --outputHTML out/index.html   # pages in out/qc/<id>.html\n"};

  return app::run(
      description, argc, argv,
      [&](CLI::App& a) {
        auto* one = a.add_option("--inputDICOM", input, "The object: SEG, Parametric Map, RWVM or TID 1500 SR");
        a.add_option("--inputDICOMDirectory", source,
                     "Directory holding the source series the object refers to (searched recursively)")
            ->needs(one);
        auto* many = a.add_option("--inputReport", report,
                                  "A collection: qidcm-batch's report.csv (columns row, status, id, output, source)")
                         ->excludes(one);
        a.add_option("--outputHTML", html, "The page (with --inputDICOM) or the index (with --inputReport)")->required();
        a.add_option("--outputSummary", summaryJson,
                     "Also write the page's summary (kind, checks, warnings, thumbnail) as JSON")
            ->needs(one);
        a.add_option("--pictureSize", pictureSize, "Largest side of a picture, in pixels (default 256)")
            ->check(CLI::Range(32, 2048))
            ->needs(one);
        a.add_flag("--noReuse", noReuse, "With --inputReport: make every page again, even one newer than its object")
            ->needs(many);
        a.add_flag("--verbose", verbose, "Print progress");
      },
      [&] {
        log::setVerbose(verbose);
        if (input.empty() && report.empty()) throwUsage("give --inputDICOM (one object) or --inputReport (a collection)");
        if (!report.empty()) {
          qc::CollectionOptions options;
          options.report = report;
          options.outputHtml = html;
          options.reuse = !noReuse;
          const qc::CollectionSummary s = qc::writeIndex(options);
          std::printf("%s: %zu rows, %zu pages (%zu kept from before), %zu pages failed, %zu with failed checks\n",
                      html.c_str(), s.rows, s.pages, s.reused, s.failedPages, s.failedChecks);
          return;
        }
        qc::PageOptions options;
        options.input = input;
        options.sourceDirectory = source;
        options.outputHtml = html;
        options.pictureSize = pictureSize;
        const qc::PageSummary s = summaryJson.empty() ? qc::writePage(options) : qc::writePage(options, summaryJson);
        for (const std::string& w : s.warnings) log::warning(w);
        std::printf("%s: %s page, %zu item(s), %zu failed check(s)%s\n", html.c_str(), s.kind.c_str(), s.items,
                    s.failedChecks.size(), s.failedChecks.empty() ? "" : " (shown in red at the top)");
        for (const std::string& c : s.failedChecks) std::printf("  check failed: %s\n", c.c_str());
      });
}
