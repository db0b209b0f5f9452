// Real World Value Mapping reader.
#include "qidcm/rwvm/reader.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>

#include <cmath>
#include <map>

#include "dcmtk/setup.h"
#include "dicom/dataset_util.h"
#include "qidcm/error.h"
#include "qidcm/log.h"

namespace qidcm::rwvm {
namespace {

constexpr const char* kRwvmStorage = "1.2.840.10008.5.1.4.1.1.67";

}  // namespace

ReadResult readRealWorldValueMapping(const std::string& path) {
  using dicom::getString;
  dcmtk::configure();
  DcmFileFormat file;
  const OFCondition status = file.loadFile(path.c_str());
  if (status.bad()) throwInput(path, "", std::string("not a readable DICOM file (") + status.text() + ")");
  DcmDataset& ds = *file.getDataset();
  const std::string sopClass = getString(ds, DCM_SOPClassUID);
  if (sopClass != kRwvmStorage)
    throwInput(path, dicom::attributeName(DCM_SOPClassUID),
               "is '" + sopClass + "', not Real World Value Mapping Storage (" + kRwvmStorage + ")");
  ReadResult r;
  r.sopInstanceUID = getString(ds, DCM_SOPInstanceUID);
  r.studyInstanceUID = getString(ds, DCM_StudyInstanceUID);
  r.patientID = getString(ds, DCM_PatientID);
  r.patientName = getString(ds, DCM_PatientName);
  Content& c = r.content;
  c.seriesDescription = getString(ds, DCM_SeriesDescription);
  c.seriesNumber = getString(ds, DCM_SeriesNumber);
  c.instanceNumber = getString(ds, DCM_InstanceNumber);
  c.contentLabel = getString(ds, DCM_ContentLabel);
  c.contentDescription = getString(ds, DCM_ContentDescription);
  std::map<std::string, std::size_t> imageIndex;
  DcmSequenceOfItems* references = nullptr;
  ds.findAndGetSequence(DCM_ReferencedImageRealWorldValueMappingSequence, references);
  for (DcmItem* reference : dicom::itemsOf(references)) {
    std::vector<std::size_t> images;
    DcmSequenceOfItems* imageSequence = nullptr;
    reference->findAndGetSequence(DCM_ReferencedImageSequence, imageSequence);
    for (DcmItem* image : dicom::itemsOf(imageSequence)) {
      ReferencedImage ref{getString(*image, DCM_ReferencedSOPClassUID), getString(*image, DCM_ReferencedSOPInstanceUID)};
      auto [it, added] = imageIndex.emplace(ref.sopInstanceUID, c.images.size());
      if (added) c.images.push_back(ref);
      images.push_back(it->second);
    }
    DcmSequenceOfItems* mappings = nullptr;
    reference->findAndGetSequence(DCM_RealWorldValueMappingSequence, mappings);
    for (DcmItem* item : dicom::itemsOf(mappings)) {
      Mapping m;
      Float64 v = 0;
      const bool linear = item->findAndGetFloat64(DCM_RealWorldValueSlope, v).good();
      if (!linear) {
        ++r.lutMappings;
        log::warning(path + ": " + dicom::attributeName(DCM_RealWorldValueLUTData) +
                     ": a mapping given as a lookup table is not read");
        continue;
      }
      m.slope = v;
      if (item->findAndGetFloat64(DCM_RealWorldValueIntercept, v).good()) m.intercept = v;
      if (auto units = dicom::readCode(*item, DCM_MeasurementUnitsCodeSequence)) m.units = *units;
      m.lutLabel = getString(*item, DCM_LUTLabel);
      m.lutExplanation = getString(*item, DCM_LUTExplanation);
      DcmSequenceOfItems* quantity = nullptr;
      item->findAndGetSequence(DCM_QuantityDefinitionSequence, quantity);
      for (DcmItem* q : dicom::itemsOf(quantity)) {
        Code name, value;
        if (auto n = dicom::readCode(*q, DCM_ConceptNameCodeSequence)) name = *n;
        if (auto v2 = dicom::readCode(*q, DCM_ConceptCodeSequence)) value = *v2;
        m.quantityDefinition.emplace_back(name, value);
      }
      m.images = images;
      c.mappings.push_back(m);
    }
  }
  if (c.mappings.empty())
    throwInput(path, dicom::attributeName(DCM_ReferencedImageRealWorldValueMappingSequence),
               "has no linear mapping (Real World Value Slope)");
  DcmItem* first = nullptr;
  if (ds.findAndGetSequenceItem(DCM_ReferencedSeriesSequence, first, 0).good() && first)
    c.seriesInstanceUID = getString(*first, DCM_SeriesInstanceUID);
  return r;
}

}  // namespace qidcm::rwvm
