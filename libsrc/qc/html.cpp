#include "qc/html.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcmetinf.h>

#include <cmath>
#include <cstdio>
#include <filesystem>

#include "core/utf8.h"
#include "dcmtk/setup.h"
#include "dicom/dataset_util.h"
#include "pixel/transfer_syntax.h"
#include "qidcm/error.h"

namespace qidcm::qc {

std::string escape(const std::string& raw) {
  // Text from a file may be in another character set or broken: the page
  // stays valid UTF-8 (invalid bytes become U+FFFD).
  std::string text = raw;
  replaceInvalidUtf8(text);
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string hexColour(Rgb c) {
  char text[8];
  std::snprintf(text, sizeof text, "#%02x%02x%02x", c.r, c.g, c.b);
  return text;
}

std::string number(double value, int digits) {
  if (!std::isfinite(value)) return std::isnan(value) ? "NaN" : (value > 0 ? "inf" : "-inf");
  char text[64];
  std::snprintf(text, sizeof text, "%.*g", digits, value);
  return text;
}

namespace {

const char* kindOf(const std::string& sopClass) {
  if (sopClass == "1.2.840.10008.5.1.4.1.1.66.4" || sopClass == "1.2.840.10008.5.1.4.1.1.66.7") return "SEG";
  if (sopClass == "1.2.840.10008.5.1.4.1.1.30") return "PM";
  if (sopClass == "1.2.840.10008.5.1.4.1.1.67") return "RWVM";
  if (sopClass.rfind("1.2.840.10008.5.1.4.1.1.88.", 0) == 0) return "SR";
  return nullptr;
}

}  // namespace

ObjectHeader readObjectHeader(const std::string& path) {
  using dicom::getString;
  dcmtk::configure();
  DcmFileFormat file;
  // Long values (pixel data) stay on disk: only the header is wanted.
  const OFCondition status = file.loadFile(path.c_str(), EXS_Unknown, EGL_noChange, 4096, ERM_autoDetect);
  if (status.bad()) throwInput(path, "", std::string("not a readable DICOM file (") + status.text() + ")");
  DcmDataset& ds = *file.getDataset();
  ObjectHeader h;
  h.path = path;
  h.sopClassUID = getString(ds, DCM_SOPClassUID);
  const char* kind = kindOf(h.sopClassUID);
  if (!kind)
    throwInput(path, dicom::attributeName(DCM_SOPClassUID),
               "is '" + h.sopClassUID + "': not a Segmentation, Parametric Map, Real World Value Mapping or SR");
  h.kind = kind;
  h.sopInstanceUID = getString(ds, DCM_SOPInstanceUID);
  h.patientName = getString(ds, DCM_PatientName);
  h.patientID = getString(ds, DCM_PatientID);
  h.studyInstanceUID = getString(ds, DCM_StudyInstanceUID);
  h.studyDate = getString(ds, DCM_StudyDate);
  h.studyDescription = getString(ds, DCM_StudyDescription);
  h.seriesInstanceUID = getString(ds, DCM_SeriesInstanceUID);
  h.seriesDescription = getString(ds, DCM_SeriesDescription);
  h.seriesNumber = getString(ds, DCM_SeriesNumber);
  h.modality = getString(ds, DCM_Modality);
  h.frameOfReferenceUID = getString(ds, DCM_FrameOfReferenceUID);
  h.segmentationType = getString(ds, DCM_SegmentationType);
  DcmSequenceOfItems* series = nullptr;
  ds.findAndGetSequence(DCM_ReferencedSeriesSequence, series);
  for (DcmItem* item : dicom::itemsOf(series)) h.referencedSeries.push_back(getString(*item, DCM_SeriesInstanceUID));
  Sint32 frames = 0;
  if (ds.findAndGetSint32(DCM_NumberOfFrames, frames).good() && frames > 0) h.frames = static_cast<std::size_t>(frames);
  const std::string syntax = getString(*file.getMetaInfo(), DCM_TransferSyntaxUID);
  const pixel::TransferSyntax* known = pixel::findTransferSyntax(syntax);
  if (known) {
    h.transferSyntax = known->name;
  } else {
    const DcmXfer xfer(syntax.c_str());
    h.transferSyntax = xfer.getXfer() != EXS_Unknown ? xfer.getXferName() : syntax;
  }
  std::error_code ec;
  h.fileSize = std::filesystem::file_size(path, ec);
  return h;
}

std::string pageStart(const std::string& title) {
  return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
         "<meta name=\"viewport\" content=\"width=device-width\">\n<title>" +
         escape(title) +
         "</title>\n<style>\n"
         "body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#1b1b1b;background:#fafafa}\n"
         "h1{font-size:1.4em;margin:0 0 .5em}h2{font-size:1.15em;margin:1.5em 0 .5em}h3{font-size:1em;margin:1em 0 .3em}\n"
         "table{border-collapse:collapse;margin:.3em 0}td,th{border:1px solid #ccc;padding:2px 6px;"
         "text-align:left;vertical-align:top}th{background:#eee}\n"
         "table.ident th{width:14em}td.n{text-align:right;font-variant-numeric:tabular-nums}\n"
         ".checks{border:2px solid #c00;background:#fee;color:#900;padding:.5em 1em;margin:1em 0}\n"
         ".checks h2{margin:0 0 .3em;color:#c00}.ok{color:#060;margin:1em 0}\n"
         ".swatch{display:inline-block;width:1.2em;height:1.2em;border:1px solid #333;vertical-align:middle}\n"
         "figure{display:inline-block;margin:0 6px 6px 0;text-align:center}figcaption{font-size:12px;color:#555}\n"
         "img{image-rendering:pixelated;display:block}\n"
         ".segment{border-top:1px solid #ccc;margin-top:1em}\n"
         "th.sort{cursor:pointer}th.sort:after{content:' \\2195';color:#999}\n"
         "td.fail{color:#c00;font-weight:bold}.uid{word-break:break-all;font-size:12px}\n"
         "</style></head><body>\n";
}

std::string pageEnd() { return "</body></html>\n"; }

std::string headerTable(const ObjectHeader& h, const std::vector<std::pair<std::string, std::string>>& extra) {
  std::vector<std::pair<std::string, std::string>> rows = {
      {"File", h.path},
      {"Patient", h.patientName + (h.patientID.empty() ? "" : " (" + h.patientID + ")")},
      {"Study", h.studyDescription + (h.studyDate.empty() ? "" : " " + h.studyDate) + " — " + h.studyInstanceUID},
      {"Series", "#" + h.seriesNumber + " " + h.seriesDescription + " — " + h.seriesInstanceUID},
      {"SOP Instance UID", h.sopInstanceUID},
      {"Modality", h.modality},
      {"Transfer syntax", h.transferSyntax},
      {"Frames", std::to_string(h.frames)},
      {"File size", number(static_cast<double>(h.fileSize) / 1e6, 4) + " MB (" + std::to_string(h.fileSize) + " bytes)"},
      {"Frame of Reference UID", h.frameOfReferenceUID}};
  rows.insert(rows.end(), extra.begin(), extra.end());
  std::string s = "<table class=\"ident\">\n";
  for (const auto& [name, value] : rows) s += "<tr><th>" + escape(name) + "</th><td>" + escape(value) + "</td></tr>\n";
  return s + "</table>\n";
}

std::string checksBox(const std::vector<std::string>& failed, const std::vector<std::string>& passed) {
  std::string s;
  if (!failed.empty()) {
    s += "<div class=\"checks\" id=\"checks\"><h2>" + std::to_string(failed.size()) + " check" +
         (failed.size() == 1 ? "" : "s") + " failed</h2><ul>\n";
    for (const std::string& f : failed) s += "<li>" + escape(f) + "</li>\n";
    s += "</ul></div>\n";
  } else {
    s += "<p class=\"ok\" id=\"checks\">All checks passed.</p>\n";
  }
  if (!passed.empty()) {
    s += "<details><summary>Checks passed (" + std::to_string(passed.size()) + ")</summary><ul>\n";
    for (const std::string& p : passed) s += "<li>" + escape(p) + "</li>\n";
    s += "</ul></details>\n";
  }
  return s;
}

std::string image(const RgbImage& picture, const std::string& alt, const std::string& attributes) {
  return "<img src=\"" + pngDataUri(picture) + "\" width=\"" + std::to_string(picture.width) + "\" height=\"" +
         std::to_string(picture.height) + "\" alt=\"" + escape(alt) + "\"" +
         (attributes.empty() ? "" : " " + attributes) + ">";
}

std::string figure(const RgbImage& picture, const std::string& caption, const std::string& attributes) {
  return "<figure>" + image(picture, caption, attributes) + "<figcaption>" + escape(caption) +
         "</figcaption></figure>\n";
}

}  // namespace qidcm::qc
