#include "dicom/modules.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>

#include "qidcm/error.h"
#include "qidcm/uid.h"
#include "qidcm/version.h"

namespace qidcm::dicom {
namespace {

struct CopiedAttribute {
  DcmTagKey key;
  bool type2;  // must be present (possibly empty) when the module is
};

// Patient, Clinical Trial Subject, General Study, Patient Study and Clinical
// Trial Study modules (PS3.3 C.7.1.1, C.7.1.3, C.7.2.1, C.7.2.2, C.7.2.3).
const CopiedAttribute kContext[] = {
    {DCM_PatientName, true},
    {DCM_PatientID, true},
    {DCM_IssuerOfPatientID, false},
    {DCM_IssuerOfPatientIDQualifiersSequence, false},
    {DCM_PatientBirthDate, true},
    {DCM_PatientBirthTime, false},
    {DCM_PatientSex, true},
    {DCM_OtherPatientIDsSequence, false},
    {DCM_EthnicGroup, false},
    {DCM_PatientComments, false},
    {DCM_PatientSpeciesDescription, false},
    {DCM_PatientSpeciesCodeSequence, false},
    {DCM_PatientBreedDescription, false},
    {DCM_PatientBreedCodeSequence, false},
    {DCM_BreedRegistrationSequence, false},
    {DCM_ResponsiblePerson, false},
    {DCM_ResponsibleOrganization, false},
    {DCM_PatientIdentityRemoved, false},
    {DCM_DeidentificationMethod, false},
    {DCM_DeidentificationMethodCodeSequence, false},
    {DCM_ClinicalTrialSponsorName, false},
    {DCM_ClinicalTrialProtocolID, false},
    {DCM_ClinicalTrialProtocolName, false},
    {DCM_ClinicalTrialSiteID, false},
    {DCM_ClinicalTrialSiteName, false},
    {DCM_ClinicalTrialSubjectID, false},
    {DCM_ClinicalTrialSubjectReadingID, false},
    {DCM_StudyInstanceUID, false},
    {DCM_StudyDate, true},
    {DCM_StudyTime, true},
    {DCM_ReferringPhysicianName, true},
    {DCM_StudyID, true},
    {DCM_AccessionNumber, true},
    {DCM_IssuerOfAccessionNumberSequence, false},
    {DCM_StudyDescription, false},
    {DCM_ProcedureCodeSequence, false},
    {DCM_AdmittingDiagnosesDescription, false},
    {DCM_PatientAge, false},
    {DCM_PatientSize, false},
    {DCM_PatientWeight, false},
    {DCM_Occupation, false},
    {DCM_AdditionalPatientHistory, false},
    {DCM_PatientSexNeutered, false},
    {DCM_ClinicalTrialProtocolEthicsCommitteeName, false},
    {DCM_ClinicalTrialProtocolEthicsCommitteeApprovalNumber, false},
};

}  // namespace

SourceContext copyPatientStudyContext(DcmItem& target, const std::string& sourcePath, const ValueWriter& writer,
                                      bool withFrameOfReference) {
  DcmFileFormat file;
  OFCondition status =
      file.loadFileUntilTag(sourcePath.c_str(), EXS_Unknown, EGL_noChange, 65536, ERM_autoDetect, DCM_PixelData);
  if (status.bad()) throwInput(sourcePath, "", std::string("cannot re-read source header: ") + status.text());
  return copyPatientStudyContext(target, *file.getDataset(), sourcePath, writer, withFrameOfReference);
}

SourceContext copyPatientStudyContext(DcmItem& target, DcmItem& source, const std::string& sourcePath,
                                      const ValueWriter& writer, bool withFrameOfReference) {
  const Origin origin{sourcePath, ""};
  auto copy = [&](const DcmTagKey& key, bool type2) {
    DcmElement* element = nullptr;
    if (source.findAndGetElement(key, element, OFFalse, OFTrue /*createCopy*/).good() && element &&
        element->getLength() == 0 && !type2) {
      // An empty optional attribute is left out (an empty Type 1C one would be an error).
      delete element;
      element = nullptr;
    }
    if (element) {
      try {
        writer.checkCopied(*element, origin);
      } catch (...) {
        delete element;
        throw;
      }
      target.insert(element, OFTrue);
    } else if (type2) {
      target.insertEmptyElement(key);
    }
  };
  copy(DCM_SpecificCharacterSet, false);
  for (const auto& a : kContext) copy(a.key, a.type2);
  if (getString(target, DCM_StudyInstanceUID).empty())
    throwInput(sourcePath, attributeName(DCM_StudyInstanceUID), "missing in the source image");
  SourceContext context;
  context.studyInstanceUID = getString(target, DCM_StudyInstanceUID);
  context.bodyPartExamined = getString(source, DCM_BodyPartExamined);
  if (withFrameOfReference && !getString(source, DCM_FrameOfReferenceUID).empty()) {
    copy(DCM_FrameOfReferenceUID, false);
    copy(DCM_PositionReferenceIndicator, true);
    context.frameOfReference = true;
  }
  return context;
}

void writeGeneralSeries(DcmItem& target, const std::string& modality, const std::string& seriesInstanceUID,
                        const ValueWriter& writer) {
  writer.put(target, DCM_Modality, modality);
  writer.put(target, DCM_SeriesInstanceUID, seriesInstanceUID.empty() ? newUid() : seriesInstanceUID);
  writer.put(target, DCM_SeriesDate, currentDate());
  writer.put(target, DCM_SeriesTime, currentTime());
}

std::string manufacturerName() { return "qidcm"; }

std::string softwareVersion() {
  std::string v = QIDCM_VERSION;
  const std::string rev = QIDCM_GIT_REVISION;
  if (!rev.empty()) v += "-" + rev;
  return v;
}

void writeEquipment(DcmItem& target, const ValueWriter& writer) {
  writer.put(target, DCM_Manufacturer, manufacturerName());
  writer.put(target, DCM_ManufacturerModelName, "qidcm");
  writer.put(target, DCM_DeviceSerialNumber, "1");
  writer.put(target, DCM_SoftwareVersions, softwareVersion());
}

void writeContentDateTime(DcmItem& target, const ValueWriter& writer) {
  writer.put(target, DCM_ContentDate, currentDate());
  writer.put(target, DCM_ContentTime, currentTime());
}

void writeSopCommon(DcmItem& target, const std::string& sopClassUID, const std::string& sopInstanceUID,
                    const ValueWriter& writer) {
  writer.put(target, DCM_SOPClassUID, sopClassUID);
  writer.put(target, DCM_SOPInstanceUID, sopInstanceUID);
  writer.put(target, DCM_InstanceCreationDate, currentDate());
  writer.put(target, DCM_InstanceCreationTime, currentTime());
}

}  // namespace qidcm::dicom
