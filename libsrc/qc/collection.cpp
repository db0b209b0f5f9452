// qidcm-qc's two entry points: one object's page, and a collection's pages
// with their index.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

#include "core/csv.h"
#include "core/output_transaction.h"
#include "core/parallel.h"
#include "qc/pages.h"
#include "qidcm/error.h"
#include "qidcm/log.h"
#include "qidcm/version.h"

namespace qidcm::qc {
namespace fs = std::filesystem;

namespace {

void writeAtomically(const std::string& path, const std::string& text) {
  OutputTransaction transaction;
  writeTextFile(transaction.stage(path), text, path);
  transaction.commit();
}

std::string footer() {
  return "<footer><p style=\"color:#777;font-size:12px;margin-top:2em\">qidcm-qc " QIDCM_VERSION " (" QIDCM_GIT_REVISION
         "). Every picture is inline; the page fetches nothing.</p></footer>\n";
}

}  // namespace

namespace {

// The page's HTML and its summary; the page is not written.
PageSummary makePage(const PageOptions& options, const ObjectHeader& header, std::string& html) {
  html = pageStart(header.kind + " QC: " + (header.seriesDescription.empty() ? fs::path(options.input).filename().string()
                                                                                     : header.seriesDescription));
  PageSummary summary = header.kind == "SEG" ? segmentationPage(header, options, html)
                        : header.kind == "SR" ? reportPage(header, options, html)
                                              : mapPage(header, options, html);
  html += footer() + pageEnd();
  summary.bytes = html.size();
  return summary;
}

// The page and its summary, both or neither; the header already read.
PageSummary writePageAndSummary(const PageOptions& options, const ObjectHeader& header,
                                const std::string& summaryJson) {
  std::string html;
  const PageSummary summary = makePage(options, header, html);
  OutputTransaction transaction;
  writeTextFile(transaction.stage(options.outputHtml), html, options.outputHtml);
  writeTextFile(transaction.stage(summaryJson), summaryToJson(summary), summaryJson);
  transaction.commit();
  return summary;
}

}  // namespace

PageSummary writePage(const PageOptions& options) {
  std::string html;
  const PageSummary summary = makePage(options, readObjectHeader(options.input), html);
  writeAtomically(options.outputHtml, html);
  return summary;
}

PageSummary writePage(const PageOptions& options, const std::string& summaryJson) {
  return writePageAndSummary(options, readObjectHeader(options.input), summaryJson);
}

std::string summaryToJson(const PageSummary& s) {
  nlohmann::ordered_json j;
  j["kind"] = s.kind;
  j["sopInstanceUID"] = s.sopInstanceUID;
  j["items"] = s.items;
  j["failedChecks"] = s.failedChecks;
  j["warnings"] = s.warnings;
  j["bytes"] = s.bytes;
  j["thumbnail"] = s.thumbnail;
  return j.dump(1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

PageSummary summaryFromJson(const std::string& text) {
  const nlohmann::json j = nlohmann::json::parse(text);
  PageSummary s;
  s.kind = j.value("kind", "");
  s.sopInstanceUID = j.value("sopInstanceUID", "");
  s.items = j.value("items", std::size_t(0));
  s.failedChecks = j.value("failedChecks", std::vector<std::string>{});
  s.warnings = j.value("warnings", std::vector<std::string>{});
  s.bytes = j.value("bytes", std::size_t(0));
  s.thumbnail = j.value("thumbnail", "");
  // The thumbnail goes into the index as is: a PNG data URI, nothing else.
  static const std::string prefix = "data:image/png;base64,";
  if (s.thumbnail.compare(0, prefix.size(), prefix) != 0 ||
      s.thumbnail.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=",
                                    prefix.size()) != std::string::npos)
    s.thumbnail.clear();
  return s;
}

namespace {

struct Row {
  std::string number, status, id, output, message, source, kind;
  std::string object;  // the output's path
  std::string page;    // qc/<id>.html, relative to the index
  bool reused = false;
  std::string pageError;
  PageSummary summary;
  ObjectHeader header;
  bool haveHeader = false;
};

bool isNewer(const fs::path& a, const fs::path& b) {
  std::error_code e1, e2;
  const auto ta = fs::last_write_time(a, e1), tb = fs::last_write_time(b, e2);
  return !e1 && !e2 && ta >= tb;
}

std::vector<Row> readReport(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throwInput(path, "", "cannot read the report");
  const bool tab = path.size() > 4 && path.compare(path.size() - 4, 4, ".tsv") == 0;
  const auto records = csvRecords(in, tab ? '\t' : ',');
  if (records.empty()) throwInput(path, "", "empty report (expected a header line: row,status,...,id,output)");
  const std::vector<std::string>& header = records[0];
  auto column = [&](const char* name) -> long {
    const auto it = std::find(header.begin(), header.end(), name);
    return it == header.end() ? -1 : static_cast<long>(it - header.begin());
  };
  const long status = column("status"), id = column("id"), output = column("output");
  if (status < 0 || id < 0 || output < 0)
    throwInput(path, "header", "needs the columns status, id and output (qidcm-batch's report.csv)");
  const long number = column("row"), message = column("message"), source = column("source"), kind = column("kind");
  const fs::path base = fs::path(path).parent_path();
  std::vector<Row> rows;
  for (std::size_t r = 1; r < records.size(); ++r) {
    const auto& rec = records[r];
    auto cell = [&](long c) { return c >= 0 && static_cast<std::size_t>(c) < rec.size() ? rec[c] : std::string(); };
    Row row;
    row.number = number >= 0 ? cell(number) : std::to_string(r);
    row.status = cell(status);
    row.id = cell(id);
    row.output = cell(output);
    row.message = cell(message);
    row.source = cell(source);
    row.kind = cell(kind);
    // Page names and links: the manifest's rule for ids (letters, digits, '.', '_', '-', not first).
    const bool named = !row.id.empty() && std::isalnum(static_cast<unsigned char>(row.id[0])) &&
                       std::all_of(row.id.begin(), row.id.end(), [](char c) {
                         return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
                       });
    if (!named)
      throwInput(path, "row " + std::to_string(r) + ", column 'id'",
                 "'" + row.id + "' is not a name of letters, digits, '.', '_' and '-' (it names the row's page)");
    for (const Row& earlier : rows)
      if (earlier.id == row.id)
        throwInput(path, "row " + std::to_string(r) + ", column 'id'",
                   "'" + row.id + "' is already the id of row " + earlier.number);
    row.object = row.output.empty() ? "" : (base / row.output).lexically_normal().string();
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string indexPage(const std::vector<Row>& rows, const std::string& report) {
  std::string html = pageStart("qidcm QC: " + report);
  std::size_t ok = 0, failedRows = 0, failedChecks = 0;
  for (const Row& r : rows) {
    ok += r.status == "ok";
    failedRows += r.status != "ok";
    failedChecks += !r.summary.failedChecks.empty() || !r.pageError.empty();
  }
  html += "<h1>Collection QC</h1>\n<p>Report <code>" + escape(report) + "</code>: " + std::to_string(rows.size()) +
          " rows, " + std::to_string(ok) + " converted, " + std::to_string(failedRows) + " failed; " +
          std::to_string(failedChecks) + " with failed checks. Click a column's header to sort by it.</p>\n";
  if (failedRows || failedChecks)
    html += "<div class=\"checks\"><h2>" + std::to_string(failedRows + failedChecks) +
            " rows need a look</h2><p>Rows whose conversion failed and pages with failed checks are marked in red.</p></div>\n";
  html += "<table id=\"index\"><thead><tr><th class=\"sort\" data-type=\"n\">Row</th><th class=\"sort\">ID</th>"
          "<th class=\"sort\">Status</th><th class=\"sort\">Kind</th><th>Thumbnail</th>"
          "<th class=\"sort\" data-type=\"n\">Segments / items</th><th class=\"sort\" data-type=\"n\">Failed checks</th>"
          "<th class=\"sort\" data-type=\"n\">Warnings</th><th class=\"sort\">Message</th><th>Page</th></tr></thead><tbody>\n";
  for (const Row& r : rows) {
    const bool pageMade = r.pageError.empty() && !r.summary.kind.empty();
    std::string message = r.message;
    if (!r.pageError.empty()) message += (message.empty() ? "" : "; ") + std::string("QC page: ") + r.pageError;
    std::string checks;
    for (const std::string& c : r.summary.failedChecks) checks += (checks.empty() ? "" : "\n") + c;
    std::string warnings;
    for (const std::string& w : r.summary.warnings) warnings += (warnings.empty() ? "" : "\n") + w;
    html += "<tr class=\"index-row\" data-id=\"" + escape(r.id) + "\"><td class=\"n\">" + escape(r.number) + "</td><td>" +
            escape(r.id) + "</td><td" + (r.status == "ok" ? "" : " class=\"fail\"") + ">" + escape(r.status) +
            "</td><td>" + escape(r.summary.kind.empty() ? r.kind : r.summary.kind) + "</td><td>" +
            (r.summary.thumbnail.empty() ? "" : "<img src=\"" + r.summary.thumbnail + "\" alt=\"" + escape(r.id) + "\">") +
            "</td><td class=\"n\">" + (pageMade ? std::to_string(r.summary.items) : "") + "</td><td class=\"n" +
            (r.summary.failedChecks.empty() ? "" : " fail") + "\" title=\"" + escape(checks) + "\">" +
            (pageMade ? std::to_string(r.summary.failedChecks.size()) : "") + "</td><td class=\"n\" title=\"" +
            escape(warnings) + "\">" + (pageMade ? std::to_string(r.summary.warnings.size()) : "") + "</td><td" +
            (r.pageError.empty() ? "" : " class=\"fail\"") + ">" + escape(message) + "</td><td>" +
            (pageMade ? "<a href=\"" + escape(r.page) + "\">page</a>" : "") + "</td></tr>\n";
  }
  html += "</tbody></table>\n";
  // Sorting by a column's header: inline, nothing fetched; the table reads in
  // report order without it.
  html +=
      "<script>\n"
      "document.querySelectorAll('th.sort').forEach(function(th){th.addEventListener('click',function(){\n"
      "var table=th.closest('table'),body=table.tBodies[0],col=th.cellIndex,num=th.dataset.type==='n';\n"
      "var dir=th.dataset.dir==='asc'?-1:1;th.dataset.dir=dir===1?'asc':'desc';\n"
      "var rows=Array.prototype.slice.call(body.rows);\n"
      "rows.sort(function(a,b){var x=a.cells[col].textContent,y=b.cells[col].textContent;\n"
      "if(num){x=parseFloat(x);y=parseFloat(y);x=isNaN(x)?-Infinity:x;y=isNaN(y)?-Infinity:y;return dir*(x-y);}\n"
      "return dir*x.localeCompare(y);});\n"
      "rows.forEach(function(r){body.appendChild(r);});});});\n"
      "</script>\n";
  return html + footer() + pageEnd();
}

}  // namespace

CollectionSummary writeIndex(const CollectionOptions& options) {
  std::vector<Row> rows = readReport(options.report);
  const fs::path indexDir = fs::path(options.outputHtml).parent_path();
  const fs::path pagesDir = indexDir / "qc";
  CollectionSummary summary;
  summary.rows = rows.size();
  // Headers first (cheap), for the SR pages' links to their segmentations.
  std::vector<std::size_t> todo;
  for (std::size_t n = 0; n < rows.size(); ++n)
    if (rows[n].status == "ok" && !rows[n].object.empty()) todo.push_back(n);
  parallelFor(todo.size(), [&](int, std::size_t t) {
    Row& r = rows[todo[t]];
    r.page = "qc/" + r.id + ".html";
    try {
      r.header = readObjectHeader(r.object);
      r.haveHeader = true;
    } catch (const std::exception& e) {
      r.pageError = e.what();
    }
  });
  std::map<std::string, std::string> segmentationPages;
  for (const Row& r : rows)
    if (r.haveHeader && r.header.kind == "SEG") segmentationPages[r.header.sopInstanceUID] = r.id + ".html";
  if (!todo.empty()) createDirectories(pagesDir.string());
  std::mutex lock;
  parallelFor(todo.size(), [&](int, std::size_t t) {
    Row& r = rows[todo[t]];
    if (!r.haveHeader) return;
    const fs::path page = pagesDir / (r.id + ".html");
    const fs::path json = pagesDir / (r.id + ".qc.json");
    // A page qidcm-batch made as the row finished is kept while it is newer
    // than its object (an SR's links are made here, so its page is redone).
    if (options.reuse && r.header.kind != "SR" && isNewer(page, r.object) && isNewer(json, r.object)) {
      std::ifstream in(json);
      std::stringstream text;
      text << in.rdbuf();
      try {
        PageSummary kept = summaryFromJson(text.str());
        // The same object (a copy with an old time is another object).
        if (kept.sopInstanceUID == r.header.sopInstanceUID && kept.kind == r.header.kind) {
          r.summary = std::move(kept);
          r.reused = true;
          return;
        }
      } catch (const std::exception&) {
        // made again below
      }
    }
    PageOptions po;
    po.input = r.object;
    po.sourceDirectory = r.source;
    po.outputHtml = page.string();
    po.segmentationPages = segmentationPages;
    try {
      r.summary = writePageAndSummary(po, r.header, json.string());
    } catch (const std::exception& e) {  // a page that fails is its row's error, not the run's
      r.pageError = e.what();
      std::lock_guard<std::mutex> g(lock);
      log::warning("row " + r.number + " (" + r.id + "): " + e.what());
    }
  });
  for (const Row& r : rows) {
    summary.pages += r.pageError.empty() && !r.summary.kind.empty();
    summary.reused += r.reused;
    summary.failedPages += !r.pageError.empty();
    summary.failedChecks += !r.summary.failedChecks.empty();
  }
  writeAtomically(options.outputHtml, indexPage(rows, options.report));
  return summary;
}

}  // namespace qidcm::qc
