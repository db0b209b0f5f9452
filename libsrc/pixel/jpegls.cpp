#include "pixel/jpegls.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcpixel.h>
#include <dcmtk/dcmdata/dcpixseq.h>
#include <dcmtk/dcmdata/dcpxitem.h>
#include <dcmtk/dcmjpls/djencode.h>
#include <dcmtk/dcmjpls/djrparam.h>

#include <mutex>
#include <stdexcept>
#include <string>

namespace qidcm::pixel {

// DCMTK's JPEG-LS encoder (its bundled CharLS), so that what qidcm writes is
// what DCMTK's decoder reads; it works on a data set, so each frame becomes a
// one-frame data set of its own. DCMTK's codec list takes a read lock per
// call and the encoder keeps no state between calls, so the two encoding
// threads call it concurrently.
std::vector<std::uint8_t> jpeglsEncodeFrame(const std::uint8_t* samples, std::size_t columns, std::size_t rows,
                                            unsigned bytesPerSample) {
  static std::once_flag registered;
  std::call_once(registered, [] {
    DJLSEncoderRegistration::registerCodecs(0, 0, 0, 0, /*preferCookedEncoding=*/OFFalse, /*fragmentSize=*/0,
                                            /*createOffsetTable=*/OFTrue, EJLSUC_never);
  });
  DcmDataset ds;
  const Uint16 bits = static_cast<Uint16>(8 * bytesPerSample);
  ds.putAndInsertUint16(DCM_Rows, static_cast<Uint16>(rows));
  ds.putAndInsertUint16(DCM_Columns, static_cast<Uint16>(columns));
  ds.putAndInsertUint16(DCM_SamplesPerPixel, 1);
  ds.putAndInsertString(DCM_PhotometricInterpretation, "MONOCHROME2");
  ds.putAndInsertUint16(DCM_BitsAllocated, bits);
  ds.putAndInsertUint16(DCM_BitsStored, bits);
  ds.putAndInsertUint16(DCM_HighBit, static_cast<Uint16>(bits - 1));
  ds.putAndInsertUint16(DCM_PixelRepresentation, 0);
  const std::size_t bytes = columns * rows * bytesPerSample;
  OFCondition status = bytesPerSample == 1
                           ? ds.putAndInsertUint8Array(DCM_PixelData, samples, static_cast<unsigned long>(bytes))
                           : ds.putAndInsertUint16Array(DCM_PixelData, reinterpret_cast<const Uint16*>(samples),
                                                        static_cast<unsigned long>(bytes / 2));
  if (status.bad()) throw std::runtime_error(std::string("JPEG-LS: ") + status.text());
  const DJLSRepresentationParameter lossless(0, OFTrue);
  status = ds.chooseRepresentation(EXS_JPEGLSLossless, &lossless);
  if (status.bad()) throw std::runtime_error(std::string("JPEG-LS encoding failed: ") + status.text());
  DcmElement* element = nullptr;
  ds.findAndGetElement(DCM_PixelData, element);
  auto* pixelData = dynamic_cast<DcmPixelData*>(element);
  DcmPixelSequence* sequence = nullptr;
  if (!pixelData || pixelData->getEncapsulatedRepresentation(EXS_JPEGLSLossless, &lossless, sequence).bad() ||
      !sequence || sequence->card() < 2)
    throw std::runtime_error("JPEG-LS encoding produced no fragment");
  std::vector<std::uint8_t> out;
  for (unsigned long n = 1; n < sequence->card(); ++n) {
    DcmPixelItem* item = nullptr;
    Uint8* data = nullptr;
    if (sequence->getItem(item, n).bad() || !item || item->getUint8Array(data).bad()) continue;
    if (data) out.insert(out.end(), data, data + item->getLength());
  }
  return out;
}

}  // namespace qidcm::pixel
