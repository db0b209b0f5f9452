#include "qidcm/pm/reader.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcsequen.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sys/stat.h>

#include "core/output_transaction.h"
#include "dicom/dataset_util.h"
#include "dcmtk/setup.h"
#include "pixel/frame_source.h"
#include "dicom/functional_group_reader.h"
#include "iod/series.h"
#include "qidcm/error.h"
#include "qidcm/image_io.h"
#include "qidcm/log.h"
#include "qidcm/schema.h"
#include "qidcm/stack.h"

namespace qidcm::pm {
namespace {

using dicom::attributeName;
using dicom::getString;
using dicom::readCode;

const char* kParametricMapStorage = "1.2.840.10008.5.1.4.1.1.30";

bool is(const Code& concept, const char* sct, const char* srt, const char* meaning) {
  return concept.value == sct || concept.value == srt || concept.meaning == meaning;
}

void readRealWorldValueMapping(DcmItem& rwvm, Metadata& m, const std::string& path) {
  Float64 v = 0;
  if (rwvm.findAndGetFloat64(DCM_RealWorldValueSlope, v).good()) m.slope = v;
  if (rwvm.findAndGetFloat64(DCM_RealWorldValueIntercept, v).good()) m.intercept = v;
  if (auto units = readCode(rwvm, DCM_MeasurementUnitsCodeSequence)) {
    m.units = *units;
  } else {
    log::warning(path + ": Real World Value Mapping has no Measurement Units; reported as 1 (no units)");
    m.units = {"1", "UCUM", "no units", ""};
  }
  bool quantity = false;
  DcmSequenceOfItems* definitions = nullptr;
  if (rwvm.findAndGetSequence(DCM_QuantityDefinitionSequence, definitions).good() && definitions) {
    for (unsigned long n = 0; n < definitions->card(); ++n) {
      DcmItem& item = *definitions->getItem(n);
      const auto concept = readCode(item, DCM_ConceptNameCodeSequence);
      if (!concept) continue;
      const auto value = readCode(item, DCM_ConceptCodeSequence);
      if (is(*concept, "246205007", "G-C1C6", "Quantity") && value) {
        m.quantity = *value;
        quantity = true;
      } else if (is(*concept, "370129005", "G-C306", "Measurement Method") && value) {
        m.measurementMethod = *value;
      } else if (is(*concept, "113241", "113241", "Model fitting method") && value) {
        m.modelFittingMethod = *value;
      } else if (is(*concept, "113240", "113240", "Source image diffusion b-value")) {
        std::string b = getString(item, DCM_NumericValue);
        DcmItem* measured = nullptr;  // some writers nest it, as SR does
        if (b.empty() && item.findAndGetSequenceItem(DCM_MeasuredValueSequence, measured, 0).good() && measured)
          b = getString(*measured, DCM_NumericValue);
        if (!b.empty()) m.diffusionBValues.push_back(b);
      }
    }
  }
  if (!quantity) {
    log::warning(path + ": no Quantity in the Quantity Definition Sequence; the units' meaning stands in for it");
    m.quantity = {m.units.value, m.units.scheme, m.units.meaning, ""};
  }
}

qidcm::PixelType storedType(unsigned bits, Uint16 representation, bool floating) {
  if (floating) return bits == 64 ? qidcm::PixelType::Float64 : qidcm::PixelType::Float32;
  if (bits == 8) return representation ? qidcm::PixelType::Int8 : qidcm::PixelType::UInt8;
  return representation ? qidcm::PixelType::Int16 : qidcm::PixelType::UInt16;
}

// The map's metadata: series attributes, Image Type's contrast, the mapping,
// anatomy and derivation (from the shared functional groups).
void readMapMetadata(DcmDataset& ds, const dicom::FunctionalGroups& groups, const std::string& path, Metadata& m) {
  iod::readDicom(ds, iod::parametricMapProfile(), m);
  OFString contrast;
  if (ds.findAndGetOFString(DCM_ImageType, contrast, 3).good()) m.derivedPixelContrast = contrast.c_str();
  if (DcmItem* rwvm = groups.group(0, DCM_RealWorldValueMappingSequence)) {
    readRealWorldValueMapping(*rwvm, m, path);
  } else {
    throwInput(path, attributeName(DCM_RealWorldValueMappingSequence), "missing");
  }
  if (DcmItem* anatomy = groups.group(0, DCM_FrameAnatomySequence)) {
    const std::string laterality = getString(*anatomy, DCM_FrameLaterality);
    if (!laterality.empty()) m.frameLaterality = laterality;
    if (auto region = readCode(*anatomy, DCM_AnatomicRegionSequence)) m.anatomicRegion = *region;
  }
  if (DcmItem* derivation = groups.group(0, DCM_DerivationImageSequence)) {
    m.derivation = readCode(*derivation, DCM_DerivationCodeSequence);
    m.derivationDescription = getString(*derivation, DCM_DerivationDescription);
  }
}

// Each frame into its slice of `v`: the stored values, or (with `mapping`)
// stored * slope + intercept in v's floating-point type.
void placeFrames(const pixel::FrameSource& source, const StackPlacement& placement, qidcm::PixelType stored,
                 const Metadata* mapping, Volume& v) {
  const std::size_t plane = v.grid.slicePixels();
  std::vector<std::uint8_t> scratch;
  for (std::size_t f = 0; f < placement.slice.size(); ++f) {
    const pixel::FrameSource::Frame fr = source.frame(f, scratch);
    const std::size_t offset = placement.slice[f] * plane;
    dispatchPixelType(stored, [&](auto storedZero) {
      using S = decltype(storedZero);
      const auto* in = reinterpret_cast<const S*>(fr.data);
      if (!mapping) {
        std::memcpy(v.samples<S>() + offset, in, plane * sizeof(S));
        return;
      }
      dispatchPixelType(v.type, [&](auto outZero) {
        using O = decltype(outZero);
        if constexpr (std::is_floating_point_v<O>) {
          O* out = v.samples<O>() + offset;
          for (std::size_t p = 0; p < plane; ++p)
            out[p] = static_cast<O>(static_cast<double>(in[p]) * mapping->slope + mapping->intercept);
        }
      });
    });
  }
}

}  // namespace

ReadResult readParametricMap(const std::string& path, const ReaderOptions& options) {
  dcmtk::configure();
  struct stat st;
  if (stat(path.c_str(), &st) != 0) throwInput(path, "", "file not found");
  DcmFileFormat file;
  // Pixel data stays on disk and is read frame by frame (see FrameSource).
  OFCondition status = file.loadFile(path.c_str(), EXS_Unknown, EGL_noChange, pixel::kDeferredValueLength, ERM_autoDetect);
  if (status.bad()) throwInput(path, "", std::string("not a readable DICOM file (") + status.text() + ")");
  DcmDataset& ds = *file.getDataset();
  const std::string sopClass = getString(ds, DCM_SOPClassUID);
  if (sopClass != kParametricMapStorage)
    throwInput(path, attributeName(DCM_SOPClassUID),
               (sopClass.empty() ? std::string("missing") : "is " + sopClass) + ", not a Parametric Map");
  dicom::warnNonconformingValues(ds, path);
  Sint32 declaredFrames = 0;
  if (ds.findAndGetSint32(DCM_NumberOfFrames, declaredFrames).bad() || declaredFrames <= 0)
    throwInput(path, attributeName(DCM_NumberOfFrames), "missing or not positive");
  const auto frames = static_cast<std::size_t>(declaredFrames);
  const dicom::FunctionalGroups groups(ds, path, frames);
  const std::string transferSyntax = getString(*file.getMetaInfo(), DCM_TransferSyntaxUID);
  pixel::FrameSource source(ds, transferSyntax, path, frames);
  const bool floating = ds.tagExists(DCM_FloatPixelData) || ds.tagExists(DCM_DoubleFloatPixelData);
  Uint16 representation = 0;
  ds.findAndGetUint16(DCM_PixelRepresentation, representation);

  // Geometry: frames placed by position, whatever their order in the file.
  const FrameStack stack = dicom::readFrameStack(groups, path, source.rows(), source.columns());
  const StackPlacement placement = placeFrames(stack, path);

  ReadResult result;
  result.frames = frames;
  result.transferSyntax = source.transferSyntaxName();
  Metadata& m = result.metadata;
  m.sourceFile = path;
  readMapMetadata(ds, groups, path, m);

  // Pixels.
  const unsigned bits = source.bitsAllocated();
  if (bits == 1) throwInput(path, attributeName(DCM_BitsAllocated), "is 1; a parametric map has no single-bit pixels");
  const qidcm::PixelType stored = storedType(bits, representation, floating);
  Volume& v = result.image;
  v.grid = placement.grid;
  v.type = options.realWorldValues ? (stored == qidcm::PixelType::Float64 ? qidcm::PixelType::Float64
                                                                           : qidcm::PixelType::Float32)
                                   : stored;
  v.allocate(path);
  placeFrames(source, placement, stored, options.realWorldValues ? &m : nullptr, v);
  return result;
}

ReadResult readParametricMapToFiles(const std::string& input, const std::string& outputDirectory,
                                    const std::string& prefix, const std::string& outputType,
                                    const ReaderOptions& options) {
  const std::string extension = imageExtension(outputType);
  createDirectories(outputDirectory);
  OutputTransaction output;
  const std::string stem = outputDirectory + "/" + (prefix.empty() ? "" : prefix + "-");
  output.stage(stem + "meta.json");
  ReadResult result = readParametricMap(input, options);
  writeImage(output.stage(stem + "pmap" + extension), result.image, true);
  nlohmann::json json = toJson(result.metadata);
  if (repairUtf8(json))
    log::warning(input + ": text that is not valid UTF-8 was replaced by U+FFFD in the metadata");
  validateReaderOutput(SchemaId::ParametricMap, json, input);
  writeTextFile(output.stage(stem + "meta.json"), json.dump(2) + "\n", stem + "meta.json");
  output.commit();
  return result;
}

}  // namespace qidcm::pm
