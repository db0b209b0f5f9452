#include "pixel/j2k.h"

#include <openjpeg.h>

#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>

namespace qidcm::pixel {
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

struct GrowingStream {
  std::vector<std::uint8_t> data;
  std::size_t position = 0;
};

OPJ_SIZE_T writeStream(void* buffer, OPJ_SIZE_T bytes, void* user) {
  auto* s = static_cast<GrowingStream*>(user);
  if (s->position + bytes > s->data.size()) s->data.resize(s->position + bytes);
  std::memcpy(s->data.data() + s->position, buffer, bytes);
  s->position += bytes;
  return bytes;
}

OPJ_OFF_T skipWriteStream(OPJ_OFF_T bytes, void* user) {
  auto* s = static_cast<GrowingStream*>(user);
  if (bytes < 0 && static_cast<std::size_t>(-bytes) > s->position) return -1;
  s->position = static_cast<std::size_t>(static_cast<OPJ_OFF_T>(s->position) + bytes);
  if (s->position > s->data.size()) s->data.resize(s->position);
  return bytes;
}

OPJ_BOOL seekWriteStream(OPJ_OFF_T offset, void* user) {
  auto* s = static_cast<GrowingStream*>(user);
  if (offset < 0) return OPJ_FALSE;
  s->position = static_cast<std::size_t>(offset);
  if (s->position > s->data.size()) s->data.resize(s->position);
  return OPJ_TRUE;
}

}  // namespace

std::vector<std::uint8_t> j2kEncodeFrame(const std::uint8_t* samples, std::size_t columns, std::size_t rows,
                                         unsigned bytesPerSample, unsigned precision, bool isSigned) {
  opj_image_cmptparm_t component;
  std::memset(&component, 0, sizeof component);
  component.dx = component.dy = 1;
  component.w = static_cast<OPJ_UINT32>(columns);
  component.h = static_cast<OPJ_UINT32>(rows);
  component.prec = precision;
  component.sgnd = isSigned ? 1 : 0;
  std::unique_ptr<opj_image_t, void (*)(opj_image_t*)> image(
      opj_image_create(1, &component, OPJ_CLRSPC_GRAY), opj_image_destroy);
  if (!image) throw std::runtime_error("cannot create a JPEG 2000 image");
  image->x0 = image->y0 = 0;
  image->x1 = component.w;
  image->y1 = component.h;
  OPJ_INT32* out = image->comps[0].data;
  const std::size_t n = columns * rows;
  for (std::size_t p = 0; p < n; ++p) {
    if (bytesPerSample == 1) {
      out[p] = isSigned ? static_cast<std::int8_t>(samples[p]) : samples[p];
    } else {
      const std::uint16_t v = static_cast<std::uint16_t>(samples[2 * p] | (samples[2 * p + 1] << 8));
      out[p] = isSigned ? static_cast<std::int16_t>(v) : v;
    }
  }
  opj_cparameters_t parameters;
  opj_set_default_encoder_parameters(&parameters);
  parameters.irreversible = 0;  // 5-3 reversible wavelet: lossless
  parameters.tcp_numlayers = 1;
  parameters.tcp_rates[0] = 0;  // no rate allocation: lossless
  parameters.cp_disto_alloc = 1;
  // Resolution levels: as many as the smaller side allows, up to OpenJPEG's default of 6.
  int levels = 6;
  while (levels > 1 && ((columns >> (levels - 1)) == 0 || (rows >> (levels - 1)) == 0)) --levels;
  parameters.numresolution = levels;
  std::unique_ptr<opj_codec_t, void (*)(opj_codec_t*)> codec(opj_create_compress(OPJ_CODEC_J2K), opj_destroy_codec);
  if (!codec) throw std::runtime_error("cannot create a JPEG 2000 encoder");
  opj_set_error_handler(codec.get(), quiet, nullptr);
  opj_set_warning_handler(codec.get(), quiet, nullptr);
  opj_set_info_handler(codec.get(), quiet, nullptr);
  if (!opj_setup_encoder(codec.get(), &parameters, image.get()))
    throw std::runtime_error("cannot set up the JPEG 2000 encoder");
  GrowingStream memory;
  std::unique_ptr<opj_stream_t, void (*)(opj_stream_t*)> stream(opj_stream_create(1 << 16, OPJ_FALSE),
                                                                opj_stream_destroy);
  opj_stream_set_user_data(stream.get(), &memory, nullptr);
  opj_stream_set_write_function(stream.get(), writeStream);
  opj_stream_set_skip_function(stream.get(), skipWriteStream);
  opj_stream_set_seek_function(stream.get(), seekWriteStream);
  if (!opj_start_compress(codec.get(), image.get(), stream.get()) || !opj_encode(codec.get(), stream.get()) ||
      !opj_end_compress(codec.get(), stream.get()))
    throw std::runtime_error("JPEG 2000 encoding failed");
  memory.data.resize(memory.position);
  return std::move(memory.data);
}

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
  // Signed samples (a signed parametric map) come back as two's complement.
  const long minimum = c.sgnd ? (bytesPerSample == 1 ? -128 : -32768) : 0;
  const long maximum = c.sgnd ? (bytesPerSample == 1 ? 127 : 32767) : (bytesPerSample == 1 ? 255 : 65535);
  for (std::size_t n = 0; n < samples; ++n) {
    long v = c.data[n];
    if (v < minimum || v > maximum) throw std::runtime_error("JPEG 2000 sample " + std::to_string(v) + " out of range");
    if (v < 0) v += bytesPerSample == 1 ? 256 : 65536;
    if (bytesPerSample == 1) {
      out[n] = static_cast<std::uint8_t>(v);
    } else {
      out[2 * n] = static_cast<std::uint8_t>(v & 0xff);
      out[2 * n + 1] = static_cast<std::uint8_t>(v >> 8);
    }
  }
}

}  // namespace qidcm::pixel
