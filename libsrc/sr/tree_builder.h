#pragma once
// Builds an SR content tree top-down on DCMTK's document tree cursor. Every
// addition DCMTK refuses (an invalid code, a value that does not fit its VR,
// a relationship the IOD forbids) becomes an Error naming the input file and
// the JSON key the content came from.
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmsr/dsrdoctr.h>

#include <optional>
#include <string>

#include "qidcm/codes.h"

namespace qidcm::sr {

DSRCodedEntryValue toDcmtk(const Code& code, const std::string& file, const std::string& key);
Code fromDcmtk(const DSRCodedEntryValue& code);

class TreeBuilder {
 public:
  TreeBuilder(DSRDocumentTree& tree, std::string file) : tree_(tree), file_(std::move(file)) {}

  // The root CONTAINER, with its template identification.
  void root(const Code& concept, const char* templateId);

  // A CONTAINER child of the current item; later additions go below it
  // until close().
  void open(DSRTypes::E_RelationshipType rel, const Code& concept, const std::string& key = {});
  // A NUM child that takes children of its own, closed by close().
  // `floatingPoint`, when given, is also written as Floating Point Value
  // (0040,A161): the exact value when the 16-character decimal string
  // cannot hold it.
  void openNum(DSRTypes::E_RelationshipType rel, const Code& concept, const std::string& value, const Code& units,
               const std::string& key, std::optional<double> floatingPoint = std::nullopt);
  // A CODE child that takes children of its own, closed by close().
  void openCode(DSRTypes::E_RelationshipType rel, const Code& concept, const Code& value, const std::string& key);
  void close();

  // Leaf children of the current item.
  void code(DSRTypes::E_RelationshipType rel, const Code& concept, const Code& value, const std::string& key = {});
  void text(DSRTypes::E_RelationshipType rel, const Code& concept, const std::string& value,
            const std::string& key = {});
  void uidref(DSRTypes::E_RelationshipType rel, const Code& concept, const std::string& uid,
              const std::string& key = {});
  void pname(DSRTypes::E_RelationshipType rel, const Code& concept, const std::string& name,
             const std::string& key = {});
  void num(DSRTypes::E_RelationshipType rel, const Code& concept, const std::string& value, const Code& units,
           const std::string& key = {});
  void image(DSRTypes::E_RelationshipType rel, const Code& concept, const std::string& sopClassUID,
             const std::string& sopInstanceUID, unsigned segmentNumber, const std::string& key = {});
  void composite(DSRTypes::E_RelationshipType rel, const Code& concept, const std::string& sopClassUID,
                 const std::string& sopInstanceUID, const std::string& key = {});
  // Inserts `subtree` (taking ownership) below the current item.
  void insert(DSRDocumentSubTree* subtree, DSRTypes::E_RelationshipType rel, const std::string& key);

 private:
  DSRContentItem& add(DSRTypes::E_RelationshipType rel, DSRTypes::E_ValueType type, const Code& concept,
                      const std::string& key);
  void check(const OFCondition& status, const std::string& key, const std::string& what) const;

  DSRDocumentTree& tree_;
  std::string file_;
};

}  // namespace qidcm::sr
