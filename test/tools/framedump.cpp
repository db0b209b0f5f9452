// Test helper: decodes every frame of a DICOM image through qidcm's frame
// decoder (the one the SEG and PM readers use) and writes them one after the
// other as raw bytes: single-bit frames packed, each from a byte boundary;
// other samples little endian, as stored (colour: as its planar configuration).
// Usage: qidcm-test-framedump <dicom> <out.raw>
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcmetinf.h>

#include <cstdio>
#include <fstream>

#include "pixel/bits.h"
#include "dicom/dataset_util.h"
#include "dcmtk/setup.h"
#include "pixel/frame_source.h"
#include "qidcm/error.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: qidcm-test-framedump <dicom> <out.raw>\n");
    return 2;
  }
  try {
    qidcm::dcmtk::configure();
    DcmFileFormat file;
    if (file.loadFile(argv[1], EXS_Unknown, EGL_noChange, qidcm::pixel::kDeferredValueLength).bad()) {
      std::fprintf(stderr, "cannot read %s\n", argv[1]);
      return 1;
    }
    Sint32 frames = 1;
    file.getDataset()->findAndGetSint32(DCM_NumberOfFrames, frames);
    const std::string ts = qidcm::dicom::getString(*file.getMetaInfo(), DCM_TransferSyntaxUID);
    qidcm::pixel::FrameSource source(*file.getDataset(), ts, argv[1], static_cast<std::size_t>(frames));
    std::ofstream out(argv[2], std::ios::binary);
    const std::size_t samples = source.pixelsPerFrame() * source.samplesPerPixel();
    std::vector<std::uint8_t> scratch, packed;
    for (std::size_t f = 0; f < source.frames(); ++f) {
      const auto frame = source.frame(f, scratch);
      if (source.bitsAllocated() == 1) {
        std::vector<std::uint8_t> bits(samples);
        qidcm::pixel::unpackBits(frame.data, frame.bitOffset, samples, bits.data());
        packed.assign((samples + 7) / 8, 0);
        qidcm::pixel::packBits(bits.data(), samples, packed.data());
        out.write(reinterpret_cast<const char*>(packed.data()), static_cast<std::streamsize>(packed.size()));
      } else {
        out.write(reinterpret_cast<const char*>(frame.data),
                  static_cast<std::streamsize>(samples * (source.bitsAllocated() / 8)));
      }
    }
    std::printf("%zu frames\n", source.frames());
    return out ? 0 : 1;
  } catch (const qidcm::Error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
}
