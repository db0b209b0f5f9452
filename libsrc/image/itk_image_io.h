#pragma once
// What the ITK image reader (image/itk_image_read.cpp) and writer
// (image/itk_image_write.cpp) share. It includes ITK, so only those two files
// may include it (test/arch/check_layers.py). They use the ImageIO classes
// directly, so that voxels go straight between qidcm's buffer and the file in
// their stored type (no itk::Image, no cast, no copy).
#include <itkImageIOBase.h>
#include <itkMetaImageIO.h>
#include <itkNiftiImageIO.h>
#include <itkNrrdImageIO.h>

#include <string>

namespace qidcm::image {

using IOComponent = itk::IOComponentEnum;

// The ImageIO that reads (or writes) `path`: NRRD, NIfTI or MetaImage; null
// for any other file.
inline itk::ImageIOBase::Pointer ioFor(const std::string& path, bool forWriting) {
  const itk::ImageIOBase::Pointer candidates[] = {itk::NrrdImageIO::New().GetPointer(),
                                                   itk::NiftiImageIO::New().GetPointer(),
                                                   itk::MetaImageIO::New().GetPointer()};
  for (const auto& io : candidates) {
    if (forWriting ? io->CanWriteFile(path.c_str()) : io->CanReadFile(path.c_str())) return io;
  }
  return nullptr;
}

inline bool endsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace qidcm::image
