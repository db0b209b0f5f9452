#include "sr/content_tree.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmsr/dsrdoc.h>

#include "dicom/dataset_util.h"
#include "dcmtk/setup.h"
#include "iod/series.h"
#include "qidcm/error.h"
#include "qidcm/log.h"
#include "sr/tree_builder.h"

namespace qidcm::sr {
namespace {

ContentNode copyItem(DSRDocumentTree& tree) {
  const DSRContentItem& item = tree.getCurrentContentItem();
  ContentNode n;
  if (item.getRelationshipType() != DSRTypes::RT_isRoot)
    n.relationship = DSRTypes::relationshipTypeToDefinedTerm(item.getRelationshipType());
  n.valueType = DSRTypes::valueTypeToDefinedTerm(item.getValueType());
  n.concept = fromDcmtk(item.getConceptName());
  switch (item.getValueType()) {
    case DSRTypes::VT_Num:
      n.text = item.getNumericValue().getNumericValue().c_str();
      n.code = fromDcmtk(item.getNumericValue().getMeasurementUnit());
      break;
    case DSRTypes::VT_Code: n.code = fromDcmtk(item.getCodeValue()); break;
    case DSRTypes::VT_Image: {
      const DSRImageReferenceValue& ref = item.getImageReference();
      n.sopClassUID = ref.getSOPClassUID().c_str();
      n.sopInstanceUID = ref.getSOPInstanceUID().c_str();
      const DSRImageSegmentList& segments = ref.getSegmentList();
      for (std::size_t i = 1; i <= segments.getNumberOfItems(); ++i) n.segments.push_back(segments.getItem(i));
      break;
    }
    case DSRTypes::VT_Composite:
      n.sopClassUID = item.getCompositeReference().getSOPClassUID().c_str();
      n.sopInstanceUID = item.getCompositeReference().getSOPInstanceUID().c_str();
      break;
    case DSRTypes::VT_Text:
    case DSRTypes::VT_PName:
    case DSRTypes::VT_UIDRef:
    case DSRTypes::VT_Date:
    case DSRTypes::VT_Time:
    case DSRTypes::VT_DateTime: n.text = item.getStringValue().c_str(); break;
    default: break;
  }
  return n;
}

ContentNode copySubtree(DSRDocumentTree& tree) {
  ContentNode node = copyItem(tree);
  if (tree.goDown()) {
    do node.children.push_back(copySubtree(tree));
    while (tree.gotoNext());
    tree.goUp();
  }
  return node;
}

std::vector<std::string> evidenceUids(DSRSOPInstanceReferenceList& list) {
  std::vector<std::string> out;
  if (list.gotoFirstItem().good()) do {
      OFString uid;
      list.getSOPInstanceUID(uid);
      out.push_back(uid.c_str());
    } while (list.gotoNextItem().good());
  return out;
}

}  // namespace

SrDocument readSrDocument(const std::string& path) {
  dcmtk::configure();
  DcmFileFormat file;
  OFCondition status = file.loadFile(path.c_str());
  if (status.bad()) throwInput(path, "", std::string("cannot read as DICOM: ") + status.text());
  DcmDataset& dataset = *file.getDataset();
  const std::string sopClass = dicom::getString(dataset, DCM_SOPClassUID);
  const std::string modality = dicom::getString(dataset, DCM_Modality);
  if (DSRTypes::sopClassUIDToDocumentType(sopClass.c_str()) == DSRTypes::DT_invalid)
    throwInput(path, dicom::attributeName(DCM_SOPClassUID),
               "'" + sopClass + "' (" + dcmFindNameOfUID(sopClass.c_str(), "unknown") + ", Modality " + modality +
                   ") is not a structured report");
  // Text in the document's character set becomes UTF-8 (what the JSON holds);
  // what cannot be converted is repaired when the JSON is written.
  const std::string charset = dicom::getString(dataset, DCM_SpecificCharacterSet);
  if (!charset.empty() && charset != "ISO_IR 192" && charset != "ISO_IR 6") {
    try {
      dicom::useUtf8(dataset, path);
    } catch (const Error& e) {
      log::warning(std::string(e.what()) + "; text is kept as it is");
    }
  }
  dicom::warnNonconformingValues(dataset, path);
  DSRDocument document;
  const std::size_t tolerant = DSRTypes::RF_acceptUnknownRelationshipType |
                               DSRTypes::RF_acceptInvalidContentItemValue |
                               DSRTypes::RF_ignoreRelationshipConstraints | DSRTypes::RF_skipInvalidContentItems;
  status = document.read(dataset, tolerant);
  if (status.bad()) throwInput(path, "ContentSequence (0040,A730)", std::string("cannot read the SR content: ") + status.text());

  SrDocument out;
  out.documentType = DSRTypes::documentTypeToReadableName(document.getDocumentType());
  DSRDocumentTree& tree = document.getTree();
  if (tree.gotoRoot() == 0) throwInput(path, "ContentSequence (0040,A730)", "the document has no content");
  out.root = copySubtree(tree);
  OFString templateId, mappingResource;
  tree.gotoRoot();
  if (tree.getTemplateIdentification(templateId, mappingResource).good()) out.root.templateId = templateId.c_str();
  out.complete = document.getCompletionFlag() == DSRTypes::CF_Complete;
  out.verified = document.getVerificationFlag() == DSRTypes::VF_Verified;
  iod::readDicom(dataset, iod::measurementReportProfile(), out.series);
  for (auto* list : {&document.getCurrentRequestedProcedureEvidence(), &document.getPertinentOtherEvidence()})
    for (auto& uid : evidenceUids(*list)) out.evidence.push_back(uid);
  return out;
}

}  // namespace qidcm::sr
