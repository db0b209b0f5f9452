#pragma once
// CSV and TSV records (RFC 4180: quoted cells may hold the separator, quotes
// written twice and line breaks), for the tables qidcm reads.
#include <istream>
#include <string>
#include <vector>

namespace qidcm {

// Every record of `in`; blank lines are skipped.
std::vector<std::vector<std::string>> csvRecords(std::istream& in, char separator);

}  // namespace qidcm
