// dcmqi's output types of the readers, and the file extension of each. No
// ITK here: the fuzz build, which leaves ITK out, needs it too.
#include "qidcm/error.h"
#include "qidcm/image_io.h"

namespace qidcm {

std::string imageExtension(const std::string& type) {
  if (type == "nrrd") return ".nrrd";
  if (type == "mhd") return ".mhd";
  if (type == "mha") return ".mha";
  if (type == "nii" || type == "nifti") return ".nii.gz";
  if (type == "hdr") return ".hdr";
  if (type == "img") return ".img";
  throwUsage("unknown output type '" + type + "' (nrrd, mhd, mha, nii, nifti, hdr or img)");
}

}  // namespace qidcm
