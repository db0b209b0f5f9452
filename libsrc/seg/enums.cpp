#include "qidcm/seg/enums.h"

#include <algorithm>
#include <cctype>

namespace qidcm::seg {
namespace {
std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}
}  // namespace

std::string toString(SegmentationType v) {
  switch (v) {
    case SegmentationType::Binary: return "BINARY";
    case SegmentationType::Fractional: return "FRACTIONAL";
    case SegmentationType::Labelmap: return "LABELMAP";
  }
  return "";
}
std::string toString(SegmentAlgorithmType v) {
  switch (v) {
    case SegmentAlgorithmType::Automatic: return "AUTOMATIC";
    case SegmentAlgorithmType::Semiautomatic: return "SEMIAUTOMATIC";
    case SegmentAlgorithmType::Manual: return "MANUAL";
  }
  return "";
}
std::string toString(SegmentationFractionalType v) {
  return v == SegmentationFractionalType::Probability ? "PROBABILITY" : "OCCUPANCY";
}
std::string toString(SegmentsOverlap v) {
  switch (v) {
    case SegmentsOverlap::Yes: return "YES";
    case SegmentsOverlap::Undefined: return "UNDEFINED";
    case SegmentsOverlap::No: return "NO";
  }
  return "";
}

std::optional<SegmentationType> parseSegmentationType(const std::string& text) {
  const std::string t = upper(text);
  if (t == "BINARY") return SegmentationType::Binary;
  if (t == "FRACTIONAL") return SegmentationType::Fractional;
  if (t == "LABELMAP") return SegmentationType::Labelmap;
  return std::nullopt;
}
std::optional<SegmentAlgorithmType> parseSegmentAlgorithmType(const std::string& text) {
  const std::string t = upper(text);
  if (t == "AUTOMATIC") return SegmentAlgorithmType::Automatic;
  if (t == "SEMIAUTOMATIC") return SegmentAlgorithmType::Semiautomatic;
  if (t == "MANUAL") return SegmentAlgorithmType::Manual;
  return std::nullopt;
}
std::optional<SegmentationFractionalType> parseSegmentationFractionalType(const std::string& text) {
  const std::string t = upper(text);
  if (t == "PROBABILITY") return SegmentationFractionalType::Probability;
  if (t == "OCCUPANCY") return SegmentationFractionalType::Occupancy;
  return std::nullopt;
}
std::optional<SegmentsOverlap> parseSegmentsOverlap(const std::string& text) {
  const std::string t = upper(text);
  if (t == "YES") return SegmentsOverlap::Yes;
  if (t == "UNDEFINED") return SegmentsOverlap::Undefined;
  if (t == "NO") return SegmentsOverlap::No;
  return std::nullopt;
}

}  // namespace qidcm::seg
