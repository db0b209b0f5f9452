#pragma once
// A voxel buffer in its stored pixel type, on a Grid. This is what the
// research-format readers produce and the DICOM readers hand back; no ITK type
// appears here.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "qidcm/geometry.h"

namespace qidcm {

enum class PixelType { UInt8, Int8, UInt16, Int16, UInt32, Int32, UInt64, Int64, Float32, Float64 };

std::size_t bytesPerSample(PixelType type);
bool isInteger(PixelType type);
bool isSigned(PixelType type);
const char* pixelTypeName(PixelType type);

// Byte storage, zero-filled on allocation (calloc: the pages of a large
// buffer are mapped on first write, so an image that stays mostly empty
// costs little memory). Move-only: copies of volumes are explicit (clone).
class Buffer {
 public:
  Buffer() = default;
  explicit Buffer(std::size_t bytes);  // throws std::bad_alloc
  // Memory that belongs to someone else (a NumPy array's): neither copied nor
  // freed. `owner` (may be null) is kept alive as long as the buffer is; with
  // none, the memory must outlive the buffer.
  static Buffer external(std::uint8_t* data, std::size_t bytes, std::shared_ptr<void> owner);
  std::uint8_t* data() { return data_ ? data_.get() : external_; }
  const std::uint8_t* data() const { return data_ ? data_.get() : external_; }
  std::size_t size() const { return size_; }
  bool owned() const { return external_ == nullptr; }
  void zero();

 private:
  struct Free {
    void operator()(std::uint8_t* p) const;
  };
  std::unique_ptr<std::uint8_t, Free> data_;
  std::uint8_t* external_ = nullptr;
  std::shared_ptr<void> owner_;
  std::size_t size_ = 0;
};

// Move-only (it owns its buffer): fill containers with emplace_back or
// vector(n) rather than initializer lists, and copy with clone().
struct Volume {
  Grid grid;
  PixelType type = PixelType::UInt8;
  // Samples per voxel. Vector images store components interleaved (voxel-major);
  // 4-D images are read as one component per 3-D volume, stored one volume after
  // the other (component-major), which `planar` records.
  std::size_t components = 1;
  bool planar = false;
  Buffer buffer;

  std::size_t sampleCount() const { return grid.voxels() * components; }
  std::size_t byteCount() const { return sampleCount() * bytesPerSample(type); }

  // Allocates the buffer for the current grid, type and components. A size
  // beyond this machine's physical memory (a broken or hostile header) is
  // refused before allocating: Error (Input) naming `origin`, the file the
  // size came from.
  void allocate(const std::string& origin = "");

  // A deep copy (grid, type, components and voxels).
  Volume clone() const;

  // The voxels as their stored C++ type: T must match `type` (uint8_t for
  // UInt8, float for Float32, ...; dispatchPixelType picks it). Voxel
  // (i, j, k) is at grid.index(i, j, k) (times components when interleaved).
  template <typename T>
  T* samples() { return reinterpret_cast<T*>(buffer.data()); }
  template <typename T>
  const T* samples() const { return reinterpret_cast<const T*>(buffer.data()); }

  // Sample `component` of voxel `voxel` (linear index), converted to double.
  double sampleAsDouble(std::size_t voxel, std::size_t component = 0) const;
};

// A zero-filled volume of `type` on `grid` (calloc: pages of slices never
// written are never mapped). `origin` names the source in the error a too
// large grid gives.
Volume emptyVolume(const Grid& grid, PixelType type, const std::string& origin);

// Calls f(const T* samples) with the buffer cast to its stored type.
template <typename F>
decltype(auto) dispatchPixelType(PixelType type, F&& f);

}  // namespace qidcm

#include "qidcm/volume_dispatch.h"
