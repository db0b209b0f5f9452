#include "common/slicer_xml.h"

#include <sstream>
#include <vector>

namespace qidcm::app {
namespace {

std::string escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

bool contains(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }

struct Parameter {
  std::string element;  // boolean, integer, double, string, string-enumeration, file, directory, image, ...
  std::string channel;  // input / output, for files, directories and images
  std::vector<std::string> values;  // enumeration elements
  bool multiple = false;
  const CLI::Option* option = nullptr;
};

// Slicer's element type for an option, from its value type, its validators
// and its name (qidcm keeps dcmqi's flag names: input*/output*, *Directory,
// *Image*, *DICOM*, *Metadata).
Parameter describe(const CLI::Option* o) {
  Parameter p;
  p.option = o;
  const std::string name = o->get_lnames().empty() ? o->get_name() : o->get_lnames().front();
  const std::string type = o->get_type_name();
  const std::string base = type.substr(0, type.find(':'));
  const auto brace = type.find(":{");
  const bool flag = o->get_type_size_max() == 0;
  p.multiple = o->get_items_expected_max() > 1;
  p.channel = name.rfind("output", 0) == 0 ? "output" : "input";
  if (flag) {
    p.element = "boolean";
  } else if (brace != std::string::npos) {
    p.element = "string-enumeration";
    std::string list = type.substr(brace + 2);
    list = list.substr(0, list.find('}'));
    std::stringstream ss(list);
    for (std::string v; std::getline(ss, v, ',');)
      if (!v.empty()) p.values.push_back(v);
  } else if (contains(name, "Directory")) {
    p.element = "directory";
  } else if (name == "inputImage") {
    p.element = "image";
  } else if (contains(name, "Image") || contains(name, "DICOM") || contains(name, "Metadata") ||
             contains(name, "File")) {
    p.element = "file";
  } else if (base == "INT" || base == "UINT") {
    p.element = p.multiple ? "integer-vector" : "integer";
  } else if (base == "FLOAT") {
    p.element = p.multiple ? "double-vector" : "double";
  } else {
    p.element = p.multiple ? "string-vector" : "string";
  }
  if (p.element == "file" && p.multiple) p.element = "file";  // a comma-separated list, multiple="true"
  return p;
}

void writeParameter(std::ostream& out, const Parameter& p) {
  const CLI::Option* o = p.option;
  const std::string name = o->get_lnames().front();
  const bool io = p.element == "file" || p.element == "directory" || p.element == "image";
  out << "    <" << p.element << (p.multiple && io ? " multiple=\"true\"" : "") << ">\n";
  out << "      <name>" << escape(name) << "</name>\n";
  out << "      <label>" << escape(name) << "</label>\n";
  out << "      <description>" << escape(o->get_description()) << "</description>\n";
  if (!o->get_snames().empty()) out << "      <flag>" << escape(o->get_snames().front()) << "</flag>\n";
  out << "      <longflag>" << escape(name) << "</longflag>\n";
  if (io) out << "      <channel>" << p.channel << "</channel>\n";
  std::string def = o->get_default_str();
  if (p.element == "boolean" && def.empty()) def = "false";
  if (p.element == "string-enumeration" && def.empty() && !p.values.empty()) def = p.values.front();
  if (!def.empty()) out << "      <default>" << escape(def) << "</default>\n";
  for (const auto& v : p.values) out << "      <element>" << escape(v) << "</element>\n";
  out << "    </" << p.element << ">\n";
}

}  // namespace

std::string slicerXml(const CLI::App& app, const char* name, const char* summary, const char* version) {
  std::vector<Parameter> inputs, outputs, options;
  for (const CLI::Option* o : app.get_options()) {
    if (o->get_group().empty() || o->get_lnames().empty()) continue;  // hidden (Slicer's own flags)
    const std::string flag = o->get_lnames().front();
    if (flag == "help" || flag == "version" || flag == "xml") continue;
    Parameter p = describe(o);
    const bool io = p.element == "file" || p.element == "directory" || p.element == "image";
    if (io && p.channel == "output")
      outputs.push_back(p);
    else if (io)
      inputs.push_back(p);
    else
      options.push_back(p);
  }
  std::ostringstream out;
  out << "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<executable>\n";
  out << "  <category>Informatics</category>\n";
  out << "  <title>" << escape(name) << "</title>\n";
  out << "  <description>" << escape(summary) << "</description>\n";
  out << "  <version>" << escape(version) << "</version>\n";
  out << "  <documentation-url>doc/" << escape(name) << ".md</documentation-url>\n";
  out << "  <contributor>qidcm developers</contributor>\n";
  auto group = [&](const char* label, const char* description, const std::vector<Parameter>& list, bool advanced) {
    if (list.empty()) return;
    out << "  <parameters" << (advanced ? " advanced=\"true\"" : "") << ">\n";
    out << "    <label>" << label << "</label>\n    <description>" << description << "</description>\n";
    for (const auto& p : list) writeParameter(out, p);
    out << "  </parameters>\n";
  };
  group("Inputs", "Input files and directories", inputs, false);
  group("Outputs", "Output files and directories", outputs, false);
  group("Options", "Conversion options", options, true);
  out << "</executable>\n";
  return out.str();
}

}  // namespace qidcm::app
