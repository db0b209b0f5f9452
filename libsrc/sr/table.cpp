// The measurement table: TID 1500 reports flattened to one row per
// measurement (tid1500reader --outputTable).
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <optional>

#include <nlohmann/json.hpp>

#include "core/output_transaction.h"
#include "core/parallel.h"
#include "json/json_codes.h"
#include "qidcm/error.h"
#include "qidcm/log.h"
#include "qidcm/sr/reader.h"
#include "sr/content_tree.h"

namespace qidcm::sr {
namespace {

const char* kCodeParts[] = {"CodeValue", "CodingSchemeDesignator", "CodeMeaning"};

void addCodeColumns(std::vector<std::string>& columns, const std::string& name) {
  for (const char* part : kCodeParts) columns.push_back(name + "_" + part);
}

void addCode(std::vector<std::string>& row, const std::optional<Code>& code) {
  row.push_back(code ? code->value : "");
  row.push_back(code ? code->scheme : "");
  row.push_back(code ? code->meaning : "");
}

std::string modifiersJson(const Measurement& m) {
  if (m.modifiers.empty()) return {};
  nlohmann::json list = nlohmann::json::array();
  for (const CodedModifier& c : m.modifiers)
    list.push_back({{"modifier", codeToJson(c.concept)}, {"modifierValue", codeToJson(c.value)}});
  return list.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string numericJson(const std::vector<NumericProperty>& list, const char* concept, const char* value,
                        const char* units) {
  if (list.empty()) return {};
  nlohmann::json out = nlohmann::json::array();
  for (const NumericProperty& p : list)
    out.push_back({{concept, codeToJson(p.concept)}, {value, p.value}, {units, codeToJson(p.units)}});
  return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// RFC 4180: a cell holding the separator, a quote or a line break is quoted.
// TSV has no quoting: tabs and line breaks in a cell become spaces.
std::string cell(const std::string& value, char separator) {
  if (separator == '\t') {
    std::string out = value;
    for (char& c : out)
      if (c == '\t' || c == '\n' || c == '\r') c = ' ';
    return out;
  }
  if (value.find_first_of(",\"\r\n") == std::string::npos) return value;
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

bool isDirectory(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

}  // namespace

std::vector<std::string> tableColumns() {
  std::vector<std::string> c = {"SOPInstanceUID", "PatientID", "StudyInstanceUID", "SeriesInstanceUID",
                                "MeasurementGroupIndex", "TrackingIdentifier", "TrackingUniqueIdentifier",
                                "ReferencedSegmentationSOPInstanceUID", "ReferencedSegmentNumber",
                                "SourceSeriesInstanceUID", "RealWorldValueMapSOPInstanceUID"};
  addCodeColumns(c, "Finding");
  addCodeColumns(c, "FindingSite");
  addCodeColumns(c, "Laterality");
  c.push_back("MeasurementIndex");
  addCodeColumns(c, "Quantity");
  addCodeColumns(c, "Derivation");
  addCodeColumns(c, "MeasurementMethod");
  c.push_back("Modifiers");
  c.push_back("DerivationParameters");
  c.push_back("Value");
  addCodeColumns(c, "Units");
  c.push_back("AlgorithmName");
  c.push_back("AlgorithmVersion");
  return c;
}

std::vector<std::vector<std::string>> tableRows(const ReadResult& report) {
  std::vector<std::vector<std::string>> rows;
  const Metadata& md = report.metadata;
  for (std::size_t g = 0; g < md.groups.size(); ++g) {
    const MeasurementGroup& group = md.groups[g];
    const std::optional<Code> method = group.measurementMethod ? group.measurementMethod : md.measurementMethod;
    for (std::size_t n = 0; n < group.measurements.size(); ++n) {
      const Measurement& m = group.measurements[n];
      std::vector<std::string> row = {report.sopInstanceUID, report.patientID, report.studyInstanceUID,
                                      report.seriesInstanceUID, std::to_string(g + 1), group.trackingIdentifier,
                                      group.trackingUID, group.segmentationUID,
                                      group.referencedSegment ? std::to_string(group.referencedSegment) : "",
                                      group.sourceSeriesUID, group.rwvmUID};
      addCode(row, group.finding.value.empty() ? std::nullopt : std::optional<Code>(group.finding));
      addCode(row, group.findingSite);
      addCode(row, group.laterality);
      row.push_back(std::to_string(n + 1));
      addCode(row, m.quantity);
      addCode(row, m.derivationModifier);
      addCode(row, method);
      row.push_back(modifiersJson(m));
      row.push_back(numericJson(m.derivationParameters, "derivationParameter", "derivationParameterValue",
                                "derivationParameterUnits"));
      row.push_back(m.value);
      addCode(row, m.units);
      const std::optional<AlgorithmIdentification>& algorithm = m.algorithm ? m.algorithm : group.algorithm;
      row.push_back(algorithm ? algorithm->name : "");
      row.push_back(algorithm ? algorithm->version : "");
      rows.push_back(std::move(row));
    }
  }
  return rows;
}

TableSummary writeMeasurementTable(const std::vector<std::string>& inputs, const std::string& output) {
  OutputTransaction transaction;
  const std::string staged = transaction.stage(output);
  // The files: given by name (must be reports), or found under directories
  // (SR documents only; others are not looked at).
  struct Input {
    std::string path;
    bool named;
  };
  std::vector<Input> files;
  for (const std::string& input : inputs) {
    if (!isDirectory(input)) {
      files.push_back({input, true});
      continue;
    }
    std::vector<std::string> found;
    std::error_code error;
    for (auto it = std::filesystem::recursive_directory_iterator(input, error);
         !error && it != std::filesystem::recursive_directory_iterator(); it.increment(error))
      if (it->is_regular_file(error)) found.push_back(it->path().string());
    if (error) throwInput(input, "", "cannot be listed: " + error.message());
    std::sort(found.begin(), found.end());
    for (std::string& path : found) files.push_back({std::move(path), false});
  }
  const char separator = output.size() > 4 && output.compare(output.size() - 4, 4, ".tsv") == 0 ? '\t' : ',';
  auto line = [&](std::string& text, const std::vector<std::string>& values) {
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (i) text += separator;
      text += cell(values[i], separator);
    }
    text += '\n';
  };
  // Each report is read and formatted on its own (both cores); the texts are
  // joined in input order.
  std::vector<std::string> chunks(files.size()), skipped(files.size());
  std::vector<std::size_t> rows(files.size(), 0);
  std::vector<char> read(files.size(), 0);
  parallelFor(files.size(), [&](int, std::size_t n) {
    try {
      const ReadResult report = interpretReport(readSrDocumentFast(files[n].path), files[n].path);
      for (const auto& row : tableRows(report)) {
        line(chunks[n], row);
        ++rows[n];
      }
      read[n] = 1;
    } catch (const Error& e) {
      if (files[n].named || e.kind() != ErrorKind::Input) throw;
      // Under a directory, objects that are not SR documents (or not DICOM)
      // are passed over in silence; SRs that are not TID 1500 reports are
      // warned about.
      if (e.where() != "SOPClassUID (0008,0016)" && e.message().rfind("cannot read as DICOM", 0) != 0)
        skipped[n] = e.what();
    }
  });
  TableSummary summary;
  std::string text;
  line(text, tableColumns());
  for (std::size_t n = 0; n < files.size(); ++n) {
    if (!read[n]) {
      if (!skipped[n].empty()) {
        log::warning(skipped[n] + "; not in the table");
        ++summary.skipped;
      }
      continue;
    }
    ++summary.reports;
    summary.rows += rows[n];
    text += chunks[n];
    std::string().swap(chunks[n]);
  }
  writeTextFile(staged, text, output);
  transaction.commit();
  return summary;
}

}  // namespace qidcm::sr
