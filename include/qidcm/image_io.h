#pragma once
// Research-format image I/O (NRRD, NIfTI, MetaImage, Analyze) through ITK.
// This is the only part of qidcm that includes ITK headers.
#include <string>

#include "qidcm/volume.h"

namespace qidcm {

// Reads an image in its stored pixel type. A 2-D image becomes a one-slice
// volume; a 4-D image becomes a volume with one planar component per 3-D
// sub-volume. Throws Error (Input) naming the file on any failure.
Volume readImage(const std::string& path);

// Writes the volume; the format follows the extension (.nrrd, .nhdr, .nii,
// .nii.gz, .mha, .mhd, .hdr, .img). Throws Error (Output) on failure.
void writeImage(const std::string& path, const Volume& volume, bool compress = true);

// File extension of a dcmqi reader output type ("nrrd", "mhd", "mha", "nii" or
// "nifti" -> ".nii.gz", "hdr", "img"); throws Error (Usage) for others.
std::string imageExtension(const std::string& outputType);

}  // namespace qidcm
