// The only translation unit that includes ITK. It uses the ImageIO classes
// directly, so that voxels go straight into qidcm's buffer in their stored type
// (no itk::Image, no cast, no copy).
#include <itkImageIOBase.h>
#include <itkMetaImageIO.h>
#include <itkNiftiImageIO.h>
#include <itkNrrdImageIO.h>

#include <cmath>
#include <sys/stat.h>

#include "qidcm/error.h"
#include "qidcm/image_io.h"

namespace qidcm {
namespace {

using IOComponent = itk::IOComponentEnum;

itk::ImageIOBase::Pointer ioFor(const std::string& path, bool forWriting) {
  const itk::ImageIOBase::Pointer candidates[] = {itk::NrrdImageIO::New().GetPointer(),
                                                   itk::NiftiImageIO::New().GetPointer(),
                                                   itk::MetaImageIO::New().GetPointer()};
  for (const auto& io : candidates) {
    if (forWriting ? io->CanWriteFile(path.c_str()) : io->CanReadFile(path.c_str())) return io;
  }
  return nullptr;
}

PixelType toPixelType(IOComponent c, const std::string& path) {
  switch (c) {
    case IOComponent::UCHAR: return PixelType::UInt8;
    case IOComponent::CHAR: return PixelType::Int8;
    case IOComponent::USHORT: return PixelType::UInt16;
    case IOComponent::SHORT: return PixelType::Int16;
    case IOComponent::UINT: return PixelType::UInt32;
    case IOComponent::INT: return PixelType::Int32;
    case IOComponent::ULONG:
    case IOComponent::ULONGLONG: return PixelType::UInt64;
    case IOComponent::LONG:
    case IOComponent::LONGLONG: return PixelType::Int64;
    case IOComponent::FLOAT: return PixelType::Float32;
    case IOComponent::DOUBLE: return PixelType::Float64;
    default: break;
  }
  throwInput(path, "", "unsupported voxel component type " +
                           itk::ImageIOBase::GetComponentTypeAsString(c));
}

IOComponent toComponent(PixelType t) {
  switch (t) {
    case PixelType::UInt8: return IOComponent::UCHAR;
    case PixelType::Int8: return IOComponent::CHAR;
    case PixelType::UInt16: return IOComponent::USHORT;
    case PixelType::Int16: return IOComponent::SHORT;
    case PixelType::UInt32: return IOComponent::UINT;
    case PixelType::Int32: return IOComponent::INT;
    case PixelType::UInt64: return IOComponent::ULONGLONG;
    case PixelType::Int64: return IOComponent::LONGLONG;
    case PixelType::Float32: return IOComponent::FLOAT;
    case PixelType::Float64: return IOComponent::DOUBLE;
  }
  return IOComponent::UCHAR;
}

}  // namespace

Volume readImage(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) throwInput(path, "", "file not found");
  if (S_ISDIR(st.st_mode)) throwInput(path, "", "is a directory, not an image file");
  itk::ImageIOBase::Pointer io = ioFor(path, false);
  if (!io) throwInput(path, "", "not a readable image (NRRD, NIfTI or MetaImage expected)");
  Volume volume;
  try {
    io->SetFileName(path);
    io->ReadImageInformation();
    const unsigned dims = io->GetNumberOfDimensions();
    if (dims < 2 || dims > 4) throwInput(path, "", "has " + std::to_string(dims) + " dimensions; 2, 3 or 4 expected");
    if (dims == 4 && io->GetNumberOfComponents() != 1)
      throwInput(path, "", "4-D images with vector voxels are not supported");
    volume.type = toPixelType(io->GetComponentType(), path);
    Grid& g = volume.grid;
    for (unsigned d = 0; d < 3; ++d) {
      const bool present = d < dims;
      g.size[d] = present ? io->GetDimensions(d) : 1;
      g.spacing[d] = present ? io->GetSpacing(d) : 1.0;
      g.origin[d] = present ? io->GetOrigin(d) : 0.0;
      for (unsigned r = 0; r < 3; ++r) {
        if (present) {
          const std::vector<double> dir = io->GetDirection(d);
          g.direction[d][r] = r < dir.size() ? dir[r] : 0.0;
        } else {
          g.direction[d][r] = (r == d) ? 1.0 : 0.0;
        }
      }
    }
    if (dims == 2) g.direction[2] = normalized(cross(g.direction[0], g.direction[1]));
    for (unsigned d = 0; d < 3; ++d)
      if (!(g.spacing[d] > 0) || !std::isfinite(g.spacing[d]))
        throwInput(path, "", "spacing along axis " + std::to_string(d) + " is not positive");
    if (dims == 4) {
      volume.components = io->GetDimensions(3);
      volume.planar = true;
    } else {
      volume.components = io->GetNumberOfComponents();
      volume.planar = false;
    }
    if (g.voxels() == 0) throwInput(path, "", "image is empty");
    volume.allocate();
    itk::ImageIORegion region(dims);
    for (unsigned d = 0; d < dims; ++d) {
      region.SetIndex(d, 0);
      region.SetSize(d, io->GetDimensions(d));
    }
    io->SetIORegion(region);
    io->Read(volume.buffer.data());
  } catch (const itk::ExceptionObject& e) {
    std::string text = e.GetDescription();
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    const auto nl = text.find('\n');
    if (nl != std::string::npos) text = text.substr(0, nl);
    throwInput(path, "", "cannot read image: " + text);
  }
  return volume;
}

void writeImage(const std::string& path, const Volume& volume, bool compress) {
  itk::ImageIOBase::Pointer io = ioFor(path, true);
  if (!io) throwOutput(path, "unsupported output image format");
  try {
    const Grid& g = volume.grid;
    const unsigned dims = volume.planar && volume.components > 1 ? 4 : 3;
    io->SetNumberOfDimensions(dims);
    for (unsigned d = 0; d < 3; ++d) {
      io->SetDimensions(d, g.size[d]);
      io->SetSpacing(d, g.spacing[d]);
      io->SetOrigin(d, g.origin[d]);
      std::vector<double> dir(dims, 0.0);
      for (unsigned r = 0; r < 3; ++r) dir[r] = g.direction[d][r];
      io->SetDirection(d, dir);
    }
    if (dims == 4) {
      io->SetDimensions(3, volume.components);
      io->SetSpacing(3, 1.0);
      io->SetOrigin(3, 0.0);
      std::vector<double> dir(4, 0.0);
      dir[3] = 1.0;
      io->SetDirection(3, dir);
      io->SetNumberOfComponents(1);
    } else {
      io->SetNumberOfComponents(volume.components);
    }
    io->SetPixelType(io->GetNumberOfComponents() > 1 ? itk::IOPixelEnum::VECTOR : itk::IOPixelEnum::SCALAR);
    io->SetComponentType(toComponent(volume.type));
    io->SetFileName(path);
    io->SetUseCompression(compress);
    itk::ImageIORegion region(dims);
    for (unsigned d = 0; d < dims; ++d) {
      region.SetIndex(d, 0);
      region.SetSize(d, io->GetDimensions(d));
    }
    io->SetIORegion(region);
    io->WriteImageInformation();
    io->Write(volume.buffer.data());
  } catch (const itk::ExceptionObject& e) {
    std::string text = e.GetDescription();
    const auto nl = text.find('\n');
    if (nl != std::string::npos) text = text.substr(0, nl);
    throwOutput(path, "cannot write image: " + text);
  }
}

}  // namespace qidcm
