#include "core/csv.h"

namespace qidcm {

std::vector<std::vector<std::string>> csvRecords(std::istream& in, char separator) {
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string cell;
  bool quoted = false, any = false;
  char c;
  while (in.get(c)) {
    any = true;
    if (quoted) {
      if (c == '"') {
        if (in.peek() == '"') {
          in.get(c);
          cell += '"';
        } else {
          quoted = false;
        }
      } else {
        cell += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == separator) {
      record.push_back(cell);
      cell.clear();
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && in.peek() == '\n') in.get(c);
      record.push_back(cell);
      cell.clear();
      if (!(record.size() == 1 && record[0].empty())) records.push_back(record);
      record.clear();
      any = false;
    } else {
      cell += c;
    }
  }
  if (any) {
    record.push_back(cell);
    records.push_back(record);
  }
  return records;
}

}  // namespace qidcm
