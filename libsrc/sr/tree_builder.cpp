#include "sr/tree_builder.h"

#include <dcmtk/dcmsr/dsrcodvl.h>
#include <dcmtk/dcmsr/dsrcomvl.h>
#include <dcmtk/dcmsr/dsrimgvl.h>
#include <dcmtk/dcmsr/dsrnumvl.h>

#include "qidcm/error.h"

namespace qidcm::sr {

namespace {
std::string describe(const Code& c) { return "(" + c.value + ", " + c.scheme + ", \"" + c.meaning + "\")"; }
}  // namespace

DSRCodedEntryValue toDcmtk(const Code& code, const std::string& file, const std::string& key) {
  DSRCodedEntryValue value;
  const OFCondition status =
      code.schemeVersion.empty()
          ? value.setCode(code.value.c_str(), code.scheme.c_str(), code.meaning.c_str())
          : value.setCode(code.value.c_str(), code.scheme.c_str(), code.schemeVersion.c_str(), code.meaning.c_str());
  if (status.bad() || !value.isValid())
    throwInput(file, key, "invalid code " + describe(code) + ": " + (status.bad() ? status.text() : "rejected"));
  return value;
}

Code fromDcmtk(const DSRCodedEntryValue& code) {
  return {code.getCodeValue().c_str(), code.getCodingSchemeDesignator().c_str(), code.getCodeMeaning().c_str(),
          code.getCodingSchemeVersion().c_str()};
}

void TreeBuilder::check(const OFCondition& status, const std::string& key, const std::string& what) const {
  if (status.bad()) throwInput(file_, key, what + ": " + status.text());
}

void TreeBuilder::root(const Code& concept, const char* templateId) {
  if (tree_.addContentItem(DSRTypes::RT_isRoot, DSRTypes::VT_Container) == 0)
    throwInternal("cannot create the SR root container");
  DSRContentItem& item = tree_.getCurrentContentItem();
  check(item.setConceptName(toDcmtk(concept, file_, "")), "", "root concept");
  check(tree_.setTemplateIdentification(templateId, "DCMR"), "", "template identification");
}

DSRContentItem& TreeBuilder::add(DSRTypes::E_RelationshipType rel, DSRTypes::E_ValueType type, const Code& concept,
                                 const std::string& key) {
  DSRCodedEntryValue name;
  if (!concept.value.empty()) name = toDcmtk(concept, file_, key);
  if (concept.value.empty()) {
    // Unnamed items (IMAGE entries of the image library).
    if (tree_.addContentItem(rel, type, DSRTypes::AM_belowCurrent) == 0)
      throwInput(file_, key, std::string("cannot add ") + DSRTypes::valueTypeToDefinedTerm(type) + " content item");
  } else {
    const OFCondition status = tree_.addChildContentItem(rel, type, name);
    if (status.bad())
      throwInput(file_, key,
                 std::string("cannot add ") + DSRTypes::valueTypeToDefinedTerm(type) + " " + describe(concept) + " (" +
                     DSRTypes::relationshipTypeToDefinedTerm(rel) + "): " + status.text());
  }
  return tree_.getCurrentContentItem();
}

void TreeBuilder::open(DSRTypes::E_RelationshipType rel, const Code& concept, const std::string& key) {
  DSRContentItem& item = add(rel, DSRTypes::VT_Container, concept, key);
  check(item.setContinuityOfContent(DSRTypes::COC_Separate), key, "container");
}

void TreeBuilder::openNum(DSRTypes::E_RelationshipType rel, const Code& concept, const std::string& value,
                          const Code& units, const std::string& key, std::optional<double> floatingPoint) {
  DSRContentItem& item = add(rel, DSRTypes::VT_Num, concept, key);
  DSRNumericMeasurementValue measurement;
  check(measurement.setValue(value.c_str(), toDcmtk(units, file_, key + ".units")), key,
        "numeric value '" + value + "'");
  if (floatingPoint)
    check(measurement.setFloatingPointRepresentation(*floatingPoint), key, "floating point value of '" + value + "'");
  check(item.setNumericValue(measurement), key, "numeric value '" + value + "'");
}

void TreeBuilder::openCode(DSRTypes::E_RelationshipType rel, const Code& concept, const Code& value,
                           const std::string& key) {
  DSRContentItem& item = add(rel, DSRTypes::VT_Code, concept, key);
  check(item.setCodeValue(toDcmtk(value, file_, key)), key, "code value");
}

void TreeBuilder::close() {
  if (tree_.goUp() == 0) throwInternal("SR tree builder: close() at the root");
}

void TreeBuilder::code(DSRTypes::E_RelationshipType rel, const Code& concept, const Code& value,
                       const std::string& key) {
  openCode(rel, concept, value, key);
  close();
}

void TreeBuilder::text(DSRTypes::E_RelationshipType rel, const Code& concept, const std::string& value,
                       const std::string& key) {
  DSRContentItem& item = add(rel, DSRTypes::VT_Text, concept, key);
  check(item.setStringValue(value.c_str()), key, "text '" + value + "'");
  close();
}

void TreeBuilder::uidref(DSRTypes::E_RelationshipType rel, const Code& concept, const std::string& uid,
                         const std::string& key) {
  DSRContentItem& item = add(rel, DSRTypes::VT_UIDRef, concept, key);
  check(item.setStringValue(uid.c_str()), key, "UID '" + uid + "'");
  close();
}

void TreeBuilder::pname(DSRTypes::E_RelationshipType rel, const Code& concept, const std::string& name,
                        const std::string& key) {
  DSRContentItem& item = add(rel, DSRTypes::VT_PName, concept, key);
  check(item.setStringValue(name.c_str()), key, "person name '" + name + "'");
  close();
}

void TreeBuilder::num(DSRTypes::E_RelationshipType rel, const Code& concept, const std::string& value,
                      const Code& units, const std::string& key) {
  openNum(rel, concept, value, units, key);
  close();
}

void TreeBuilder::image(DSRTypes::E_RelationshipType rel, const Code& concept, const std::string& sopClassUID,
                        const std::string& sopInstanceUID, unsigned segmentNumber, const std::string& key) {
  DSRContentItem& item = add(rel, DSRTypes::VT_Image, concept, key);
  DSRImageReferenceValue reference(sopClassUID.c_str(), sopInstanceUID.c_str());
  if (segmentNumber > 0) reference.getSegmentList().addItem(segmentNumber);
  check(item.setImageReference(reference), key, "image reference " + sopInstanceUID);
  close();
}

void TreeBuilder::composite(DSRTypes::E_RelationshipType rel, const Code& concept, const std::string& sopClassUID,
                            const std::string& sopInstanceUID, const std::string& key) {
  DSRContentItem& item = add(rel, DSRTypes::VT_Composite, concept, key);
  check(item.setCompositeReference(DSRCompositeReferenceValue(sopClassUID.c_str(), sopInstanceUID.c_str())), key,
        "composite reference " + sopInstanceUID);
  close();
}

void TreeBuilder::insert(DSRDocumentSubTree* subtree, DSRTypes::E_RelationshipType rel, const std::string& key) {
  const std::size_t here = tree_.getNodeID();
  if (!subtree) throwInternal("cannot copy SR subtree");
  const OFCondition status = tree_.insertSubTree(subtree, DSRTypes::AM_belowCurrent, rel, OFTrue);
  if (status.bad()) throwInput(file_, key, std::string("cannot insert content: ") + status.text());
  if (tree_.gotoNode(here) == 0) throwInternal("SR tree builder lost its position");
}

}  // namespace qidcm::sr
