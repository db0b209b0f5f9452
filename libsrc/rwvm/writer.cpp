#include "qidcm/rwvm/writer.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <sys/stat.h>

#include "core/output_transaction.h"
#include "dcmtk/setup.h"
#include "dicom/dataset_util.h"
#include "dicom/file_writer.h"
#include "dicom/modules.h"
#include "iod/series.h"
#include "qidcm/error.h"
#include "qidcm/uid.h"

namespace qidcm::rwvm {
namespace {

const char* kRealWorldValueMappingStorage = "1.2.840.10008.5.1.4.1.1.67";

void checkCoverage(const Content& content, const std::string& outputPath) {
  std::vector<int> uses(content.images.size(), 0);
  for (const Mapping& m : content.mappings)
    for (std::size_t i : m.images) {
      if (i >= content.images.size())
        throwInternal("RWVM mapping refers to image " + std::to_string(i) + " of " +
                      std::to_string(content.images.size()));
      ++uses[i];
    }
  for (std::size_t i = 0; i < uses.size(); ++i)
    if (uses[i] != 1)
      throwInternal("RWVM for " + outputPath + ": image " + content.images[i].sopInstanceUID + " is in " +
                    std::to_string(uses[i]) + " mappings; each referenced image needs exactly one");
}

}  // namespace

WriteSummary writeRealWorldValueMapping(const Content& content, const std::string& outputPath) {
  dcmtk::configure();
  if (content.images.empty()) throwInput(content.contextPath, "", "no image to map");
  checkCoverage(content, outputPath);
  if (content.bitsStored == 0 || content.bitsStored > 16)
    throwInput(content.contextPath, "BitsStored (0028,0101)",
               "is " + std::to_string(content.bitsStored) +
                   "; a Real World Value Mapping maps 16-bit stored values (First/Last Value Mapped are US or SS)");
  const dicom::ValueWriter writer(true);
  DcmDataset ds;
  const dicom::SourceContext context = dicom::copyPatientStudyContext(ds, content.contextPath, writer, false);
  WriteSummary summary;
  summary.sopInstanceUID = newUid();
  dicom::writeSopCommon(ds, kRealWorldValueMappingStorage, summary.sopInstanceUID, writer);
  dicom::writeGeneralSeries(ds, "RWV", "", writer);
  SeriesAttributes attributes = content;
  if (attributes.bodyPartExamined.empty()) attributes.bodyPartExamined = context.bodyPartExamined;
  const iod::SeriesProfile& profile = iod::realWorldValueMappingProfile();
  iod::writeDicom(ds, attributes, profile, writer, "", iod::Level::Series);
  dicom::writeEquipment(ds, writer);
  dicom::writeContentDateTime(ds, writer);
  iod::writeDicom(ds, attributes, profile, writer, "", iod::Level::Instance);

  // First / Last Value Mapped span the stored range, in US or SS as the
  // referenced images' Pixel Representation is (PS3.3 C.7.6.16.2.11.1).
  const long lowest = content.pixelSigned ? -(1L << (content.bitsStored - 1)) : 0;
  const long highest = content.pixelSigned ? (1L << (content.bitsStored - 1)) - 1 : (1L << content.bitsStored) - 1;
  for (const Mapping& m : content.mappings) {
    if (m.images.empty()) continue;
    DcmItem& reference = dicom::appendItem(ds, DCM_ReferencedImageRealWorldValueMappingSequence);
    DcmItem& mapping = dicom::appendItem(reference, DCM_RealWorldValueMappingSequence);
    dicom::putUSorSS(mapping, DCM_RealWorldValueFirstValueMapped, lowest, content.pixelSigned);
    dicom::putUSorSS(mapping, DCM_RealWorldValueLastValueMapped, highest, content.pixelSigned);
    dicom::putFloat64(mapping, DCM_RealWorldValueIntercept, m.intercept);
    dicom::putFloat64(mapping, DCM_RealWorldValueSlope, m.slope);
    writer.put(mapping, DCM_LUTExplanation, m.lutExplanation);
    writer.put(mapping, DCM_LUTLabel, m.lutLabel);
    writer.putCode(mapping, DCM_MeasurementUnitsCodeSequence, m.units);
    for (const auto& [name, value] : m.quantityDefinition) {
      DcmItem& item = dicom::appendItem(mapping, DCM_QuantityDefinitionSequence);
      writer.put(item, DCM_ValueType, "CODE");
      writer.putCode(item, DCM_ConceptNameCodeSequence, name);
      writer.putCode(item, DCM_ConceptCodeSequence, value);
    }
    for (std::size_t i : m.images) {
      DcmItem& image = dicom::appendItem(reference, DCM_ReferencedImageSequence);
      writer.put(image, DCM_ReferencedSOPClassUID, content.images[i].sopClassUID);
      writer.put(image, DCM_ReferencedSOPInstanceUID, content.images[i].sopInstanceUID);
    }
    ++summary.mappings;
  }

  // Common Instance Reference: every image, in the series of the study.
  DcmItem& series = dicom::appendItem(ds, DCM_ReferencedSeriesSequence);
  writer.put(series, DCM_SeriesInstanceUID, content.seriesInstanceUID);
  for (const ReferencedImage& image : content.images) {
    DcmItem& item = dicom::appendItem(series, DCM_ReferencedInstanceSequence);
    writer.put(item, DCM_ReferencedSOPClassUID, image.sopClassUID);
    writer.put(item, DCM_ReferencedSOPInstanceUID, image.sopInstanceUID);
  }
  summary.images = content.images.size();

  OutputTransaction output;
  const std::string staged = output.stage(outputPath);
  dicom::writeStreamed(staged, ds, Compression::None, dicom::StreamedContent{});
  struct stat st;
  if (stat(staged.c_str(), &st) == 0) summary.bytes = static_cast<std::uint64_t>(st.st_size);
  output.commit();
  return summary;
}

}  // namespace qidcm::rwvm
