// itkimage2paramap: parametric map image + JSON metadata + source DICOM -> DICOM Parametric Map.
#include <cstdio>

#include "common/app.h"
#include "qidcm/log.h"
#include "qidcm/pm/writer.h"

using namespace qidcm;

int main(int argc, char** argv) {
  std::string image, metadata, output, dicomDirectory, pixelType = "auto", compress = "none";
  std::vector<std::string> dicomList;
  bool noValueChecks = false, verbose = false;
  double tolerance = 0.1;

  const app::Description description{
      "itkimage2paramap",
      "Convert a parametric map image (NRRD, NIfTI, MetaImage) and dcmqi-style JSON metadata into a DICOM "
      "Parametric Map, stored as float32, float64 or 16-bit integers, that references its source images.",
      "  itkimage2paramap --inputImage adc.nrrd --inputMetadata pm.json --inputDICOMDirectory mr/ \\\n"
      "      --outputDICOM adc.pm.dcm\n"
      "  itkimage2paramap --inputImage ktrans.nii.gz --inputMetadata ktrans.json --inputDICOMList a.dcm,b.dcm \\\n"
      "      --outputDICOM ktrans.dcm --pixelType float64\n"};

  return app::run(
      description, argc, argv,
      [&](CLI::App& a) {
        a.add_option("--inputImage", image, "Parametric map image")->required();
        a.add_option("--inputMetadata", metadata, "Parametric map metadata JSON (dcmqi format)")->required();
        a.add_option("--outputDICOM", output, "Output Parametric Map file")->required();
        a.add_option("--inputDICOMDirectory", dicomDirectory, "Directory searched recursively for source DICOM");
        a.add_option("--inputDICOMList", dicomList, "Source DICOM file(s), comma-separated");
        a.add_option("--pixelType", pixelType, "auto (default), float32, float64, int16 or uint16")
            ->check(CLI::IsMember({"auto", "float32", "float64", "int16", "uint16"}));
        app::addCompressOption(a, compress, "float maps: none or deflate");
        a.add_option("--sourceMatchTolerance", tolerance,
                     "Slice-to-source match tolerance, as a fraction of the slice spacing (default 0.1)")
            ->check(CLI::Range(0.0, 0.5));
        a.add_flag("--noDicomValueChecks", noValueChecks, "Write attribute values without checking their VR");
        a.add_flag("--verbose", verbose, "Print progress and the time of each phase");
      },
      [&] {
        log::setVerbose(verbose);
        pm::WriterOptions options;
        options.pixelType = pm::parsePixelType(pixelType);
        options.checkValues = !noValueChecks;
        options.matchTolerance = tolerance;
        options.compression = parseCompression(compress);
        pm::WriterFiles files;
        files.image = image;
        files.metadata = metadata;
        files.dicomFiles = app::splitList(dicomList);
        if (!dicomDirectory.empty()) files.dicomDirectories.push_back(dicomDirectory);
        files.output = output;
        const pm::WriteSummary s = pm::writeParametricMapFiles(files, options);
        std::printf("Saved parametric map as %s\n", output.c_str());
        log::debug(pm::toString(s.pixelType) + " pixels, " + std::to_string(s.frames) + " frame(s), modality " +
                   s.modality + ", " + std::to_string(s.referencedInstances) + " source instance(s) referenced");
      });
}
