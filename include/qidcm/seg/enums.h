#pragma once
// Enumerated attributes of the Segmentation IOD, one enum per attribute,
// named after it. toString gives the DICOM defined term.
#include <optional>
#include <string>

namespace qidcm::seg {

// Segmentation Type (0062,0001)
enum class SegmentationType { Binary, Fractional, Labelmap };
// Segment Algorithm Type (0062,0008)
enum class SegmentAlgorithmType { Automatic, Semiautomatic, Manual };
// Segmentation Fractional Type (0062,0010)
enum class SegmentationFractionalType { Probability, Occupancy };
// Segments Overlap (0062,0013)
enum class SegmentsOverlap { Yes, Undefined, No };

std::string toString(SegmentationType v);
std::string toString(SegmentAlgorithmType v);
std::string toString(SegmentationFractionalType v);
std::string toString(SegmentsOverlap v);

// Case-insensitive parsing of the defined terms; nullopt when unknown.
std::optional<SegmentationType> parseSegmentationType(const std::string& text);
std::optional<SegmentAlgorithmType> parseSegmentAlgorithmType(const std::string& text);
std::optional<SegmentationFractionalType> parseSegmentationFractionalType(const std::string& text);
std::optional<SegmentsOverlap> parseSegmentsOverlap(const std::string& text);

// SOP Class UIDs.
inline constexpr const char* kSegmentationStorage = "1.2.840.10008.5.1.4.1.1.66.4";
inline constexpr const char* kLabelMapSegmentationStorage = "1.2.840.10008.5.1.4.1.1.66.7";

}  // namespace qidcm::seg
