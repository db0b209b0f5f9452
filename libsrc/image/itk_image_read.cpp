// Reading research-format images with ITK's ImageIO classes (see
// image/itk_image_io.h), and single-file NIfTI voxel data with zlib.
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#include "image/itk_image_io.h"
#include "qidcm/error.h"
#include "qidcm/image_io.h"

namespace qidcm {
namespace {

using image::endsWith;
using image::IOComponent;
using image::ioFor;

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

// The fields of a NIfTI-1 or NIfTI-2 header that decide whether its voxels
// can be read directly.
struct NiftiHeader {
  std::uint32_t size = 0;  // sizeof_hdr: 348 (NIfTI-1) or 540 (NIfTI-2)
  bool swap = false;       // stored in the other byte order
  unsigned bitpix = 0;
  std::uint64_t offset = 0;  // vox_offset
  double slope = 0, inter = 0;
};

// Reads the header at the start of `in`. Throws, closing `in`, when it is
// truncated; returns false, closing `in`, when it is neither NIfTI-1 nor
// NIfTI-2.
bool readNiftiHeader(gzFile in, const std::string& path, NiftiHeader& header) {
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
  header.size = size;
  header.swap = swap;
  if (size == 348) {
    header.bitpix = static_cast<unsigned>(field(72, 2));
    header.offset = static_cast<std::uint64_t>(asFloat(field(108, 4)));
    header.slope = asFloat(field(112, 4));
    header.inter = asFloat(field(116, 4));
  } else if (size == 540) {
    if (gzread(in, h + 348, 540 - 348) != 540 - 348) {
      gzclose(in);
      throwInput(path, "", "truncated NIfTI-2 header");
    }
    header.bitpix = static_cast<unsigned>(field(14, 2));
    header.offset = field(168, 8);
    header.slope = asDouble(field(176, 8));
    header.inter = asDouble(field(184, 8));
  } else {
    gzclose(in);
    return false;
  }
  return true;
}

// Reads `bytes` of voxel data starting at byte `offset` of the file into
// `buffer`, and closes `in`. Throws when the data is corrupt or short.
void readVoxelData(gzFile in, const std::string& path, void* buffer, std::uint64_t bytes, std::uint64_t offset) {
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
  const char* text = gzerror(in, &code);
  const std::string message = text ? text : "";  // gzclose frees the text
  gzclose(in);
  if (code != Z_OK && code != Z_STREAM_END && code != Z_BUF_ERROR)
    throwInput(path, "", "corrupt gzip data: " + message);
  if (done < bytes)
    throwInput(path, "", "truncated: " + std::to_string(offset + done) + " bytes of image, the header needs " +
                             std::to_string(offset + bytes));
}

// Swaps the byte order of every `componentSize`-byte value in `buffer`.
void swapComponents(void* buffer, std::uint64_t bytes, unsigned componentSize) {
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
  NiftiHeader header;
  if (!readNiftiHeader(in, path, header)) return false;
  const double slope = header.slope, inter = header.inter;
  const bool scaled = !(slope == 0 || slope == 1) || inter != 0 || !std::isfinite(slope) || !std::isfinite(inter);
  if (scaled || header.bitpix != componentSize * 8 || header.offset < header.size) {
    gzclose(in);
    return false;
  }
  readVoxelData(in, path, buffer, bytes, header.offset);
  if (header.swap && componentSize > 1) swapComponents(buffer, bytes, componentSize);
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

}  // namespace qidcm
