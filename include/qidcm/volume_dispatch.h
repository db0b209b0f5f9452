#pragma once
// Implementation of dispatchPixelType (see volume.h).
#include <cstdint>

#include "qidcm/volume.h"

namespace qidcm {

template <typename F>
decltype(auto) dispatchPixelType(PixelType type, F&& f) {
  switch (type) {
    case PixelType::UInt8: return f(std::uint8_t{});
    case PixelType::Int8: return f(std::int8_t{});
    case PixelType::UInt16: return f(std::uint16_t{});
    case PixelType::Int16: return f(std::int16_t{});
    case PixelType::UInt32: return f(std::uint32_t{});
    case PixelType::Int32: return f(std::int32_t{});
    case PixelType::UInt64: return f(std::uint64_t{});
    case PixelType::Int64: return f(std::int64_t{});
    case PixelType::Float32: return f(float{});
    case PixelType::Float64: return f(double{});
  }
  return f(std::uint8_t{});
}

}  // namespace qidcm
