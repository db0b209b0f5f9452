#pragma once
// A plain copy of an SR content tree, read with DCMTK's document classes:
// what the TID 1500 reader interprets, free of DCMTK's cursor state.
#include <string>
#include <vector>

#include "qidcm/codes.h"
#include "qidcm/series.h"
#include "qidcm/sr/reader.h"

namespace qidcm::sr {

struct ContentNode {
  std::string relationship;  // "CONTAINS", "HAS OBS CONTEXT", ... ("" for the root)
  std::string valueType;     // "CONTAINER", "NUM", "CODE", ...
  Code concept;
  std::string text;          // TEXT, PNAME, UIDREF, DATE, TIME, DATETIME, NUM value
  Code code;                 // CODE value, NUM units
  std::string sopClassUID, sopInstanceUID;  // IMAGE, COMPOSITE
  std::vector<unsigned> segments;           // IMAGE: Referenced Segment Number
  std::string templateId;                   // root: Template Identifier
  std::vector<ContentNode> children;

  bool is(const Code& c) const { return concept.value == c.value && concept.scheme == c.scheme; }
};

struct SrDocument {
  std::string documentType;  // "Enhanced SR", "Comprehensive 3D SR", ...
  std::string sopInstanceUID, patientID, studyInstanceUID, seriesInstanceUID;
  ContentNode root;
  bool complete = false, verified = false;
  SeriesAttributes series;  // those a report has (iod::measurementReportProfile)
  // SOP Instance UIDs listed as evidence (current requested procedure and
  // pertinent other evidence).
  std::vector<std::string> evidence;
};

// Reads an SR file; throws Error (Input) naming the file when it is not an
// SR document DCMTK can read.
SrDocument readSrDocument(const std::string& path);

// The same document, read with the compact parser (dicom/compact_dataset.h)
// instead of DCMTK's tree: about ten times faster, for tables over many
// reports. Values are taken as they are, without the warnings of
// readSrDocument. Falls back to readSrDocument for what the compact parser
// does not read (other transfer syntaxes, character sets other than ASCII
// and UTF-8, malformed files).
SrDocument readSrDocumentFast(const std::string& path);

// The report a document holds (readMeasurementReport's work once the file is
// read); throws Error (Input) naming `path` when it is not a TID 1500 report.
ReadResult interpretReport(const SrDocument& doc, const std::string& path);

}  // namespace qidcm::sr
