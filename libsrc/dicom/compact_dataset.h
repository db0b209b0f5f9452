#pragma once
// A compact, read-only view of a DICOM file in little endian (explicit or
// implicit VR) without DCMTK's object per element: the elements of each item
// in file order, values as views into the file's bytes. For readers that
// walk many small objects (tid1500reader --outputTable over a collection of
// SRs), where building DCMTK's tree costs ten times reading the bytes.
// Other transfer syntaxes, and anything malformed, give nullopt: the caller
// reads the file with DCMTK instead.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace qidcm::dicom {

struct CompactItem;

struct CompactElement {
  std::uint32_t tag = 0;      // (group << 16) | element
  char vr[2] = {0, 0};        // as the file says (explicit VR), or the dictionary's (implicit)
  std::string_view value;     // the value bytes (empty for sequences)
  std::vector<CompactItem> items;  // sequence items
};

struct CompactItem {
  std::vector<CompactElement> elements;
  const CompactElement* find(std::uint32_t tag) const;
  // A string value with its padding (trailing spaces and NULs, leading
  // spaces) removed; empty when absent.
  std::string text(std::uint32_t tag) const;
  // Item `n` of sequence `tag`, or nullptr.
  const CompactItem* item(std::uint32_t tag, std::size_t n = 0) const;
  const std::vector<CompactItem>* sequence(std::uint32_t tag) const;
};

struct CompactFile {
  std::string bytes;            // the file
  std::string transferSyntax;   // from the file meta
  CompactItem dataset;
};

// nullopt when the file is not a DICOM file with a file meta, is not in
// Implicit or Explicit VR Little Endian, or does not parse.
std::unique_ptr<CompactFile> readCompact(const std::string& path);

constexpr std::uint32_t tagOf(std::uint16_t group, std::uint16_t element) {
  return (static_cast<std::uint32_t>(group) << 16) | element;
}

}  // namespace qidcm::dicom
