#pragma once
// The parts every QC page shares: escaping, the page's frame and style, the
// identity of the object read from its header, the checks box.
#include <cstdint>
#include <string>
#include <vector>

#include "qc/png.h"

namespace qidcm::qc {

std::string escape(const std::string& text);
std::string hexColour(Rgb c);
// Fixed notation with up to `digits` significant digits, no trailing zeros.
std::string number(double value, int digits = 4);

// What the header of a DICOM object says about it (pixel data not read).
struct ObjectHeader {
  std::string path;
  std::string kind;  // SEG, PM, RWVM, SR
  std::string sopClassUID, sopInstanceUID;
  std::string patientName, patientID;
  std::string studyInstanceUID, studyDate, studyDescription;
  std::string seriesInstanceUID, seriesDescription, seriesNumber, modality;
  std::string frameOfReferenceUID;
  std::vector<std::string> referencedSeries;  // Referenced Series Sequence, in order
  std::string transferSyntax;                 // its name (UID when unknown)
  std::string segmentationType;               // SEG: BINARY, FRACTIONAL, LABELMAP
  std::size_t frames = 0;
  std::uint64_t fileSize = 0;
};
// Throws Error (Input) naming the file and SOP Class UID when the object is
// none of SEG, Parametric Map, RWVM or SR.
ObjectHeader readObjectHeader(const std::string& path);

// <!DOCTYPE html> ... <body>, with the inline style sheet.
std::string pageStart(const std::string& title);
std::string pageEnd();
// The identity table of an object (plus extra rows).
std::string headerTable(const ObjectHeader& h, const std::vector<std::pair<std::string, std::string>>& extra);
// The red box of failed checks, or a green line when all passed.
std::string checksBox(const std::vector<std::string>& failed, const std::vector<std::string>& passed);
// <img> of a picture, inline, with its attributes ("data-segment=...").
std::string image(const RgbImage& picture, const std::string& alt, const std::string& attributes = "");
// The picture in a <figure> with its caption.
std::string figure(const RgbImage& picture, const std::string& caption, const std::string& attributes);

}  // namespace qidcm::qc
