#include "dicom/icc.h"

#include <lcms2.h>

#include "qidcm/error.h"

namespace qidcm::dicom {

std::vector<std::uint8_t> srgbIccProfile() {
  cmsHPROFILE profile = cmsCreate_sRGBProfile();
  if (!profile) throwInternal("cannot create an sRGB ICC profile");
  cmsUInt32Number size = 0;
  std::vector<std::uint8_t> bytes;
  if (cmsSaveProfileToMem(profile, nullptr, &size) && size > 0) {
    bytes.resize(size);
    if (!cmsSaveProfileToMem(profile, bytes.data(), &size)) bytes.clear();
  }
  cmsCloseProfile(profile);
  if (bytes.empty()) throwInternal("cannot serialise the sRGB ICC profile");
  if (bytes.size() & 1u) bytes.push_back(0);
  return bytes;
}

}  // namespace qidcm::dicom
