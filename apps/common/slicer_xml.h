#pragma once
// The Slicer Execution Model description (--xml) of a tool's parameters, so
// that 3D Slicer and MITK discover and run qidcm's tools as CLI modules, as
// they run dcmqi's. Built from the CLI11 definition, so it always lists
// exactly the flags the tool accepts.
#include <CLI/CLI.hpp>

#include <string>

namespace qidcm::app {

std::string slicerXml(const CLI::App& app, const char* name, const char* summary, const char* version);

}  // namespace qidcm::app
