// bin2labelsegimage: BINARY DICOM SEG -> Label Map DICOM SEG.
#include <cstdio>

#include "common/app.h"
#include "qidcm/error.h"
#include "qidcm/log.h"
#include "qidcm/seg/convert.h"

using namespace qidcm;

int main(int argc, char** argv) {
  std::string input, output, compress = "none";
  bool palette = false, force16 = false, noCheck = false, verbose = false;

  const app::Description description{
      "bin2labelsegimage",
      "Convert a BINARY DICOM Segmentation into a Label Map Segmentation (one frame per position, pixel value = "
      "Segment Number). Segments must not overlap.",
      "  bin2labelsegimage --inputDICOM liver.seg.dcm --outputDICOM liver.labelmap.dcm\n"
      "  bin2labelsegimage --inputDICOM total.seg.dcm --outputDICOM total.labelmap.dcm --usePalette --compress deflate\n"};

  return app::run(
      description, argc, argv,
      [&](CLI::App& a) {
        a.add_option("--inputDICOM", input, "BINARY DICOM Segmentation")->required();
        a.add_option("--outputDICOM", output, "Label Map Segmentation to write")->required();
        a.add_flag("--usePalette", palette, "PALETTE COLOR with a colour table from the segment colours");
        a.add_flag("--force16Bit", force16, "16-bit pixels even when every Segment Number fits 8 bits");
        app::addCompressOption(a, compress, "");
        a.add_flag("--noCheck", noCheck, "Write attribute values without checking them");
        a.add_flag("--verbose", verbose, "Print progress");
      },
      [&] {
        log::setVerbose(verbose);
        seg::LabelmapConversionOptions options;
        options.palette = palette;
        options.force16Bit = force16;
        options.compression = parseCompression(compress);
        options.checkValues = !noCheck;
        const seg::WriteSummary s = seg::convertToLabelmap(input, output, options);
        std::printf("Saved label map segmentation as %s\n", output.c_str());
        log::debug(std::to_string(s.segments) + " segment(s), " + std::to_string(s.frames) + " frame(s)");
      });
}
