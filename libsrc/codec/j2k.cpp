#include "codec/j2k.h"

#include <openjpeg.h>

#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>

namespace qidcm::codec {
namespace {

struct MemoryStream {
  const std::uint8_t* data;
  std::size_t size;
  std::size_t position;
};

OPJ_SIZE_T readStream(void* buffer, OPJ_SIZE_T bytes, void* user) {
  auto* s = static_cast<MemoryStream*>(user);
  if (s->position >= s->size) return static_cast<OPJ_SIZE_T>(-1);
  const OPJ_SIZE_T n = std::min<OPJ_SIZE_T>(bytes, s->size - s->position);
  std::memcpy(buffer, s->data + s->position, n);
  s->position += n;
  return n;
}

OPJ_OFF_T skipStream(OPJ_OFF_T bytes, void* user) {
  auto* s = static_cast<MemoryStream*>(user);
  if (bytes < 0) {
    const auto back = static_cast<std::size_t>(-bytes);
    if (back > s->position) return -1;
    s->position -= back;
    return bytes;
  }
  const auto n = std::min<std::size_t>(static_cast<std::size_t>(bytes), s->size - s->position);
  s->position += n;
  return static_cast<OPJ_OFF_T>(n);
}

OPJ_BOOL seekStream(OPJ_OFF_T offset, void* user) {
  auto* s = static_cast<MemoryStream*>(user);
  if (offset < 0 || static_cast<std::size_t>(offset) > s->size) return OPJ_FALSE;
  s->position = static_cast<std::size_t>(offset);
  return OPJ_TRUE;
}

void quiet(const char*, void*) {}

}  // namespace

void j2kDecodeFrame(const std::uint8_t* data, std::size_t size, std::size_t columns, std::size_t rows,
                    unsigned bytesPerSample, std::vector<std::uint8_t>& out) {
  if (size < 12) throw std::runtime_error("JPEG 2000 frame too short");
  // A JP2 file starts with a signature box; a raw codestream with SOC (FF 4F).
  const bool jp2 = !(data[0] == 0xFF && data[1] == 0x4F);
  std::unique_ptr<opj_codec_t, void (*)(opj_codec_t*)> codec(opj_create_decompress(jp2 ? OPJ_CODEC_JP2 : OPJ_CODEC_J2K),
                                                               opj_destroy_codec);
  if (!codec) throw std::runtime_error("cannot create a JPEG 2000 decoder");
  opj_set_error_handler(codec.get(), quiet, nullptr);
  opj_set_warning_handler(codec.get(), quiet, nullptr);
  opj_set_info_handler(codec.get(), quiet, nullptr);
  opj_dparameters_t parameters;
  opj_set_default_decoder_parameters(&parameters);
  if (!opj_setup_decoder(codec.get(), &parameters)) throw std::runtime_error("cannot set up the JPEG 2000 decoder");

  MemoryStream memory{data, size, 0};
  std::unique_ptr<opj_stream_t, void (*)(opj_stream_t*)> stream(opj_stream_create(1 << 16, OPJ_TRUE),
                                                                opj_stream_destroy);
  opj_stream_set_user_data(stream.get(), &memory, nullptr);
  opj_stream_set_user_data_length(stream.get(), size);
  opj_stream_set_read_function(stream.get(), readStream);
  opj_stream_set_skip_function(stream.get(), skipStream);
  opj_stream_set_seek_function(stream.get(), seekStream);

  opj_image_t* raw = nullptr;
  if (!opj_read_header(stream.get(), codec.get(), &raw)) throw std::runtime_error("invalid JPEG 2000 header");
  std::unique_ptr<opj_image_t, void (*)(opj_image_t*)> image(raw, opj_image_destroy);
  if (!opj_decode(codec.get(), stream.get(), image.get()) || !opj_end_decompress(codec.get(), stream.get()))
    throw std::runtime_error("JPEG 2000 decoding failed");
  if (image->numcomps != 1)
    throw std::runtime_error("JPEG 2000 frame has " + std::to_string(image->numcomps) + " components, 1 expected");
  const opj_image_comp_t& c = image->comps[0];
  if (c.w != columns || c.h != rows)
    throw std::runtime_error("JPEG 2000 frame is " + std::to_string(c.w) + "x" + std::to_string(c.h) + ", " +
                             std::to_string(columns) + "x" + std::to_string(rows) + " expected");
  if (!c.data) throw std::runtime_error("JPEG 2000 frame holds no samples");
  const std::size_t samples = columns * rows;
  out.resize(samples * bytesPerSample);
  const long maximum = bytesPerSample == 1 ? 255 : 65535;
  for (std::size_t n = 0; n < samples; ++n) {
    long v = c.data[n];
    if (v < 0 || v > maximum) throw std::runtime_error("JPEG 2000 sample " + std::to_string(v) + " out of range");
    if (bytesPerSample == 1) {
      out[n] = static_cast<std::uint8_t>(v);
    } else {
      out[2 * n] = static_cast<std::uint8_t>(v & 0xff);
      out[2 * n + 1] = static_cast<std::uint8_t>(v >> 8);
    }
  }
}

}  // namespace qidcm::codec
