// The only translation unit that includes ITK. It uses the ImageIO classes
// directly, so that voxels go straight into qidcm's buffer in their stored type
// (no itk::Image, no cast, no copy).
#include <itkImageIOBase.h>
#include <itkMetaImageIO.h>
#include <itkNiftiImageIO.h>
#include <itkNrrdImageIO.h>

#include <fcntl.h>
#include <zlib.h>

#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <algorithm>
#include <fstream>
#include <sstream>
#include <vector>
#include <iostream>
#include <sys/stat.h>
#include <unistd.h>

#include "image/gzip_writer.h"
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

// Collects what the format libraries print on stderr (NIfTI, MetaIO and NRRD
// report some problems only there), so that it becomes part of one error
// line instead of stray output.
class StderrCapture {
 public:
  StderrCapture() {
    std::cerr.flush();
    std::fflush(stderr);
    file_ = std::tmpfile();
    saved_ = dup(STDERR_FILENO);
    if (file_ && saved_ >= 0) dup2(fileno(file_), STDERR_FILENO);
  }
  ~StderrCapture() { release(); }
  std::string release() {
    if (saved_ < 0) return text_;
    std::cerr.flush();
    std::fflush(stderr);
    dup2(saved_, STDERR_FILENO);
    close(saved_);
    saved_ = -1;
    if (file_) {
      std::rewind(file_);
      char buf[512];
      std::size_t n;
      while ((n = std::fread(buf, 1, sizeof buf, file_)) > 0 && text_.size() < 4096) text_.append(buf, n);
      std::fclose(file_);
      file_ = nullptr;
    }
    return text_;
  }

 private:
  std::FILE* file_ = nullptr;
  int saved_ = -1;
  std::string text_;
};

// One line from a multi-line library message.
std::string oneLine(std::string text) {
  for (char& c : text)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  std::string out;
  for (char c : text)
    if (!(c == ' ' && !out.empty() && out.back() == ' ')) out += c;
  while (!out.empty() && out.back() == ' ') out.pop_back();
  while (!out.empty() && out.front() == ' ') out.erase(out.begin());
  return out;
}

bool endsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// NIfTI readers accept files shorter than their header promises and fill the
// rest with zeros. Check that the voxel data is all there.
void checkNiftiComplete(const std::string& path, std::uint64_t voxelBytes) {
  const bool gz = endsWith(path, ".gz");
  std::string dataPath = path;
  if (endsWith(path, ".hdr")) dataPath = path.substr(0, path.size() - 4) + ".img";
  gzFile header = gzopen(path.c_str(), "rb");
  if (!header) return;
  unsigned char h[352] = {0};
  const int got = gzread(header, h, sizeof h);
  gzclose(header);
  if (got < 348) throwInput(path, "", "truncated NIfTI header");
  auto int32 = [&](int at, bool swap) {
    std::uint32_t v;
    std::memcpy(&v, h + at, 4);
    return swap ? __builtin_bswap32(v) : v;
  };
  std::uint64_t offset = 0;
  std::uint32_t size = int32(0, false);
  bool swap = false;
  if (size != 348 && size != 540) {
    swap = true;
    size = int32(0, true);
  }
  if (size == 348) {
    std::uint32_t raw = int32(108, swap);
    float f;
    std::memcpy(&f, &raw, 4);
    offset = f > 0 ? static_cast<std::uint64_t>(f) : 0;
  } else if (size == 540) {
    std::uint64_t v;
    std::memcpy(&v, h + 168, 8);
    offset = swap ? __builtin_bswap64(v) : v;
  } else {
    return;  // not a header this check understands; ITK accepted it
  }
  if (dataPath != path) offset = 0;  // .hdr/.img: the voxels start the .img file
  const std::uint64_t needed = offset + voxelBytes;
  std::uint64_t available = 0;
  if (!gz) {
    struct stat st;
    if (stat(dataPath.c_str(), &st) == 0) available = static_cast<std::uint64_t>(st.st_size);
  } else {
    gzFile in = gzopen(path.c_str(), "rb");
    if (!in) return;
    std::vector<char> buf(1 << 20);
    int n;
    while ((n = gzread(in, buf.data(), static_cast<unsigned>(buf.size()))) > 0) available += static_cast<std::uint64_t>(n);
    int code = Z_OK;
    gzerror(in, &code);
    gzclose(in);
    if (n < 0 || (code != Z_OK && code != Z_STREAM_END))
      throwInput(path, "", "corrupt or truncated gzip data");
  }
  if (available < needed)
    throwInput(dataPath, "", "truncated: " + std::to_string(available) + " bytes, the header needs " +
                                 std::to_string(needed));
}

// The voxel data of a single-file NIfTI image, read straight into `buffer`
// with zlib: ITK's NIfTI reader first loads the whole image into a buffer of
// its own and copies it, which doubles the peak memory. Geometry still comes
// from ITK. Returns false (and reads nothing) when the file needs what only
// ITK does: a .hdr/.img pair, intensity scaling, or an unknown header.
bool readNiftiVoxels(const std::string& path, void* buffer, std::uint64_t bytes, unsigned componentSize) {
  if (!(endsWith(path, ".nii") || endsWith(path, ".nii.gz"))) return false;
  gzFile in = gzopen(path.c_str(), "rb");
  if (!in) return false;
  gzbuffer(in, 1 << 20);
  unsigned char h[540] = {0};
  const int got = gzread(in, h, 348);
  if (got < 348) {
    gzclose(in);
    throwInput(path, "", "truncated NIfTI header");
  }
  std::uint32_t size;
  std::memcpy(&size, h, 4);
  const bool swap = size != 348 && size != 540;
  if (swap) size = __builtin_bswap32(size);
  auto field = [&](std::size_t at, std::size_t width) {
    std::uint64_t v = 0;
    std::memcpy(&v, h + at, width);
    if (swap) v = width == 2 ? __builtin_bswap16(static_cast<std::uint16_t>(v))
                 : width == 4 ? __builtin_bswap32(static_cast<std::uint32_t>(v))
                              : __builtin_bswap64(v);
    return v;
  };
  auto asFloat = [](std::uint64_t bits) {
    float f;
    const std::uint32_t b = static_cast<std::uint32_t>(bits);
    std::memcpy(&f, &b, 4);
    return static_cast<double>(f);
  };
  auto asDouble = [](std::uint64_t bits) {
    double d;
    std::memcpy(&d, &bits, 8);
    return d;
  };
  std::uint64_t offset = 0;
  double slope = 0, inter = 0;
  unsigned bitpix = 0;
  if (size == 348) {
    bitpix = static_cast<unsigned>(field(72, 2));
    offset = static_cast<std::uint64_t>(asFloat(field(108, 4)));
    slope = asFloat(field(112, 4));
    inter = asFloat(field(116, 4));
  } else if (size == 540) {
    if (gzread(in, h + 348, 540 - 348) != 540 - 348) {
      gzclose(in);
      throwInput(path, "", "truncated NIfTI-2 header");
    }
    bitpix = static_cast<unsigned>(field(14, 2));
    offset = field(168, 8);
    slope = asDouble(field(176, 8));
    inter = asDouble(field(184, 8));
  } else {
    gzclose(in);
    return false;
  }
  const bool scaled = !(slope == 0 || slope == 1) || inter != 0 || !std::isfinite(slope) || !std::isfinite(inter);
  if (scaled || bitpix != componentSize * 8 || offset < size) {
    gzclose(in);
    return false;
  }
  const z_off_t header = gztell(in);
  if (gzseek(in, static_cast<z_off_t>(offset) - header, SEEK_CUR) < 0) {
    gzclose(in);
    throwInput(path, "", "truncated before its voxel data");
  }
  auto* out = static_cast<unsigned char*>(buffer);
  std::uint64_t done = 0;
  while (done < bytes) {
    const unsigned chunk = static_cast<unsigned>(std::min<std::uint64_t>(bytes - done, 1u << 30));
    const int n = gzread(in, out + done, chunk);
    if (n <= 0) break;
    done += static_cast<std::uint64_t>(n);
  }
  int code = Z_OK;
  const char* message = gzerror(in, &code);
  gzclose(in);
  if (code != Z_OK && code != Z_STREAM_END && code != Z_BUF_ERROR)
    throwInput(path, "", std::string("corrupt gzip data: ") + (message ? message : ""));
  if (done < bytes)
    throwInput(path, "", "truncated: " + std::to_string(offset + done) + " bytes of image, the header needs " +
                             std::to_string(offset + bytes));
  if (swap && componentSize > 1) {
    const std::uint64_t n = bytes / componentSize;
    if (componentSize == 2) {
      auto* v = static_cast<std::uint16_t*>(buffer);
      for (std::uint64_t i = 0; i < n; ++i) v[i] = __builtin_bswap16(v[i]);
    } else if (componentSize == 4) {
      auto* v = static_cast<std::uint32_t*>(buffer);
      for (std::uint64_t i = 0; i < n; ++i) v[i] = __builtin_bswap32(v[i]);
    } else if (componentSize == 8) {
      auto* v = static_cast<std::uint64_t*>(buffer);
      for (std::uint64_t i = 0; i < n; ++i) v[i] = __builtin_bswap64(v[i]);
    }
  }
  return true;
}

bool isNifti(const itk::ImageIOBase* io) { return dynamic_cast<const itk::NiftiImageIO*>(io) != nullptr; }

}  // namespace

Volume readImage(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) throwInput(path, "", "file not found");
  if (S_ISDIR(st.st_mode)) throwInput(path, "", "is a directory, not an image file");
  itk::ImageIOBase::Pointer io = ioFor(path, false);
  if (!io) throwInput(path, "", "not a readable image (NRRD, NIfTI or MetaImage expected)");
  Volume volume;
  bool direct = false;  // voxels read without ITK (single-file NIfTI)
  StderrCapture captured;
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
    try {
      volume.allocate(path);
    } catch (const std::bad_alloc&) {
      throwInput(path, "", "image of " + std::to_string(g.size[0]) + "x" + std::to_string(g.size[1]) + "x" +
                               std::to_string(g.size[2]) + " " + pixelTypeName(volume.type) +
                               " voxels does not fit in memory");
    }
    itk::ImageIORegion region(dims);
    for (unsigned d = 0; d < dims; ++d) {
      region.SetIndex(d, 0);
      region.SetSize(d, io->GetDimensions(d));
    }
    io->SetIORegion(region);
    if (isNifti(io.GetPointer()) && io->GetNumberOfComponents() == 1) {
      direct = readNiftiVoxels(path, volume.buffer.data(), volume.byteCount(), io->GetComponentSize());
    }
    if (!direct) io->Read(volume.buffer.data());
  } catch (const itk::ExceptionObject& e) {
    const std::string library = oneLine(captured.release());
    std::string text = oneLine(e.GetDescription());
    const std::string prefix = "ITK ERROR: ";
    if (text.rfind(prefix, 0) == 0) text = text.substr(prefix.size());
    throwInput(path, "", "cannot read image: " + text + (library.empty() ? "" : " (" + library + ")"));
  }
  const std::string library = oneLine(captured.release());
  if (library.find("ERROR") != std::string::npos || library.find("not read completely") != std::string::npos ||
      library.find("rror") != std::string::npos)
    throwInput(path, "", "cannot read image: " + library);
  if (isNifti(io.GetPointer()) && !direct) checkNiftiComplete(path, volume.byteCount());
  return volume;
}

namespace {

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
