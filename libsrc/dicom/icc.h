#pragma once
#include <cstdint>
#include <vector>

namespace qidcm::dicom {
// An sRGB ICC profile (made by Little CMS), for PALETTE COLOR images.
std::vector<std::uint8_t> srgbIccProfile();
}  // namespace qidcm::dicom
