// rtstruct2segimage: RT Structure Set + its image series -> DICOM SEG.
#include <cstdio>

#include "common/app.h"
#include "qidcm/log.h"
#include "qidcm/rtstruct/convert.h"

using namespace qidcm;

int main(int argc, char** argv) {
  std::string input, dicomDirectory, output, type = "binary", compress = "none", metadata, outputDirectory,
      outputType = "nrrd";
  int skip = 1;
  double planeTolerance = -1;
  bool verbose = false;

  const app::Description description{
      "rtstruct2segimage",
      "Convert an RT Structure Set into a DICOM Segmentation on the image series it references: each ROI with a "
      "closed contour becomes a segment (rules: doc/rtstruct-rasterization.md).",
      "  rtstruct2segimage --inputRTSTRUCT rs.dcm --inputDICOMDirectory ct/ --outputDICOM seg.dcm\n"
      "  rtstruct2segimage --inputRTSTRUCT rs.dcm --inputDICOMDirectory study/ --outputDICOM seg.dcm \\\n"
      "      --segmentationType labelmap --compress deflate\n"
      "  rtstruct2segimage --inputRTSTRUCT rs.dcm --inputDICOMDirectory ct/ --outputDICOM seg.dcm \\\n"
      "      --inputMetadata codes.json --outputDirectory labels/\n"
      "      -> codes.json's segments (matched by ROINumber, else SegmentLabel = ROI Name, else labelID = ROI Number)\n"
      "         override\n"
      "         the ROIs' codes; labels/1.nrrd ... and labels/meta.json as segimage2itkimage writes them\n"};

  return app::run(
      description, argc, argv,
      [&](CLI::App& a) {
        a.add_option("--inputRTSTRUCT", input, "RT Structure Set file")->required();
        a.add_option("--inputDICOMDirectory", dicomDirectory,
                     "Directory searched recursively for the referenced image series")
            ->required();
        a.add_option("--outputDICOM", output, "Output SEG file")->required();
        a.add_option("--segmentationType", type, "binary (default) or labelmap (ROIs must not overlap)")
            ->check(CLI::IsMember({"binary", "labelmap", "BINARY", "LABELMAP"}));
        a.add_option("--skip", skip, "1: omit frames without foreground (default); 0: one frame per slice")
            ->default_val(1);
        app::addCompressOption(a, compress, "binary SEGs: not jpegls");
        a.add_option("--inputMetadata", metadata,
                     "dcmqi SEG JSON overriding segment attributes (by ROI name or number) and series attributes");
        a.add_option("--outputDirectory", outputDirectory,
                     "Also write the label image(s) and meta.json here, as segimage2itkimage writes them "
                     "(meta.json's codingNote marks generic property codes to fill in)");
        a.add_option("-t,--outputType", outputType, "Image format in --outputDirectory: nrrd (default), mhd, mha, "
                                                    "nii, nifti, hdr or img")
            ->check(CLI::IsMember({"nrrd", "mhd", "mha", "nii", "nifti", "hdr", "img"}));
        a.add_option("--planeTolerance", planeTolerance,
                     "mm from a slice within which a contour lies on it silently (default: a tenth of the spacing)")
            ->check(CLI::Range(0.0, 1e6));
        a.add_flag("--verbose", verbose, "Print progress and the time of each phase");
      },
      [&] {
        log::setVerbose(verbose);
        rtstruct::ConvertOptions options;
        options.writer.type = *seg::parseSegmentationType(type);
        options.writer.skipEmptySlices = skip != 0;
        options.writer.compression = parseCompression(compress);
        options.planeTolerance = planeTolerance;
        options.metadataPath = metadata;
        options.outputDirectory = outputDirectory;
        options.outputType = outputType;
        const rtstruct::ConvertSummary s = rtstruct::convertStructureSet(input, {dicomDirectory}, output, options);
        std::printf("Saved segmentation as %s: %zu of %zu ROI(s), %zu contour(s) on series %s\n", output.c_str(),
                    s.segments, s.rois, s.contours, s.seriesInstanceUID.c_str());
      });
}
