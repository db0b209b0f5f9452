#include "sr/content_tree.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmsr/dsrdoc.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "dicom/compact_dataset.h"
#include "dicom/dataset_util.h"
#include "dcmtk/setup.h"
#include "iod/series.h"
#include "qidcm/error.h"
#include "qidcm/log.h"
#include "sr/tree_builder.h"

namespace qidcm::sr {
namespace {

// The shortest decimal text that reads back as exactly `v`.
std::string shortestDecimal(double v) {
  char text[40];
  for (int digits = 1; digits <= 17; ++digits) {
    std::snprintf(text, sizeof text, "%.*g", digits, v);
    if (std::strtod(text, nullptr) == v) break;
  }
  return text;
}

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
      // Floating Point Value (0040,A161), when present, is the exact value
      // the 16-character Numeric Value rounds.
      if (Float64 exact = 0; item.getNumericValue().getFloatingPointRepresentation(exact).good() &&
                             std::isfinite(exact))
        n.text = shortestDecimal(exact);
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

using dicom::CompactItem;
using dicom::tagOf;

Code compactCode(const CompactItem* item) {
  if (!item) return {};
  Code c;
  c.value = item->text(tagOf(0x0008, 0x0100));
  if (c.value.empty()) c.value = item->text(tagOf(0x0008, 0x0119));  // Long Code Value
  if (c.value.empty()) c.value = item->text(tagOf(0x0008, 0x0120));  // URN Code Value
  c.scheme = item->text(tagOf(0x0008, 0x0102));
  c.schemeVersion = item->text(tagOf(0x0008, 0x0103));
  c.meaning = item->text(tagOf(0x0008, 0x0104));
  return c;
}

// One content item and its children, as copySubtree gives them.
ContentNode compactNode(const CompactItem& item, bool root) {
  ContentNode n;
  if (!root) n.relationship = item.text(tagOf(0x0040, 0xA010));
  n.valueType = item.text(tagOf(0x0040, 0xA040));
  if (item.find(tagOf(0x0040, 0xDB73))) n.valueType.clear();  // by-reference: no value of its own
  n.concept = compactCode(item.item(tagOf(0x0040, 0xA043)));
  const std::string& t = n.valueType;
  if (t == "NUM") {
    if (const CompactItem* mv = item.item(tagOf(0x0040, 0xA300))) {
      n.text = mv->text(tagOf(0x0040, 0xA30A));
      n.code = compactCode(mv->item(tagOf(0x0040, 0x08EA)));
      const dicom::CompactElement* fd = mv->find(tagOf(0x0040, 0xA161));
      if (fd && fd->value.size() == 8) {
        double exact;
        std::memcpy(&exact, fd->value.data(), 8);
        if (std::isfinite(exact)) n.text = shortestDecimal(exact);
      }
    }
  } else if (t == "CODE") {
    n.code = compactCode(item.item(tagOf(0x0040, 0xA168)));
  } else if (t == "IMAGE" || t == "COMPOSITE") {
    if (const CompactItem* ref = item.item(tagOf(0x0008, 0x1199))) {
      n.sopClassUID = ref->text(tagOf(0x0008, 0x1150));
      n.sopInstanceUID = ref->text(tagOf(0x0008, 0x1155));
      if (t == "IMAGE")
        if (const dicom::CompactElement* s = ref->find(tagOf(0x0062, 0x000B)))
          for (std::size_t i = 0; i + 2 <= s->value.size(); i += 2) {
            std::uint16_t v;
            std::memcpy(&v, s->value.data() + i, 2);
            n.segments.push_back(v);
          }
    }
  } else {
    static const std::pair<const char*, std::uint32_t> textual[] = {
        {"TEXT", tagOf(0x0040, 0xA160)}, {"PNAME", tagOf(0x0040, 0xA123)}, {"UIDREF", tagOf(0x0040, 0xA124)},
        {"DATE", tagOf(0x0040, 0xA121)}, {"TIME", tagOf(0x0040, 0xA122)}, {"DATETIME", tagOf(0x0040, 0xA120)}};
    for (const auto& [type, tag] : textual)
      if (t == type) n.text = item.text(tag);
  }
  if (const auto* children = item.sequence(tagOf(0x0040, 0xA730)))
    for (const CompactItem& child : *children) n.children.push_back(compactNode(child, false));
  return n;
}

}  // namespace

SrDocument readSrDocumentFast(const std::string& path) {
  const std::unique_ptr<dicom::CompactFile> file = dicom::readCompact(path);
  if (!file) return readSrDocument(path);
  const CompactItem& ds = file->dataset;
  const std::string charset = ds.text(tagOf(0x0008, 0x0005));
  if (!charset.empty() && charset != "ISO_IR 192" && charset != "ISO_IR 6") return readSrDocument(path);
  const std::string sopClass = ds.text(tagOf(0x0008, 0x0016));
  const DSRTypes::E_DocumentType type = DSRTypes::sopClassUIDToDocumentType(sopClass.c_str());
  if (type == DSRTypes::DT_invalid)
    throwInput(path, dicom::attributeName(DCM_SOPClassUID),
               "'" + sopClass + "' (" + dcmFindNameOfUID(sopClass.c_str(), "unknown") + ", Modality " +
                   ds.text(tagOf(0x0008, 0x0060)) + ") is not a structured report");
  if (!ds.find(tagOf(0x0040, 0xA730))) return readSrDocument(path);
  SrDocument out;
  out.documentType = DSRTypes::documentTypeToReadableName(type);
  out.sopInstanceUID = ds.text(tagOf(0x0008, 0x0018));
  out.patientID = ds.text(tagOf(0x0010, 0x0020));
  out.studyInstanceUID = ds.text(tagOf(0x0020, 0x000D));
  out.seriesInstanceUID = ds.text(tagOf(0x0020, 0x000E));
  out.root = compactNode(ds, true);
  if (const CompactItem* t = ds.item(tagOf(0x0040, 0xA504))) out.root.templateId = t->text(tagOf(0x0040, 0xDB00));
  out.complete = ds.text(tagOf(0x0040, 0xA491)) == "COMPLETE";
  out.verified = ds.text(tagOf(0x0040, 0xA493)) == "VERIFIED";
  for (const iod::AttributeUse& use : iod::measurementReportProfile()) {
    const DcmTagKey key = iod::dicomTag(use.attribute);
    iod::field(out.series, use.attribute) = ds.text(tagOf(key.getGroup(), key.getElement()));
  }
  for (std::uint32_t evidence : {tagOf(0x0040, 0xA375), tagOf(0x0040, 0xA385)})
    if (const auto* studies = ds.sequence(evidence))
      for (const CompactItem& study : *studies)
        if (const auto* series = study.sequence(tagOf(0x0008, 0x1115)))
          for (const CompactItem& s : *series)
            if (const auto* instances = s.sequence(tagOf(0x0008, 0x1199)))
              for (const CompactItem& i : *instances) out.evidence.push_back(i.text(tagOf(0x0008, 0x1155)));
  return out;
}

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
  out.sopInstanceUID = dicom::getString(dataset, DCM_SOPInstanceUID);
  out.patientID = dicom::getString(dataset, DCM_PatientID);
  out.studyInstanceUID = dicom::getString(dataset, DCM_StudyInstanceUID);
  out.seriesInstanceUID = dicom::getString(dataset, DCM_SeriesInstanceUID);
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
