// Writing research-format images with ITK's ImageIO classes (see
// image/itk_image_io.h); gzip-compressed NRRD and NIfTI voxels are compressed
// by qidcm on both cores.
#include <fcntl.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <unistd.h>
#include <vector>

#include "image/gzip_writer.h"
#include "image/itk_image_io.h"
#include "qidcm/error.h"
#include "qidcm/image_io.h"

namespace qidcm {
namespace {

using image::endsWith;
using image::IOComponent;
using image::ioFor;

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

void writeWithItk(const std::string& path, const Volume& volume, bool compress) {
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

// gzip-compressed NRRD and NIfTI are written by qidcm on both cores
// (image/gzip_writer.h): ITK compresses on one. ITK still writes the header,
// for a stand-in of at most two slices, uncompressed; it is then given the
// real slice count (and, for NRRD, gzip encoding), and the voxels follow,
// compressed. Anything else goes through ITK as before.
enum class GzipFormat { None, Nrrd, Nifti };

GzipFormat gzipFormatFor(const std::string& path, const Volume& volume) {
  if (endsWith(path, ".nrrd")) return GzipFormat::Nrrd;
  // ITK reorders vector voxels for NIfTI; those stay with ITK.
  if (endsWith(path, ".nii.gz") && (volume.components == 1 || volume.planar)) return GzipFormat::Nifti;
  return GzipFormat::None;
}

std::string readWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The uncompressed header ITK writes for `volume`, patched as described
// above; empty when the stand-in's file is not laid out as expected.
std::string itkHeader(const std::string& path, const Volume& volume, GzipFormat format) {
  static std::atomic<unsigned> counter{0};
  const std::size_t slices = volume.grid.size[2];
  const std::size_t standInSlices = std::min<std::size_t>(slices, 2);
  Volume standIn;
  standIn.grid = volume.grid;
  standIn.grid.size[2] = standInSlices;
  standIn.type = volume.type;
  standIn.components = volume.components;
  standIn.planar = volume.planar;
  standIn.allocate(path);
  const std::string directory = path.find('/') == std::string::npos ? "." : path.substr(0, path.rfind('/'));
  const std::string temp = directory + "/.qidcm-header-" + std::to_string(getpid()) + "-" +
                           std::to_string(counter++) + (format == GzipFormat::Nrrd ? ".nrrd" : ".nii");
  struct Remove {
    const std::string& p;
    ~Remove() { std::remove(p.c_str()); }
  } remove{temp};
  writeWithItk(temp, standIn, false);
  const std::string file = readWholeFile(temp);
  if (format == GzipFormat::Nrrd) {
    const std::size_t end = file.find("\n\n");
    if (end == std::string::npos || file.size() != end + 2 + standIn.byteCount()) return "";
    std::istringstream lines(file.substr(0, end + 1));
    std::string line, header;
    bool sizes = false, encoding = false;
    // vector voxels: "sizes: C X Y Z"; otherwise "sizes: X Y Z [C]"
    const std::size_t zIndex = (volume.components > 1 && !volume.planar) ? 3 : 2;
    while (std::getline(lines, line)) {
      if (line.rfind("sizes:", 0) == 0) {
        std::istringstream tokens(line.substr(6));
        std::vector<std::string> values;
        for (std::string t; tokens >> t;) values.push_back(t);
        if (values.size() <= zIndex || values[zIndex] != std::to_string(standInSlices)) return "";
        values[zIndex] = std::to_string(slices);
        line = "sizes:";
        for (const auto& v : values) line += " " + v;
        sizes = true;
      } else if (line.rfind("encoding:", 0) == 0) {
        line = "encoding: gzip";
        encoding = true;
      } else if (line.rfind("data file:", 0) == 0 || line.rfind("datafile:", 0) == 0) {
        return "";
      }
      header += line + "\n";
    }
    return sizes && encoding ? header + "\n" : "";
  }
  // NIfTI-1 (348-byte header): dim[3] is a 16-bit value at byte 46, vox_offset a float at 108.
  if (file.size() < 352) return "";
  std::int32_t sizeofHdr;
  std::memcpy(&sizeofHdr, file.data(), 4);
  if (sizeofHdr != 348) return "";
  float voxOffset;
  std::memcpy(&voxOffset, file.data() + 108, 4);
  const auto offset = static_cast<std::size_t>(voxOffset);
  if (offset < 348 || file.size() != offset + standIn.byteCount()) return "";
  std::int16_t dim3;
  std::memcpy(&dim3, file.data() + 46, 2);
  if (dim3 != static_cast<std::int16_t>(standInSlices) || slices > 32767) return "";
  std::string header = file.substr(0, offset);
  const auto realDim3 = static_cast<std::int16_t>(slices);
  std::memcpy(&header[46], &realDim3, 2);
  return header;
}

void writeGzipped(const std::string& path, const Volume& volume, GzipFormat format, const std::string& header) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throwOutput(path, std::string("cannot create file: ") + std::strerror(errno));
  struct Close {
    int fd;
    bool closed = false;
    ~Close() {
      if (!closed) ::close(fd);
    }
  } guard{fd};
  std::vector<image::ByteSpan> parts;
  if (format == GzipFormat::Nrrd) {
    std::size_t done = 0;
    while (done < header.size()) {
      const ssize_t n = ::write(fd, header.data() + done, header.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throwOutput(path, std::string("write failed: ") + std::strerror(errno));
      done += static_cast<std::size_t>(n);
    }
  } else {
    parts.push_back({header.data(), header.size()});
  }
  parts.push_back({volume.buffer.data(), volume.byteCount()});
  image::writeGzip(fd, parts, path);
  guard.closed = true;
  if (::close(fd) != 0) throwOutput(path, std::string("write failed: ") + std::strerror(errno));
}

}  // namespace

void writeImage(const std::string& path, const Volume& volume, bool compress) {
  const GzipFormat format = compress ? gzipFormatFor(path, volume) : GzipFormat::None;
  if (format != GzipFormat::None) {
    const std::string header = itkHeader(path, volume, format);
    if (!header.empty()) return writeGzipped(path, volume, format, header);
  }
  writeWithItk(path, volume, compress);
}

}  // namespace qidcm
