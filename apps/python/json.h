#pragma once
// Python objects <-> JSON (nlohmann): metadata dicts go through the same
// schemas and parsers as the tools' JSON files.
#include <pybind11/pybind11.h>

#include <nlohmann/json.hpp>

namespace qidcm::python {

namespace py = pybind11;

// dict, list, tuple, str, int, float, bool, None (and NumPy scalars, through
// their Python value). Throws Error (Input) naming `what` and the path of a
// value that JSON cannot hold.
nlohmann::json toJson(const py::handle& object, const std::string& what, const std::string& path = "");
py::object fromJson(const nlohmann::json& value);

}  // namespace qidcm::python
