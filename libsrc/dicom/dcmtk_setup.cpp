#include "dicom/dcmtk_setup.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/oflog/oflog.h>

#include <mutex>

#include "qidcm/log.h"

namespace qidcm::dicom {

void configureDcmtk() {
  static std::once_flag once;
  std::call_once(once, [] {
    OFLog::configure(log::verbose() ? OFLogger::ERROR_LOG_LEVEL : OFLogger::FATAL_LOG_LEVEL);
  });
}

}  // namespace qidcm::dicom
