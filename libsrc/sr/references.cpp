#include "sr/references.h"

#include <dcmtk/dcmdata/dcdeftag.h>

#include <filesystem>
#include <optional>

#include "dicom/dataset_util.h"
#include "qidcm/error.h"
#include "qidcm/log.h"
#include "qidcm/source.h"

namespace qidcm::sr {
namespace fs = std::filesystem;

namespace {

bool looksLikeUid(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s)
    if (!(c == '.' || (c >= '0' && c <= '9'))) return false;
  return true;
}

}  // namespace

ReferencedInstance loadReferencedInstance(const std::string& path) {
  ReferencedInstance r;
  r.path = path;
  r.header = std::make_unique<DcmFileFormat>();
  const OFCondition status = r.header->loadFileUntilTag(path.c_str(), EXS_Unknown, EGL_noChange, DCM_MaxReadLength,
                                                        ERM_autoDetect, DCM_PixelData);
  if (status.bad()) throwInput(path, "", std::string("cannot read as DICOM: ") + status.text());
  DcmItem& d = *r.header->getDataset();
  r.sopClassUID = dicom::getString(d, DCM_SOPClassUID);
  r.sopInstanceUID = dicom::getString(d, DCM_SOPInstanceUID);
  r.seriesInstanceUID = dicom::getString(d, DCM_SeriesInstanceUID);
  r.studyInstanceUID = dicom::getString(d, DCM_StudyInstanceUID);
  r.patientID = dicom::getString(d, DCM_PatientID);
  r.patientName = dicom::getString(d, DCM_PatientName);
  for (auto [value, tag] : {std::pair{&r.sopClassUID, DCM_SOPClassUID}, {&r.sopInstanceUID, DCM_SOPInstanceUID},
                            {&r.seriesInstanceUID, DCM_SeriesInstanceUID}, {&r.studyInstanceUID, DCM_StudyInstanceUID}})
    if (value->empty()) throwInput(path, dicom::attributeName(tag), "missing; the instance cannot be referenced");
  return r;
}

std::vector<ReferencedInstance> resolveReferences(const std::vector<std::string>& entries,
                                                  const std::string& directory, const std::string& metadataFile,
                                                  const std::string& key) {
  std::vector<ReferencedInstance> out;
  std::optional<SourceIndex> byUid;  // every instance under the directory, scanned on first need
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const std::string& entry = entries[i];
    const std::string where = key + "[" + std::to_string(i) + "]";
    const fs::path candidate = directory.empty() ? fs::path(entry) : fs::path(directory) / entry;
    std::error_code ec;
    std::string path;
    if (fs::is_regular_file(candidate, ec)) {
      path = candidate.string();
    } else if (looksLikeUid(entry)) {
      const std::string dir = directory.empty() ? "." : directory;
      if (!byUid) byUid = SourceIndex::scanInstances({dir});
      const SourceInstance* found = byUid->find(entry);
      if (!found)
        throwInput(metadataFile, where,
                   "'" + entry + "' is neither a file in '" + dir + "' nor the SOP Instance UID of one of its files");
      path = found->path;
      log::debug("  " + where + ": " + entry + " -> " + path);
    } else {
      throwInput(metadataFile, where, "file '" + candidate.string() + "' not found");
    }
    ReferencedInstance r = loadReferencedInstance(path);
    r.entry = entry;
    for (const auto& earlier : out)
      if (earlier.sopInstanceUID == r.sopInstanceUID)
        throwInput(metadataFile, where, "'" + entry + "' is the same instance as '" + earlier.entry + "'");
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace qidcm::sr
