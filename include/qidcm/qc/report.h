#pragma once
// QC pages: a self-contained HTML page per SEG, Parametric Map, Real World
// Value Mapping or TID 1500 SR (the pictures inline as PNG, the style sheet
// inline, nothing fetched), and an index page per collection
// (doc/qidcm-qc.md).
#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace qidcm::qc {

struct PageOptions {
  std::string input;             // the object: SEG, PM, RWVM or SR
  std::string sourceDirectory;   // its source series (searched recursively); may be empty
  std::string outputHtml;
  // SR pages: Segmentation SOP Instance UID -> address of its page, for the
  // links of the measurement groups to their segments.
  std::map<std::string, std::string> segmentationPages;
  std::size_t pictureSize = 256;  // largest side of a picture, in pixels
};

struct PageSummary {
  std::string kind;            // SEG, PM, RWVM, SR
  std::string sopInstanceUID;
  std::size_t items = 0;       // segments (SEG), mappings (RWVM), measurement groups (SR), frames (PM)
  std::vector<std::string> failedChecks;
  std::vector<std::string> warnings;
  std::string thumbnail;       // a small picture as a data: URI; empty for an SR
  std::size_t bytes = 0;       // of the page
};

// Writes the page atomically. Throws Error (Input) for an object that is not
// one of the four or cannot be read, Error (Output) when the page cannot be
// written.
PageSummary writePage(const PageOptions& options);
// Also writes the summary (summaryToJson) to `summaryJson`, both or neither.
PageSummary writePage(const PageOptions& options, const std::string& summaryJson);

// The summary as JSON text, and back (qidcm-batch keeps one beside each page,
// so that the index reuses a page made while the rows ran).
std::string summaryToJson(const PageSummary& summary);
PageSummary summaryFromJson(const std::string& text);

struct CollectionOptions {
  std::string report;       // qidcm-batch's / the workflow's report.csv
  std::string outputHtml;   // the index
  // Pages go to <directory of outputHtml>/qc/<id>.html; a page with its
  // summary (<id>.qc.json) newer than its object is kept.
  bool reuse = true;
};

struct CollectionSummary {
  std::size_t rows = 0, pages = 0, reused = 0, failedPages = 0, failedChecks = 0;
};

// Makes the pages of the report's rows (in parallel) and the index. Throws
// Error (Input) for a report that cannot be read.
CollectionSummary writeIndex(const CollectionOptions& options);

}  // namespace qidcm::qc
