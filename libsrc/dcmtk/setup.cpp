#include "dcmtk/setup.h"

#include <dcmtk/dcmdata/dcrledrg.h>
#include <dcmtk/dcmdata/dctag.h>
#include <dcmtk/dcmjpeg/djdecode.h>
#include <dcmtk/dcmjpls/djdecode.h>
#include <dcmtk/oflog/oflog.h>

#include <cstdio>
#include <mutex>

#include "qidcm/log.h"

namespace qidcm::dcmtk {

void configure() {
  static std::once_flag once;
  std::call_once(once, [] {
    OFLog::configure(log::verbose() ? OFLogger::ERROR_LOG_LEVEL : OFLogger::FATAL_LOG_LEVEL);
  });
}

void registerDecoders() {
  static std::once_flag once;
  std::call_once(once, [] {
    DJLSDecoderRegistration::registerCodecs();
    DJDecoderRegistration::registerCodecs();
    DcmRLEDecoderRegistration::registerCodecs();
  });
}

std::string attributeName(const DcmTagKey& key) {
  DcmTag tag(key);
  char buf[32];
  std::snprintf(buf, sizeof buf, "(%04X,%04X)", key.getGroup(), key.getElement());
  return std::string(tag.getTagName()) + " " + buf;
}

}  // namespace qidcm::dcmtk
