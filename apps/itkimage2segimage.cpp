// itkimage2segimage: label image(s) + JSON metadata + source DICOM -> DICOM SEG.
#include <cstdio>

#include "common/app.h"
#include "qidcm/error.h"
#include "qidcm/log.h"
#include "qidcm/seg/writer.h"

using namespace qidcm;

int main(int argc, char** argv) {
  std::vector<std::string> images, dicomList;
  std::string metadata, dicomDirectory, output;
  int skip = 1, geometryCheck = 1;
  bool useLabelID = false, noValueChecks = false, verbose = false;
  std::string type = "binary", compress = "none", fractionalType = "probability";
  double tolerance = 0.1;

  const app::Description description{
      "itkimage2segimage",
      "Convert label images (NRRD, NIfTI, MetaImage) and dcmqi-style JSON metadata into a DICOM Segmentation "
      "(BINARY, LABELMAP or FRACTIONAL) that references its source images.",
      "  itkimage2segimage --inputImageList liver.nrrd --inputMetadata seg.json \\\n"
      "      --inputDICOMDirectory ct/ --outputDICOM liver.seg.dcm\n"
      "  itkimage2segimage --inputImageList total.nii.gz --inputMetadata total.json \\\n"
      "      --inputDICOMDirectory ct/ --segmentationType labelmap --useLabelIDAsSegmentNumber \\\n"
      "      --compress deflate --outputDICOM total.seg.dcm\n"
      "  itkimage2segimage --inputImageList liver.nrrd,spine.nrrd --inputMetadata two.json \\\n"
      "      --inputDICOMList ct/01.dcm,ct/02.dcm,ct/03.dcm --outputDICOM two.seg.dcm\n"};

  return app::run(
      description, argc, argv,
      [&](CLI::App& a) {
        a.add_option("--inputImageList", images, "Label image file(s), comma-separated")->required();
        a.add_option("--inputMetadata", metadata, "Segmentation metadata JSON (dcmqi format)")->required();
        a.add_option("--inputDICOMList", dicomList, "Source DICOM file(s), comma-separated");
        a.add_option("--inputDICOMDirectory", dicomDirectory, "Directory searched recursively for source DICOM");
        a.add_option("--outputDICOM", output, "Output SEG file")->required();
        a.add_option("--skip", skip, "1: omit frames without foreground (default); 0: one frame per slice")
            ->default_val(1);
        a.add_option("--referencesGeometryCheck", geometryCheck,
                     "1: reference matching source images per frame (default); 0: reference all sources once")
            ->default_val(1);
        a.add_flag("--useLabelIDAsSegmentNumber", useLabelID, "Use label values as Segment Numbers");
        a.add_option("--segmentationType", type, "binary (default), labelmap or fractional")
            ->check(CLI::IsMember({"binary", "labelmap", "fractional", "BINARY", "LABELMAP", "FRACTIONAL"}));
        a.add_option("--fractionalType", fractionalType, "For fractional SEGs: probability (default) or occupancy")
            ->check(CLI::IsMember({"probability", "occupancy", "PROBABILITY", "OCCUPANCY"}));
        app::addCompressOption(a, compress, "binary SEGs: not jpegls");
        a.add_option("--sourceMatchTolerance", tolerance,
                     "Slice-to-source match tolerance, as a fraction of the slice spacing (default 0.1)")
            ->check(CLI::Range(0.0, 0.5));
        a.add_flag("--noDicomValueChecks", noValueChecks, "Write attribute values without checking their VR");
        a.add_flag("--verbose", verbose, "Print progress and the time of each phase");
      },
      [&] {
        log::setVerbose(verbose);
        seg::WriterOptions options;
        options.type = *seg::parseSegmentationType(type);
        options.fractionalType = *seg::parseSegmentationFractionalType(fractionalType);
        options.skipEmptySlices = skip != 0;
        options.referencesGeometryCheck = geometryCheck != 0;
        options.useLabelIDAsSegmentNumber = useLabelID;
        options.checkValues = !noValueChecks;
        options.compression = parseCompression(compress);
        options.matchTolerance = tolerance;
        seg::WriterFiles files;
        files.images = app::splitList(images);
        files.metadata = metadata;
        files.dicomFiles = app::splitList(dicomList);
        if (!dicomDirectory.empty()) files.dicomDirectories.push_back(dicomDirectory);
        files.output = output;
        const seg::WriteSummary s = seg::writeSegmentationFiles(files, options);
        std::printf("Saved segmentation as %s\n", output.c_str());
        log::debug(seg::toString(options.type) + ", " + std::to_string(s.segments) + " segment(s), " +
                   std::to_string(s.frames) + " frame(s), " + std::to_string(s.referencedInstances) +
                   " source instance(s) referenced, " + std::to_string(s.bytes) + " bytes");
      });
}
