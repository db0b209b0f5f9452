#pragma once
namespace qidcm::dicom {
// Quiets DCMTK's own logger (qidcm reports problems itself); with --verbose
// its warnings are shown. Safe to call many times.
void configureDcmtk();
}  // namespace qidcm::dicom
