#include "json.h"

#include <cmath>

#include "qidcm/error.h"

namespace qidcm::python {

namespace {

// Text read from a file may hold bytes that are not UTF-8: U+FFFD for them.
py::str decoded(const std::string& s) {
  return py::reinterpret_steal<py::str>(PyUnicode_DecodeUTF8(s.data(), static_cast<py::ssize_t>(s.size()), "replace"));
}

constexpr std::size_t kMaxDepth = 256;

}  // namespace

nlohmann::json toJson(const py::handle& o, const std::string& what, const std::string& path, std::size_t depth) {
  if (depth > kMaxDepth)
    throwInput(what, path.substr(0, 64) + "...", "is nested deeper than 256 levels (or refers to itself)");
  if (o.is_none()) return nullptr;
  if (py::isinstance<py::bool_>(o)) return o.cast<bool>();
  if (py::isinstance<py::int_>(o)) {
    try {
      return o.cast<long long>();
    } catch (const py::cast_error&) {
      return o.cast<double>();
    }
  }
  if (py::isinstance<py::float_>(o)) {
    const double v = o.cast<double>();
    if (!std::isfinite(v)) throwInput(what, path.empty() ? "/" : path, "is not a finite number");
    return v;
  }
  if (py::isinstance<py::str>(o)) return o.cast<std::string>();
  if (py::isinstance<py::dict>(o)) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& item : o.cast<py::dict>()) {
      if (!py::isinstance<py::str>(item.first))
        throwInput(what, path.empty() ? "/" : path, "has a key that is not a string");
      const std::string key = item.first.cast<std::string>();
      j[key] = toJson(item.second, what, path + "/" + key, depth + 1);
    }
    return j;
  }
  if (py::isinstance<py::list>(o) || py::isinstance<py::tuple>(o)) {
    nlohmann::json j = nlohmann::json::array();
    std::size_t n = 0;
    for (const auto& item : o) j.push_back(toJson(item, what, path + "/" + std::to_string(n++), depth + 1));
    return j;
  }
  // NumPy: scalars through their Python value, arrays as lists.
  const py::module_ numpy = py::module_::import("numpy");
  if (py::isinstance(o, numpy.attr("generic"))) return toJson(o.attr("item")(), what, path, depth);
  if (py::isinstance(o, numpy.attr("ndarray"))) return toJson(o.attr("tolist")(), what, path, depth);
  throwInput(what, path.empty() ? "/" : path,
             "holds a " + py::str(py::type::handle_of(o).attr("__name__")).cast<std::string>() +
                 ", which JSON cannot hold");
}

py::object fromJson(const nlohmann::json& v) {
  switch (v.type()) {
    case nlohmann::json::value_t::null: return py::none();
    case nlohmann::json::value_t::boolean: return py::bool_(v.get<bool>());
    case nlohmann::json::value_t::number_integer: return py::int_(v.get<long long>());
    case nlohmann::json::value_t::number_unsigned: return py::int_(v.get<unsigned long long>());
    case nlohmann::json::value_t::number_float: return py::float_(v.get<double>());
    case nlohmann::json::value_t::string: return decoded(v.get_ref<const std::string&>());
    case nlohmann::json::value_t::array: {
      py::list l;
      for (const auto& item : v) l.append(fromJson(item));
      return std::move(l);
    }
    case nlohmann::json::value_t::object: {
      py::dict d;
      for (auto it = v.begin(); it != v.end(); ++it) d[decoded(it.key())] = fromJson(it.value());
      return std::move(d);
    }
    default: return py::none();
  }
}

}  // namespace qidcm::python
