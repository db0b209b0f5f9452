#include "qidcm/volume.h"

#include <unistd.h>
#include <cstdio>
#include "qidcm/error.h"
#include <cstdlib>
#include <cstring>

namespace qidcm {

std::size_t bytesPerSample(PixelType type) {
  switch (type) {
    case PixelType::UInt8:
    case PixelType::Int8: return 1;
    case PixelType::UInt16:
    case PixelType::Int16: return 2;
    case PixelType::UInt32:
    case PixelType::Int32:
    case PixelType::Float32: return 4;
    case PixelType::UInt64:
    case PixelType::Int64:
    case PixelType::Float64: return 8;
  }
  return 1;
}

bool isInteger(PixelType type) { return type != PixelType::Float32 && type != PixelType::Float64; }

bool isSigned(PixelType type) {
  switch (type) {
    case PixelType::Int8:
    case PixelType::Int16:
    case PixelType::Int32:
    case PixelType::Int64:
    case PixelType::Float32:
    case PixelType::Float64: return true;
    default: return false;
  }
}

const char* pixelTypeName(PixelType type) {
  switch (type) {
    case PixelType::UInt8: return "uint8";
    case PixelType::Int8: return "int8";
    case PixelType::UInt16: return "uint16";
    case PixelType::Int16: return "int16";
    case PixelType::UInt32: return "uint32";
    case PixelType::Int32: return "int32";
    case PixelType::UInt64: return "uint64";
    case PixelType::Int64: return "int64";
    case PixelType::Float32: return "float32";
    case PixelType::Float64: return "float64";
  }
  return "unknown";
}

Buffer::Buffer(std::size_t bytes) : size_(bytes) {
  if (bytes == 0) return;
  data_.reset(static_cast<std::uint8_t*>(std::calloc(bytes, 1)));
  if (!data_) throw std::bad_alloc();
}

void Buffer::Free::operator()(std::uint8_t* p) const { std::free(p); }

Buffer Buffer::external(std::uint8_t* data, std::size_t bytes, std::shared_ptr<void> owner) {
  Buffer b;
  b.external_ = data;
  b.owner_ = std::move(owner);
  b.size_ = bytes;
  return b;
}

void Buffer::zero() {
  if (size_) std::memset(data(), 0, size_);
}

namespace {
std::uint64_t physicalMemory() {
  const long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGE_SIZE);
  return pages > 0 && size > 0 ? static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(size) : 0;
}

std::string gigabytes(long double bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f GB", static_cast<double>(bytes / 1e9L));
  return text;
}
}  // namespace

void Volume::allocate(const std::string& origin) {
  // In long double: a hostile header's sizes can overflow 64 bits.
  const long double bytes = static_cast<long double>(grid.size[0]) * grid.size[1] * grid.size[2] * components *
                            bytesPerSample(type);
  const std::uint64_t memory = physicalMemory();
  if (memory > 0 && bytes > static_cast<long double>(memory))
    throw Error(ErrorKind::Input, origin, "",
                "an image of " + std::to_string(grid.size[0]) + "x" + std::to_string(grid.size[1]) + "x" +
                    std::to_string(grid.size[2]) + (components > 1 ? "x" + std::to_string(components) : "") + " " +
                    pixelTypeName(type) + " voxels needs " + gigabytes(bytes) + ", more than this machine's " +
                    gigabytes(static_cast<long double>(memory)) + " of memory");
  try {
    buffer = Buffer(byteCount());
  } catch (const std::bad_alloc&) {
    throw Error(ErrorKind::Input, origin, "", "not enough memory for an image of " + gigabytes(bytes));
  }
}

Volume Volume::clone() const {
  Volume copy;
  copy.grid = grid;
  copy.type = type;
  copy.components = components;
  copy.planar = planar;
  if (buffer.size()) {
    copy.buffer = Buffer(buffer.size());
    std::memcpy(copy.buffer.data(), buffer.data(), buffer.size());
  }
  return copy;
}

double Volume::sampleAsDouble(std::size_t voxel, std::size_t component) const {
  const std::size_t index = planar ? component * grid.voxels() + voxel : voxel * components + component;
  return dispatchPixelType(type, [&](auto zero) -> double {
    using T = decltype(zero);
    return static_cast<double>(samples<T>()[index]);
  });
}

Volume emptyVolume(const Grid& grid, PixelType type, const std::string& origin) {
  Volume v;
  v.grid = grid;
  v.type = type;
  v.allocate(origin);
  return v;
}

}  // namespace qidcm
