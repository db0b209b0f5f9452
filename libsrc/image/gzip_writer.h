#pragma once
// gzip output on both cores, for the research-format image writers.
//
// The data is cut into blocks of kGzipBlock bytes that two threads compress
// independently (zlib, level 1, run-length strategy: masks and label maps are
// long runs of zeros, and it also compresses float maps better and faster
// than level 1's default strategy). Each block is raw DEFLATE ending on a
// byte boundary (a sync flush), the last one with the final-block bit, as
// pigz writes them: the result is ONE gzip member (RFC 1952) with one CRC,
// which every gzip reader reads, including those that stop after the first
// member. A block of zeros is compressed once and its bytes reused.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace qidcm::image {

constexpr std::size_t kGzipBlock = 1u << 20;

struct ByteSpan {
  const void* data;
  std::size_t size;
};

// Appends `parts`, concatenated, as one gzip member to the open file `fd`.
// Throws Error (Output) naming `shownPath` when a write fails.
void writeGzip(int fd, const std::vector<ByteSpan>& parts, const std::string& shownPath);

}  // namespace qidcm::image
