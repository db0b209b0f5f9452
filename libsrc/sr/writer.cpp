#include "qidcm/sr/writer.h"

#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmsr/dsrdoc.h>

#include <nlohmann/json.hpp>

#include "core/output_transaction.h"
#include "dicom/dataset_util.h"
#include "dcmtk/setup.h"
#include "dicom/file_writer.h"
#include "dicom/modules.h"
#include "iod/series.h"
#include "qidcm/error.h"
#include "qidcm/log.h"
#include "qidcm/uid.h"
#include "sr/references.h"
#include "sr/report_content.h"

namespace qidcm::sr {
namespace {

// The instance whose Patient and Study modules the report takes: the
// segmentation when there is one, else the first composite context or image
// library instance.
const ReferencedInstance* primaryInstance(const std::vector<ReferencedInstance>& context,
                                          const std::vector<ReferencedInstance>& images) {
  for (const auto& r : context)
    if (r.sopClassUID == UID_SegmentationStorage) return &r;
  if (!context.empty()) return &context.front();
  if (!images.empty()) return &images.front();
  return nullptr;
}

void warnOnMixedPatients(const ReferencedInstance& primary, const std::vector<ReferencedInstance>& context,
                         const std::vector<ReferencedInstance>& images) {
  std::size_t others = 0;
  const ReferencedInstance* example = nullptr;
  for (const auto* list : {&context, &images})
    for (const auto& r : *list)
      if (r.patientID != primary.patientID || r.studyInstanceUID != primary.studyInstanceUID) {
        if (!example) example = &r;
        ++others;
      }
  if (example)
    log::warning(std::to_string(others) + " referenced instance(s) belong to another patient or study than " +
                 primary.path + " (patient '" + primary.patientID + "'), which the report's Patient and Study " +
                 "come from; e.g. " + example->path + " (patient '" + example->patientID + "')");
}

void check(const OFCondition& status, const std::string& file, const std::string& key, const std::string& what) {
  if (status.bad()) throwInput(file, key, what + ": " + status.text());
}

}  // namespace

WriteSummary writeMeasurementReport(const Metadata& md, const WriterPaths& paths) {
  dcmtk::configure();
  const std::string& file = md.sourceFile;
  if (md.verified && !md.complete)
    throwInput(file, "VerificationFlag", "VERIFIED requires CompletionFlag COMPLETE");
  if (md.observer.type == Observer::Type::Device && md.observer.deviceUID.empty())
    throwInput(file, "observerContext.DeviceObserverUID", "required for a DEVICE observer");
  if (md.observer.type == Observer::Type::Person && md.observer.personName.empty())
    throwInput(file, "observerContext.PersonObserverName", "required for a PERSON observer");

  const std::vector<ReferencedInstance> context =
      resolveReferences(md.compositeContext, paths.compositeContextDirectory, file, "compositeContext");
  const std::vector<ReferencedInstance> images =
      resolveReferences(md.imageLibrary, paths.imageLibraryDirectory, file, "imageLibrary");

  const bool utf8 = !dicom::isAscii(toJson(md).dump());
  DSRDocument document(DSRTypes::DT_EnhancedSR);
  if (utf8) check(document.setSpecificCharacterSetType(DSRTypes::CS_UTF8), file, "", "character set");
  const ContentCounts counts = buildReportContent(document.getTree(), md, context, images);
  if (counts.measurements == 0 && counts.groups > 0)
    log::warning(file + ": no measurement could be stored; the report holds its groups only");

  WriteSummary summary;
  for (const auto* list : {&context, &images})
    for (const auto& r : *list) {
      check(document.getCurrentRequestedProcedureEvidence().addItem(r.studyInstanceUID, r.seriesInstanceUID,
                                                                     r.sopClassUID, r.sopInstanceUID),
            r.path, "", "evidence");
      ++summary.evidenceInstances;
    }
  if (md.complete) check(document.completeDocument(), file, "CompletionFlag", "completing the report");
  if (md.verified) {
    const std::string verifier = md.observer.type == Observer::Type::Person
                                     ? md.observer.personName
                                     : (md.observer.deviceName.empty() ? "Unknown" : md.observer.deviceName);
    check(document.verifyDocument(verifier.c_str(), "Unspecified"), file, "VerificationFlag", "verifying the report");
  }

  DcmFileFormat output;
  DcmDataset& dataset = *output.getDataset();
  check(document.write(dataset), file, "", "encoding the report");

  const dicom::ValueWriter writer(true);
  if (const ReferencedInstance* primary = primaryInstance(context, images)) {
    warnOnMixedPatients(*primary, context, images);
    DcmItem patientStudy;
    dicom::copyPatientStudyContext(patientStudy, *primary->header->getDataset(), primary->path, writer, false);
    if (utf8) dicom::useUtf8(patientStudy, primary->path);
    for (unsigned long i = 0; i < patientStudy.card(); ++i) {
      DcmElement* element = patientStudy.getElement(i);
      dataset.insert(static_cast<DcmElement*>(element->clone()), OFTrue);
    }
  } else {
    log::warning(file + ": no compositeContext or imageLibrary instance: Patient and Study are left empty");

  }
  summary.sopInstanceUID = newUid();
  writer.put(dataset, DCM_SOPInstanceUID, summary.sopInstanceUID);
  writer.put(dataset, DCM_SeriesInstanceUID, newUid());
  iod::writeDicom(dataset, md, iod::measurementReportProfile(), writer, file);
  dicom::writeEquipment(dataset, writer);

  OutputTransaction transaction;
  const std::string staged = transaction.stage(paths.output);
  dicom::writeStreamed(staged, dataset, Compression::None, dicom::StreamedContent{});
  transaction.commit();

  summary.groups = counts.groups;
  summary.measurements = counts.measurements;
  summary.skippedMeasurements = counts.skipped;
  summary.imageLibraryEntries = counts.imageLibraryEntries;
  return summary;
}

}  // namespace qidcm::sr
