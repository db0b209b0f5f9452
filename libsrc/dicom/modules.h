#pragma once
// IOD modules shared by every object qidcm writes (SEG, PM, SR): patient and
// study context copied from a source instance, series, equipment, content
// identification and SOP common.
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcitem.h>

#include <string>

#include "dicom/dataset_util.h"

namespace qidcm::dicom {

// What the copied context says that the caller needs.
struct SourceContext {
  std::string studyInstanceUID;
  std::string bodyPartExamined;
  bool frameOfReference = false;  // a Frame of Reference UID was copied
};

// Copies the Patient, Clinical Trial Subject, General Study, Patient Study and
// Clinical Trial Study modules, the Frame of Reference module (when asked and
// the source has one) and Specific Character Set from the header of
// `sourcePath`, and adds the Type 2 attributes of those modules that the
// source lacks, empty.
SourceContext copyPatientStudyContext(DcmItem& target, const std::string& sourcePath, const ValueWriter& writer,
                                      bool withFrameOfReference);
// The same, from a dataset already in memory (`origin` names it in messages).
SourceContext copyPatientStudyContext(DcmItem& target, DcmItem& source, const std::string& origin,
                                      const ValueWriter& writer, bool withFrameOfReference);

// General Series: Modality, Series Instance UID (generated when empty),
// Series Date and Time (now). Series Number, Series Description and Body Part
// Examined are the IOD's series attributes (iod/series.h).
void writeGeneralSeries(DcmItem& target, const std::string& modality, const std::string& seriesInstanceUID,
                        const ValueWriter& writer);

// General Equipment and Enhanced General Equipment: qidcm as manufacturer,
// its version as software version.
void writeEquipment(DcmItem& target, const ValueWriter& writer);

// SOP Common; Instance Creation and Content Date/Time are set to now.
void writeSopCommon(DcmItem& target, const std::string& sopClassUID, const std::string& sopInstanceUID,
                    const ValueWriter& writer);
void writeContentDateTime(DcmItem& target, const ValueWriter& writer);

// The manufacturer / model / version strings qidcm writes.
std::string manufacturerName();
std::string softwareVersion();

}  // namespace qidcm::dicom
