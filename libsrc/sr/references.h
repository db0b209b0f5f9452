#pragma once
// The instances a measurement report refers to (its composite context: SEG,
// RWVM, ...; and its image library), resolved from the metadata's entries.
//
// An entry is looked up first as a file name in the given directory (or as a
// path when no directory is given), as dcmqi does. When no such file exists
// and the entry is a UID, the files of the directory (and its
// subdirectories) are scanned for an instance with that SOP Instance UID, so
// that the UIDs tid1500reader writes resolve back to files.
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcfilefo.h>

#include <memory>
#include <string>
#include <vector>

namespace qidcm::sr {

struct ReferencedInstance {
  std::string entry;  // as given in the metadata
  std::string path;
  std::string sopClassUID, sopInstanceUID, seriesInstanceUID, studyInstanceUID;
  std::string patientID, patientName;
  std::unique_ptr<DcmFileFormat> header;  // everything up to the pixel data
};

// `key` is the metadata key of the list ("compositeContext"), for messages.
std::vector<ReferencedInstance> resolveReferences(const std::vector<std::string>& entries,
                                                  const std::string& directory, const std::string& metadataFile,
                                                  const std::string& key);

// Loads one DICOM file's header; throws Error (Input) naming the file.
ReferencedInstance loadReferencedInstance(const std::string& path);

}  // namespace qidcm::sr
