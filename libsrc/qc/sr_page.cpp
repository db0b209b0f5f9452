// The QC page of a TID 1500 Measurement Report: its measurement groups as a
// table, linked to their segments' pages when those are in the collection.
#include "qc/pages.h"
#include "qidcm/sr/reader.h"

namespace qidcm::qc {

PageSummary reportPage(const ObjectHeader& h, const PageOptions& options, std::string& html) {
  PageSummary summary;
  summary.kind = "SR";
  summary.sopInstanceUID = h.sopInstanceUID;
  const sr::ReadResult report = sr::readMeasurementReport(h.path);
  const sr::Metadata& md = report.metadata;
  summary.items = md.groups.size();
  std::vector<std::string> failed, passed;
  std::size_t empty = 0;
  for (std::size_t g = 0; g < md.groups.size(); ++g)
    if (md.groups[g].measurements.empty() && md.groups[g].qualitativeEvaluations.empty()) {
      failed.push_back("measurement group " + std::to_string(g + 1) + " (" + md.groups[g].trackingIdentifier +
                       ") has no measurement");
      ++empty;
    }
  if (md.groups.empty()) failed.push_back("the report has no measurement group");
  else if (!empty) passed.push_back("every measurement group has measurements");
  summary.failedChecks = failed;

  html += "<h1>Measurement report QC: " + escape(h.seriesDescription) + "</h1>\n";
  html += checksBox(failed, passed);
  html += "<h2>Object</h2>\n" +
          headerTable(h, {{"Document", report.documentType},
                          {"Measurement groups", std::to_string(report.groups)},
                          {"Measurements", std::to_string(report.measurements)}});
  html += "<h2>Measurement groups</h2>\n<table id=\"groups\"><thead><tr><th>#</th><th>Tracking identifier</th>"
          "<th>Finding</th><th>Finding site</th><th>Segment</th><th>Measurements</th></tr></thead><tbody>\n";
  std::string sections;
  for (std::size_t g = 0; g < md.groups.size(); ++g) {
    const sr::MeasurementGroup& group = md.groups[g];
    const std::string n = std::to_string(g + 1);
    std::string segment;
    if (!group.segmentationUID.empty()) {
      const std::string text = "segment " + std::to_string(group.referencedSegment) + " of " + group.segmentationUID;
      const auto page = options.segmentationPages.find(group.segmentationUID);
      if (page != options.segmentationPages.end())
        segment = "<a class=\"segment-link\" href=\"" + escape(page->second) + "#segment-" +
                  std::to_string(group.referencedSegment) + "\">" + escape(text) + "</a>";
      else
        segment = escape(text);
    }
    html += "<tr class=\"group-row\"><td class=\"n\"><a href=\"#group-" + n + "\">" + n + "</a></td><td>" +
            escape(group.trackingIdentifier) + "</td><td>" + escape(codeText(group.finding)) + "</td><td>" +
            escape(group.findingSite ? codeText(*group.findingSite) : "") + "</td><td class=\"uid\">" + segment +
            "</td><td class=\"n\">" + std::to_string(group.measurements.size() + group.qualitativeEvaluations.size()) +
            "</td></tr>\n";
    sections += "<section class=\"group\" id=\"group-" + n + "\"><h3>Group " + n + ": " +
                escape(group.trackingIdentifier) + "</h3>\n<p class=\"uid\">Source series " +
                escape(group.sourceSeriesUID) + (group.rwvmUID.empty() ? "" : "; real world value map " + escape(group.rwvmUID)) +
                "</p>\n<table class=\"measurements\"><thead><tr><th>Quantity</th><th>Value</th><th>Units</th></tr></thead><tbody>\n";
    for (const sr::Measurement& m : group.measurements) {
      std::string name = m.quantity.meaning;
      if (m.derivationModifier) name += " (" + m.derivationModifier->meaning + ")";
      for (const sr::CodedModifier& mod : m.modifiers) name += ", " + mod.value.meaning;
      sections += "<tr><td>" + escape(name) + "</td><td class=\"n\">" + escape(m.value) + "</td><td>" +
                  escape(m.units.value) + "</td></tr>\n";
    }
    for (const sr::QualitativeEvaluation& q : group.qualitativeEvaluations)
      sections += "<tr><td>" + escape(q.concept.meaning) + "</td><td colspan=\"2\">" +
                  escape(q.code ? q.code->meaning : q.text) + "</td></tr>\n";
    sections += "</tbody></table></section>\n";
  }
  html += "</tbody></table>\n" + sections;
  return summary;
}

}  // namespace qidcm::qc
