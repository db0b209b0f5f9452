#include "qidcm/uid.h"

#include <chrono>
#include <cstdint>
#include <mutex>
#include <random>

namespace qidcm {
namespace {
std::mt19937_64& generator() {
  static std::mt19937_64 gen = [] {
    std::random_device rd;
    std::seed_seq seq{rd(), rd(), rd(), rd(),
                      static_cast<unsigned>(std::chrono::high_resolution_clock::now().time_since_epoch().count())};
    return std::mt19937_64(seq);
  }();
  return gen;
}

// Decimal rendering of the 128-bit value hi:lo.
std::string toDecimal(std::uint64_t hi, std::uint64_t lo) {
  std::string digits;
  while (hi != 0 || lo != 0) {
    // Divide the 128-bit number by 10, 32 bits at a time.
    std::uint64_t parts[4] = {hi >> 32, hi & 0xffffffffu, lo >> 32, lo & 0xffffffffu};
    std::uint64_t remainder = 0;
    for (auto& p : parts) {
      const std::uint64_t cur = (remainder << 32) | p;
      p = cur / 10;
      remainder = cur % 10;
    }
    hi = (parts[0] << 32) | parts[1];
    lo = (parts[2] << 32) | parts[3];
    digits.insert(digits.begin(), static_cast<char>('0' + remainder));
  }
  return digits.empty() ? "0" : digits;
}
}  // namespace

std::string newUid() {
  static std::mutex mutex;
  std::uint64_t hi, lo;
  {
    std::lock_guard<std::mutex> lock(mutex);
    hi = generator()();
    lo = generator()();
  }
  // UUID version 4, variant 1.
  hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
  return std::string(kUidRoot) + "." + toDecimal(hi, lo);
}

}  // namespace qidcm
