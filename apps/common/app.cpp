#include "common/app.h"

#include <cstring>

#include <csignal>
#include <cstdio>
#include <iostream>

#include "qidcm/cleanup.h"
#include "qidcm/compression.h"
#include "qidcm/error.h"
#include "qidcm/log.h"
#include "common/slicer_xml.h"
#include "qidcm/version.h"

namespace qidcm::app {

CLI::Option* addCompressOption(CLI::App& app, std::string& value, const std::string& note) {
  std::vector<std::string> names;
  for (Compression c : allCompressions()) names.push_back(toString(c));
  return app
      .add_option("--compress", value,
                  "Transfer syntax: none (explicit VR little endian), deflate (whole data set), rle, jpegls, jpeg2000 "
                  "or difc (Deflated Image Frame Compression: each frame deflated)" +
                      (note.empty() ? std::string() : "; " + note))
      ->check(CLI::IsMember(names));
}

std::vector<std::string> splitList(const std::vector<std::string>& values) {
  std::vector<std::string> out;
  for (const auto& value : values) {
    std::size_t start = 0;
    while (start <= value.size()) {
      const std::size_t comma = value.find(',', start);
      const std::string item = value.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      if (!item.empty()) out.push_back(item);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  return out;
}

namespace {
std::string versionText(const char* name) {
  std::string text = std::string(name) + " (qidcm) " + QIDCM_VERSION;
  const std::string revision = QIDCM_GIT_REVISION;
  if (!revision.empty()) text += " revision " + revision;
  return text;
}

// On SIGINT/SIGTERM/SIGHUP: remove staged (half-written) outputs, then die
// of the signal as usual.
void onSignal(int signal) {
  removeStagedOutputs();
  std::signal(signal, SIG_DFL);
  std::raise(signal);
}

int fail(const char* name, int code, const std::string& message) {
  std::string line = message;
  for (char& c : line)
    if (c == '\n' || c == '\r') c = ' ';
  std::fprintf(stderr, "%s: error: %s\n", name, line.c_str());
  return code;
}
}  // namespace

int run(const Description& d, int argc, char** argv, const std::function<void(CLI::App&)>& define,
        const std::function<void()>& body) {
  for (int signal : {SIGINT, SIGTERM, SIGHUP}) std::signal(signal, onSignal);
  // Past a file size limit (ulimit -f), fail the write (EFBIG) and report it,
  // instead of being killed with the output half written.
  std::signal(SIGXFSZ, SIG_IGN);
  try {
    CLI::App app{d.summary, d.name};
    app.footer(std::string("Examples:\n") + d.examples +
               "\nExit status: 0 success, 1 invalid input, 2 invalid usage, 3 output not writable, 4 internal "
               "error.\nDocumentation: doc/" +
               d.name + ".md");
    bool version = false;
    app.add_flag("--version", version, "Print the version and exit");
    // Flags that 3D Slicer passes to command-line modules (dcmqi's tools are
    // Slicer Execution Model programs); accepted and ignored.
    std::string slicerReturnFile, slicerProcessAddress;
    app.add_option("--returnparameterfile", slicerReturnFile)->group("");
    app.add_option("--processinformationaddress", slicerProcessAddress)->group("");
    app.add_flag("--xml", "Print the Slicer Execution Model description of the parameters and exit");
    define(app);
    for (int i = 1; i < argc; ++i)
      if (std::strcmp(argv[i], "--xml") == 0) {
        std::cout << slicerXml(app, d.name, d.summary, QIDCM_VERSION);
        return 0;
      }
    try {
      app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
      return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
      return app.exit(e);
    } catch (const CLI::ParseError& e) {
      if (version) {
        std::cout << versionText(d.name) << std::endl;
        return 0;
      }
      return fail(d.name, exitCode(ErrorKind::Usage), std::string(e.what()) + " (see --help)");
    }
    if (version) {
      std::cout << versionText(d.name) << std::endl;
      return 0;
    }
    body();
    return 0;
  } catch (const Error& e) {
    return fail(d.name, exitCode(e.kind()), e.what());
  } catch (const std::bad_alloc&) {
    return fail(d.name, exitCode(ErrorKind::Internal), "out of memory");
  } catch (const std::exception& e) {
    return fail(d.name, exitCode(ErrorKind::Internal), std::string("unexpected failure: ") + e.what());
  } catch (...) {
    return fail(d.name, exitCode(ErrorKind::Internal), "unexpected failure");
  }
}

}  // namespace qidcm::app
