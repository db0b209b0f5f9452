#pragma once
// Python objects <-> JSON (nlohmann): metadata dicts go through the same
// schemas and parsers as the tools' JSON files.
#include <pybind11/pybind11.h>

#include <nlohmann/json.hpp>

namespace qidcm::python {

namespace py = pybind11;

// dict, list, tuple, str, int, float, bool, None (and NumPy scalars, through
// their Python value; arrays as lists); nested at most 256 deep, so that a
// dict that holds itself is refused. Throws Error (Input) naming `what` and the path of a
// value that JSON cannot hold.
nlohmann::json toJson(const py::handle& object, const std::string& what, const std::string& path = "",
                      std::size_t depth = 0);
py::object fromJson(const nlohmann::json& value);

}  // namespace qidcm::python
