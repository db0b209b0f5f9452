#include "pm/document.h"

#include <dcmtk/dcmdata/dcdeftag.h>

#include <cctype>
#include <cmath>

#include "dicom/functional_groups.h"
#include "dicom/modules.h"
#include "iod/series.h"
#include "qidcm/error.h"
#include "qidcm/uid.h"

namespace qidcm::pm {
namespace {

const char* kParametricMapStorage = "1.2.840.10008.5.1.4.1.1.30";

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

Code quantityConcept() { return {"246205007", "SCT", "Quantity", ""}; }
Code measurementMethodConcept() { return {"370129005", "SCT", "Measurement Method", ""}; }
Code modelFittingConcept() { return {"113241", "DCM", "Model fitting method", ""}; }
Code bValueConcept() { return {"113240", "DCM", "Source image diffusion b-value", ""}; }
Code bValueUnits() { return {"s/mm2", "UCUM", "s/mm2", ""}; }

}  // namespace

unsigned bitsAllocated(PixelType type) {
  switch (type) {
    case PixelType::Float64: return 64;
    case PixelType::Int16:
    case PixelType::UInt16: return 16;
    default: return 32;
  }
}

bool isFloating(PixelType type) { return type == PixelType::Float32 || type == PixelType::Float64; }

Document::Document(const Grid& grid, const std::vector<std::size_t>& slices, const Metadata& metadata,
                   const PixelDescription& pixels, const source::SourceReferences& references,
                   const std::string& modality, const WriterOptions& options)
    : grid_(grid),
      slices_(slices),
      metadata_(metadata),
      pixels_(pixels),
      references_(references),
      modality_(modality),
      writer_(options.checkValues),
      sopInstanceUID_(newUid()) {}

std::unique_ptr<DcmDataset> Document::head() const {
  auto ds = std::make_unique<DcmDataset>();
  const std::string& json = metadata_.sourceFile;
  const dicom::SourceContext context = references_.writePatientStudy(*ds, writer_);
  const iod::SeriesProfile& profile = iod::parametricMapProfile();
  bool utf8 = iod::needsUtf8(metadata_, profile);
  for (const std::string* t : {&metadata_.derivationDescription, &metadata_.quantity.meaning, &metadata_.units.meaning})
    utf8 = utf8 || !dicom::isAscii(*t);
  if (utf8) dicom::useUtf8(*ds, json);

  dicom::writeSopCommon(*ds, kParametricMapStorage, sopInstanceUID_, writer_);
  dicom::writeGeneralSeries(*ds, modality_, "", writer_);
  // Series Number, Series Description, Body Part Examined (upper case; when
  // empty, the source's).
  SeriesAttributes attributes = metadata_;
  attributes.bodyPartExamined = upper(attributes.bodyPartExamined.empty() ? context.bodyPartExamined
                                                                          : attributes.bodyPartExamined);
  iod::writeDicom(*ds, attributes, profile, writer_, json, iod::Level::Series);
  dicom::writeEquipment(*ds, writer_);

  // General Image (Instance Number, Content Identification), Parametric Map
  // Image, Image Pixel.
  const std::string contrast = upper(metadata_.derivedPixelContrast.empty() ? "NONE" : metadata_.derivedPixelContrast);
  writer_.put(*ds, DCM_ImageType, "DERIVED\\PRIMARY\\VOLUME\\" + contrast, {json, "DerivedPixelContrast"});
  iod::writeDicom(*ds, attributes, profile, writer_, json, iod::Level::Instance);
  writer_.put(*ds, DCM_PatientOrientation, "");
  dicom::writeContentDateTime(*ds, writer_);
  writer_.put(*ds, DCM_ContentQualification, "RESEARCH");
  writer_.put(*ds, DCM_PixelPresentation, "MONOCHROME");
  writer_.putUint16(*ds, DCM_SamplesPerPixel, 1);
  writer_.put(*ds, DCM_PhotometricInterpretation, "MONOCHROME2");
  writer_.putUint16(*ds, DCM_Rows, static_cast<Uint16>(grid_.rows()));
  writer_.putUint16(*ds, DCM_Columns, static_cast<Uint16>(grid_.columns()));
  const unsigned bits = bitsAllocated(pixels_.type);
  writer_.putUint16(*ds, DCM_BitsAllocated, static_cast<Uint16>(bits));
  if (!isFloating(pixels_.type)) {
    writer_.putUint16(*ds, DCM_BitsStored, 16);
    writer_.putUint16(*ds, DCM_HighBit, 15);
    writer_.putUint16(*ds, DCM_PixelRepresentation, pixels_.type == PixelType::Int16 ? 1 : 0);
  }
  writer_.put(*ds, DCM_NumberOfFrames, std::to_string(slices_.size()));
  writer_.put(*ds, DCM_BurnedInAnnotation, "NO");
  writer_.put(*ds, DCM_RecognizableVisualFeatures, "NO");
  writer_.put(*ds, DCM_LossyImageCompression, "00");
  writer_.put(*ds, DCM_PresentationLUTShape, "IDENTITY");
  dicom::ensureSequence(*ds, DCM_AcquisitionContextSequence);

  dicom::writeDimensions(*ds, {{DCM_ImagePositionPatient, DCM_PlanePositionSequence, "Image Position Patient"}},
                         writer_);

  // Shared functional groups.
  DcmItem& shared = dicom::appendItem(*ds, DCM_SharedFunctionalGroupsSequence);
  dicom::writePixelMeasures(shared, grid_, writer_);
  dicom::writePlaneOrientation(shared, grid_, writer_);
  DcmItem& anatomy = dicom::appendItem(shared, DCM_FrameAnatomySequence);
  writer_.put(anatomy, DCM_FrameLaterality, metadata_.frameLaterality, {json, "FrameLaterality"});
  writer_.putCode(anatomy, DCM_AnatomicRegionSequence, metadata_.anatomicRegion, {json, "AnatomicRegionSequence"});
  DcmItem& identity = dicom::appendItem(shared, DCM_PixelValueTransformationSequence);
  writer_.put(identity, DCM_RescaleIntercept, "0");
  writer_.put(identity, DCM_RescaleSlope, "1");
  writer_.put(identity, DCM_RescaleType, "US");
  DcmItem& frameType = dicom::appendItem(shared, DCM_ParametricMapFrameTypeSequence);
  writer_.put(frameType, DCM_FrameType, "DERIVED\\PRIMARY\\VOLUME\\" + contrast);
  if (pixels_.maximum > pixels_.minimum) {
    DcmItem& voi = dicom::appendItem(shared, DCM_FrameVOILUTSequence);
    writer_.put(voi, DCM_WindowCenter, formatDS((pixels_.maximum + pixels_.minimum) / 2));
    writer_.put(voi, DCM_WindowWidth, formatDS(pixels_.maximum - pixels_.minimum));
    // Quantities are often far below 1 (ADC in mm2/s): LINEAR_EXACT allows any width.
    writer_.put(voi, DCM_VOILUTFunction, "LINEAR_EXACT");
  }
  writeRealWorldValueMapping(shared);
  references_.writeSharedReferences(shared, writer_);
  references_.writeCommonInstanceReference(*ds, context.studyInstanceUID, writer_);
  return ds;
}

void Document::writeRealWorldValueMapping(DcmItem& shared) const {
  const std::string& json = metadata_.sourceFile;
  DcmItem& rwvm = dicom::appendItem(shared, DCM_RealWorldValueMappingSequence);
  if (isFloating(pixels_.type)) {
    dicom::putFloat64(rwvm, DCM_DoubleFloatRealWorldValueFirstValueMapped, pixels_.minimum);
    dicom::putFloat64(rwvm, DCM_DoubleFloatRealWorldValueLastValueMapped, pixels_.maximum);
  } else {
    const bool isSigned = pixels_.type == PixelType::Int16;
    dicom::putUSorSS(rwvm, DCM_RealWorldValueFirstValueMapped, std::lround(pixels_.minimum), isSigned);
    dicom::putUSorSS(rwvm, DCM_RealWorldValueLastValueMapped, std::lround(pixels_.maximum), isSigned);
  }
  dicom::putFloat64(rwvm, DCM_RealWorldValueIntercept, metadata_.intercept);
  dicom::putFloat64(rwvm, DCM_RealWorldValueSlope, metadata_.slope);
  writer_.put(rwvm, DCM_LUTExplanation, metadata_.units.meaning, {json, "MeasurementUnitsCode.CodeMeaning"});
  if (metadata_.lutLabel.empty())
    writer_.put(rwvm, DCM_LUTLabel, metadata_.units.value.substr(0, 16), {json, "MeasurementUnitsCode.CodeValue"});
  else
    writer_.put(rwvm, DCM_LUTLabel, metadata_.lutLabel);
  writer_.putCode(rwvm, DCM_MeasurementUnitsCodeSequence, metadata_.units, {json, "MeasurementUnitsCode"});
  auto codeItem = [&](const Code& concept, const Code& value, const std::string& key) {
    DcmItem& item = dicom::appendItem(rwvm, DCM_QuantityDefinitionSequence);
    writer_.put(item, DCM_ValueType, "CODE");
    writer_.putCode(item, DCM_ConceptNameCodeSequence, concept);
    writer_.putCode(item, DCM_ConceptCodeSequence, value, {json, key});
  };
  codeItem(quantityConcept(), metadata_.quantity, "QuantityValueCode");
  if (metadata_.measurementMethod)
    codeItem(measurementMethodConcept(), *metadata_.measurementMethod, "MeasurementMethodCode");
  if (metadata_.modelFittingMethod)
    codeItem(modelFittingConcept(), *metadata_.modelFittingMethod, "ModelFittingMethodCode");
  for (std::size_t n = 0; n < metadata_.diffusionBValues.size(); ++n) {
    DcmItem& item = dicom::appendItem(rwvm, DCM_QuantityDefinitionSequence);
    writer_.put(item, DCM_ValueType, "NUMERIC");
    writer_.putCode(item, DCM_ConceptNameCodeSequence, bValueConcept());
    // Content Item Macro (PS3.3 Table 10-2): the value sits in the item itself.
    writer_.put(item, DCM_NumericValue, metadata_.diffusionBValues[n],
                {json, "SourceImageDiffusionBValues[" + std::to_string(n) + "]"});
    writer_.putCode(item, DCM_MeasurementUnitsCodeSequence, bValueUnits());
  }
}

void Document::fillPerFrame(std::size_t frame, DcmItem& item) const {
  const std::size_t slice = slices_[frame];
  dicom::writeFrameContent(item, {static_cast<Uint32>(frame + 1)}, writer_);
  dicom::writePlanePosition(item, grid_.slicePosition(slice), writer_);
  references_.writeFrameReferences(0, slice, item, writer_);
}

}  // namespace qidcm::pm
