#pragma once
// UID generation. qidcm generates every UID under the ISO/IEC 9834-8 root
// 2.25, followed by the decimal value of a random 128-bit UUID (version 4),
// which needs no registered organisation root and cannot collide in practice.
#include <string>

namespace qidcm {

inline constexpr const char* kUidRoot = "2.25";

std::string newUid();

}  // namespace qidcm
