#include "image/gzip_writer.h"

#include <zlib.h>

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <stdexcept>

#include "core/parallel.h"
#include "qidcm/error.h"

namespace qidcm::image {
namespace {

struct Block {
  const unsigned char* data;
  std::size_t size;
  bool last;
};

struct Compressed {
  std::vector<unsigned char> bytes;
  const std::vector<unsigned char>* shared = nullptr;  // the zero block's bytes, when reused
  std::uint32_t crc = 0;
  const std::vector<unsigned char>& output() const { return shared ? *shared : bytes; }
};

class Deflater {
 public:
  Deflater() {
    if (deflateInit2(&stream_, 1, Z_DEFLATED, -15, 8, Z_RLE) != Z_OK) throw std::bad_alloc();
  }
  ~Deflater() { deflateEnd(&stream_); }
  Deflater(const Deflater&) = delete;
  Deflater& operator=(const Deflater&) = delete;

  // Raw DEFLATE of one block: ends on a byte boundary (sync flush), or with
  // the final block when `last`.
  void compress(const Block& b, std::vector<unsigned char>& out) {
    deflateReset(&stream_);
    out.resize(deflateBound(&stream_, static_cast<uLong>(b.size)) + 64);
    stream_.next_in = const_cast<Bytef*>(b.data);
    stream_.avail_in = static_cast<uInt>(b.size);
    stream_.next_out = out.data();
    stream_.avail_out = static_cast<uInt>(out.size());
    const int flush = b.last ? Z_FINISH : Z_SYNC_FLUSH;
    const int status = deflate(&stream_, flush);
    if ((b.last && status != Z_STREAM_END) || (!b.last && (status != Z_OK || stream_.avail_in != 0)))
      throw std::runtime_error("deflate failed");
    out.resize(out.size() - stream_.avail_out);
  }

 private:
  z_stream stream_{};
};

bool allZero(const unsigned char* p, std::size_t n) {
  static const unsigned char zeros[4096] = {};
  while (n >= sizeof zeros) {
    if (std::memcmp(p, zeros, sizeof zeros) != 0) return false;
    p += sizeof zeros;
    n -= sizeof zeros;
  }
  return std::memcmp(p, zeros, n) == 0;
}

// Writes through a buffer of 1 MB: one write() per megabyte of output.
class CheckedFd {
 public:
  static constexpr std::size_t kBuffer = 1u << 20;
  CheckedFd(int fd, const std::string& path) : fd_(fd), path_(path) { buffer_.reserve(kBuffer); }
  void write(const void* data, std::size_t size) {
    const auto* p = static_cast<const unsigned char*>(data);
    if (buffer_.size() + size > kBuffer) flush();
    if (size >= kBuffer) {
      writeAll(p, size);
    } else {
      buffer_.insert(buffer_.end(), p, p + size);
    }
  }
  void flush() {
    writeAll(buffer_.data(), buffer_.size());
    buffer_.clear();
  }

 private:
  void writeAll(const unsigned char* p, std::size_t size) {
    while (size > 0) {
      const ssize_t n = ::write(fd_, p, size);
      if (n < 0) {
        if (errno == EINTR) continue;
        throwOutput(path_, std::string("write failed: ") + std::strerror(errno));
      }
      p += n;
      size -= static_cast<std::size_t>(n);
    }
  }

  int fd_;
  const std::string& path_;
  std::vector<unsigned char> buffer_;
};

void putUint32(unsigned char* out, std::uint32_t v) {
  for (int n = 0; n < 4; ++n) out[n] = static_cast<unsigned char>((v >> (8 * n)) & 0xff);
}

}  // namespace

void writeGzip(int fd, const std::vector<ByteSpan>& parts, const std::string& shownPath) {
  std::vector<Block> blocks;
  std::uint64_t total = 0;
  for (const auto& part : parts) {
    const auto* p = static_cast<const unsigned char*>(part.data);
    for (std::size_t at = 0; at < part.size; at += kGzipBlock)
      blocks.push_back({p + at, std::min(kGzipBlock, part.size - at), false});
    total += part.size;
  }
  if (blocks.empty()) blocks.push_back({nullptr, 0, false});
  blocks.back().last = true;

  // The one compressed zero block, made when first needed.
  std::vector<unsigned char> zeroBytes;
  std::uint32_t zeroCrc = 0;
  std::once_flag zeroOnce;
  auto zeroBlock = [&](Deflater& d) {
    std::call_once(zeroOnce, [&] {
      const std::vector<unsigned char> zeros(kGzipBlock, 0);
      d.compress({zeros.data(), zeros.size(), false}, zeroBytes);
      zeroCrc = static_cast<std::uint32_t>(crc32(0L, zeros.data(), static_cast<uInt>(zeros.size())));
    });
  };

  CheckedFd out(fd, shownPath);
  const unsigned char header[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};  // deflate, no name, no time, Unix
  out.write(header, sizeof header);

  // Batches of blocks: both threads compress, then the blocks are written in
  // order. A batch bounds the memory held by compressed blocks.
  const std::size_t batch = 32;
  std::vector<Compressed> done(batch);
  Deflater deflaters[2];
  std::uint32_t crc = static_cast<std::uint32_t>(crc32(0L, Z_NULL, 0));
  for (std::size_t first = 0; first < blocks.size(); first += batch) {
    const std::size_t count = std::min(batch, blocks.size() - first);
    parallelFor(count, [&](int worker, std::size_t k) {
      const Block& b = blocks[first + k];
      Compressed& c = done[k];
      c.shared = nullptr;
      if (!b.last && b.size == kGzipBlock && allZero(b.data, b.size)) {
        zeroBlock(deflaters[worker]);
        c.shared = &zeroBytes;
        c.crc = zeroCrc;
        return;
      }
      deflaters[worker].compress(b, c.bytes);
      c.crc = static_cast<std::uint32_t>(crc32(0L, b.data, static_cast<uInt>(b.size)));
    });
    for (std::size_t k = 0; k < count; ++k) {
      const auto& bytes = done[k].output();
      out.write(bytes.data(), bytes.size());
      crc = static_cast<std::uint32_t>(crc32_combine(crc, done[k].crc, static_cast<z_off_t>(blocks[first + k].size)));
    }
  }
  unsigned char trailer[8];
  putUint32(trailer, crc);
  putUint32(trailer + 4, static_cast<std::uint32_t>(total & 0xffffffffu));
  out.write(trailer, sizeof trailer);
  out.flush();
}

}  // namespace qidcm::image
