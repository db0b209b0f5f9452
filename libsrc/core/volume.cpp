#include "qidcm/volume.h"

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

void Buffer::zero() {
  if (size_) std::memset(data_.get(), 0, size_);
}

void Volume::allocate() { buffer = Buffer(byteCount()); }

double Volume::sampleAsDouble(std::size_t voxel, std::size_t component) const {
  const std::size_t index = planar ? component * grid.voxels() + voxel : voxel * components + component;
  return dispatchPixelType(type, [&](auto zero) -> double {
    using T = decltype(zero);
    return static_cast<double>(samples<T>()[index]);
  });
}

}  // namespace qidcm
