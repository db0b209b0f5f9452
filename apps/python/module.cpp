// The qidcm Python module (qidcm._core): NumPy arrays in and out of the same
// library the command-line tools use. doc/python.md; stubs in qidcm/__init__.pyi.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>

#include "arrays.h"
#include "json.h"
#include "qidcm/error.h"
#include "qidcm/pet/convert.h"
#include "qidcm/pm/reader.h"
#include "qidcm/pm/writer.h"
#include "qidcm/seg/reader.h"
#include "qidcm/seg/writer.h"
#include "qidcm/source.h"
#include "qidcm/sr/reader.h"
#include "qidcm/sr/writer.h"
#include "qidcm/version.h"

namespace py = pybind11;
using namespace qidcm;
using namespace qidcm::python;

namespace {

// The exception classes, one per error kind (qidcm.Error is their base).
PyObject* errorClass[5] = {nullptr, nullptr, nullptr, nullptr, nullptr};

PyObject* classFor(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::Input: return errorClass[1];
    case ErrorKind::Usage: return errorClass[2];
    case ErrorKind::Output: return errorClass[3];
    case ErrorKind::Internal: return errorClass[4];
  }
  return errorClass[0];
}

// A source series, scanned: headers and geometry, no pixels.
struct Series {
  SourceIndex index;          // every instance found
  SourceIndex chosen;         // the series' instances: what the writers match slices among
  std::string seriesInstanceUID;
  Grid grid;
  std::vector<std::string> files;
  SourceInstance firstInstance;  // of the series: patient, study, modality
  const SourceInstance& first() const { return firstInstance; }
};

Series readSeries(const std::vector<std::string>& paths, const std::string& seriesUid) {
  std::vector<std::string> files, directories;
  for (const std::string& p : paths) {
    std::error_code error;
    (std::filesystem::is_directory(p, error) ? directories : files).push_back(p);
  }
  Series s;
  s.index = SourceIndex::scan(files, directories);
  s.grid = seriesGrid(s.index, seriesUid);
  s.seriesInstanceUID = seriesUid;
  if (s.seriesInstanceUID.empty()) {
    std::map<std::string, std::size_t> frames;
    for (const SourceInstance& i : s.index.instances()) frames[i.seriesInstanceUID] += i.frames.size();
    std::size_t most = 0;
    for (const auto& [uid, n] : frames)
      if (n > most) most = n, s.seriesInstanceUID = uid;
  }
  s.chosen = s.index.series(s.seriesInstanceUID);
  for (const SourceInstance& i : s.chosen.instances()) s.files.push_back(i.path);
  if (!s.chosen.empty()) s.firstInstance = s.chosen.instances().front();
  return s;
}

std::string typeName(const py::handle& o) { return py::type::handle_of(o).attr("__name__").cast<std::string>(); }

bool isPath(const py::handle& p) {
  return py::isinstance<py::str>(p) || py::isinstance<py::bytes>(p) || py::hasattr(p, "__fspath__");
}

// A path argument as the bytes the file system takes (os.fsencode: file
// names that are not UTF-8 included).
std::string pathOf(const py::handle& p, const char* name) {
  if (!isPath(p)) throwInput(name, "", "is a " + typeName(p) + ", not a path");
  return py::module_::import("os").attr("fsencode")(p).cast<std::string>();
}

std::vector<std::string> pathList(const py::object& paths, const char* name) {
  if (isPath(paths)) return {pathOf(paths, name)};
  if (!py::isinstance<py::list>(paths) && !py::isinstance<py::tuple>(paths))
    throwInput(name, "", "is a " + typeName(paths) + ", not a path or a list of paths");
  std::vector<std::string> out;
  for (const auto& p : paths) out.push_back(pathOf(p, name));
  if (out.empty()) throwInput(name, "", "is an empty list");
  return out;
}

// Text from files (which may hold other character sets) and file names, for Python.
py::str text(const std::string& s) {
  return py::reinterpret_steal<py::str>(PyUnicode_DecodeUTF8(s.data(), static_cast<py::ssize_t>(s.size()), "replace"));
}
py::object fileName(const std::string& s) { return py::module_::import("os").attr("fsdecode")(py::bytes(s)); }

std::string textArg(const py::object& o, const char* name, const char* expected) {
  if (!py::isinstance<py::str>(o))
    throwUsage(std::string(name) + ": must be a string (" + expected + "), not " + typeName(o));
  return o.cast<std::string>();
}

bool boolArg(const py::object& o, const char* name) {
  if (py::isinstance<py::bool_>(o)) return o.cast<bool>();
  if (py::hasattr(o, "dtype") && py::hasattr(o, "item") && o.attr("dtype").attr("kind").cast<std::string>() == "b" &&
      o.attr("ndim").cast<int>() == 0)
    return o.attr("item")().cast<bool>();
  throwUsage(std::string(name) + ": must be True or False, not " + typeName(o));
}

Compression compressionOf(const std::string& text) { return parseCompression(text); }

// The grid of an array: the source's when no affine is given (the shapes must
// agree), else the affine's.
Grid arrayGrid(const std::size_t shape[3], const py::object& affine, bool fromRas, const Series* source,
               const char* what) {
  if (!affine.is_none()) return gridFromAffine(affine, fromRas, shape);
  if (!source) throwInput(what, "", "no affine and no source series: the array's geometry is unknown");
  const Grid& g = source->grid;
  if (g.slices() != shape[0] || g.rows() != shape[1] || g.columns() != shape[2])
    throwInput(what, "",
               "shape (" + std::to_string(shape[0]) + ", " + std::to_string(shape[1]) + ", " + std::to_string(shape[2]) +
                   ") is not the source series' (slices, rows, columns) (" + std::to_string(g.slices()) + ", " +
                   std::to_string(g.rows()) + ", " + std::to_string(g.columns()) +
                   "); pass the array's affine to write it on its own grid");
  return g;
}

std::string shapeText(const py::array& a) {
  std::string s = "(";
  for (py::ssize_t d = 0; d < a.ndim(); ++d) s += (d ? ", " : "") + std::to_string(a.shape(d));
  return s + (a.ndim() == 1 ? ",)" : ")");
}

py::array requireArray(const py::object& o, const char* what) {
  if (!py::isinstance<py::array>(o)) throwInput(what, "", "is not a NumPy array");
  return o.cast<py::array>();
}

// One of the geometry values, made afresh on each access (a caller may change it).
py::object geometryItem(const Grid& g, const char* key);

py::dict geometry(const Grid& g) {
  py::dict d;
  d["affine"] = affineOf(g);
  d["spacing"] = py::make_tuple(g.spacing[0], g.spacing[1], g.spacing[2]);
  d["origin"] = py::make_tuple(g.origin[0], g.origin[1], g.origin[2]);
  py::array_t<double> direction({3, 3});
  auto m = direction.mutable_unchecked<2>();
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) m(r, c) = g.direction[c][r];
  d["direction"] = direction;
  return d;
}

py::object geometryItem(const Grid& g, const char* key) { return py::object(geometry(g)[key]); }

// ---------------------------------------------------------------------------
// SEG

const Series* seriesArg(const py::object& o, const char* what) {
  if (o.is_none()) throwInput("source", "", std::string("a ") + what + " needs its source series: qidcm.read_series(directory)");
  if (!py::isinstance<Series>(o))
    throwInput("source", "", "is a " + typeName(o) + ", not a qidcm.Series (qidcm.read_series(directory))");
  return o.cast<const Series*>();
}

// The array as the library reads it: C order, native byte order; a copy only
// when it is not already so (a strided view, Fortran order, byte-swapped).
py::array readable(const py::array& a) {
  if (inPlace(a)) return a;
  const py::dtype native = a.dtype().attr("newbyteorder")("=");
  return py::array::ensure(a.attr("astype")(native, py::arg("order") = "C", py::arg("copy") = false),
                           py::array::c_style);
}

py::dict writeSeg(const py::object& labelsObject, const py::object& metadataObject, const py::object& sourceObject,
                  const py::object& pathObject, const py::object& typeObject, const py::object& compressObject,
                  const py::object& affine, const py::object& fromRasObject, const py::object& skipObject,
                  const py::object& labelIdObject) {
  const py::array given = requireArray(labelsObject, "labels");
  const Series* source = seriesArg(sourceObject, "SEG");
  const std::string path = pathOf(pathObject, "path");
  const std::string typeText = textArg(typeObject, "segmentation_type", "binary, fractional or labelmap");
  const std::string compress = textArg(compressObject, "compress", "none, rle, deflate, difc, jpegls or jpeg2000");
  const bool fromRas = boolArg(fromRasObject, "from_ras"), skipEmptySlices = boolArg(skipObject, "skip_empty_slices"),
             useLabelIDAsSegmentNumber = boolArg(labelIdObject, "use_label_id_as_segment_number");
  seg::WriterOptions options;
  if (typeText == "binary") options.type = seg::SegmentationType::Binary;
  else if (typeText == "fractional") options.type = seg::SegmentationType::Fractional;
  else if (typeText == "labelmap") options.type = seg::SegmentationType::Labelmap;
  else throwUsage("segmentation_type '" + typeText + "': expected binary, fractional or labelmap");
  options.compression = compressionOf(compress);
  options.skipEmptySlices = skipEmptySlices;
  options.useLabelIDAsSegmentNumber = useLabelIDAsSegmentNumber;
  const bool fractional = options.type == seg::SegmentationType::Fractional;

  if (given.ndim() != 3 && given.ndim() != 4)
    throwInput("labels", "", "has shape " + shapeText(given) +
                                 "; expected (slices, rows, columns), or (segments, slices, rows, columns)");
  for (py::ssize_t d = 0; d < given.ndim(); ++d)
    if (given.shape(d) == 0) throwInput("labels", "", "has shape " + shapeText(given) + ": it is empty");
  PixelType type;
  const py::dtype dtype = given.dtype();
  const std::string dtypeName = dtype.attr("name").cast<std::string>();
  if (!pixelTypeOf(dtype, type)) throwInput("labels", "", "has dtype " + dtypeName + ", which qidcm cannot write");
  const py::array labels = readable(given);  // one copy at most, for every view below
  if (fractional && type != PixelType::Float32 && type != PixelType::Float64)
    throwInput("labels", "", "has dtype " + dtypeName + "; a fractional SEG takes float32 (or float64) probabilities");
  if (!fractional && dtype.kind() != 'b' && type != PixelType::UInt8 && type != PixelType::UInt16)
    throwInput("labels", "", "has dtype " + dtypeName + "; a " + typeText +
                                 " SEG takes a uint8 or uint16 label map, or bool masks (segments first)");
  const bool planes = labels.ndim() == 4;
  const std::size_t parts = planes ? static_cast<std::size_t>(labels.shape(0)) : 1;
  const std::size_t shape[3] = {static_cast<std::size_t>(labels.shape(planes ? 1 : 0)),
                                static_cast<std::size_t>(labels.shape(planes ? 2 : 1)),
                                static_cast<std::size_t>(labels.shape(planes ? 3 : 2))};
  const Grid grid = arrayGrid(shape, affine, fromRas, source, "labels");

  // The metadata, through the schema; its segments flattened, then laid out
  // as the arrays need them.
  nlohmann::json document = toJson(metadataObject, "metadata");
  seg::Metadata metadata = seg::parseMetadata(document, "metadata");
  std::vector<seg::SegmentDescription> segments;
  for (const auto& list : metadata.segmentAttributes) segments.insert(segments.end(), list.begin(), list.end());
  metadata.segmentAttributesFileMapping.clear();
  metadata.segmentAttributes.clear();
  std::vector<seg::LabelImage> images;
  if (planes && !fractional) {
    if (segments.size() != parts)
      throwInput("metadata", "segmentAttributes",
                 "describes " + std::to_string(segments.size()) + " segments, but labels holds " +
                     std::to_string(parts) + " masks (its first axis)");
    if (type != PixelType::UInt8)
      throwInput("labels", "", "has dtype " + dtypeName + "; masks (segments first) are bool or uint8 of 0 and 1");
    if (useLabelIDAsSegmentNumber)
      throwUsage("use_label_id_as_segment_number needs a label map (3-D), not masks");
    for (std::size_t s = 0; s < parts; ++s) {
      seg::SegmentDescription d = segments[s];
      d.labelID = 1;
      metadata.segmentAttributes.push_back({d});
      images.push_back({"labels[" + std::to_string(s) + "]", viewVolume(labels, PixelType::UInt8, grid, s)});
    }
  } else {
    Volume v;
    if (fractional) {
      if (planes && segments.size() != parts)
        throwInput("metadata", "segmentAttributes",
                   "describes " + std::to_string(segments.size()) + " segments, but labels holds " +
                       std::to_string(parts) + " probability maps (its first axis)");
      if (!planes && segments.size() != 1)
        throwInput("metadata", "segmentAttributes",
                   "describes " + std::to_string(segments.size()) +
                       " segments; a 3-D probability map is one segment (give (segments, slices, rows, columns))");
      for (std::size_t s = 0; s < segments.size(); ++s) segments[s].labelID = s + 1;
      v = viewVolume(labels, type, grid, 0);
      if (planes) {
        // All the maps, component-major: one view of the whole array.
        v.components = parts;
        v.planar = true;
        v.buffer = Buffer::external(static_cast<std::uint8_t*>(const_cast<void*>(labels.data())),
                                    grid.voxels() * parts * bytesPerSample(type), nullptr);
      }
    } else {
      v = viewVolume(labels, type, grid, 0);
    }
    metadata.segmentAttributes.push_back(segments);
    images.push_back({"labels", std::move(v)});
  }
  seg::WriteSummary summary;
  {
    py::gil_scoped_release release;
    summary = seg::writeSegmentation(images, metadata, source->chosen, path, options);
  }
  py::dict d;
  d["sop_instance_uid"] = summary.sopInstanceUID;
  d["series_instance_uid"] = summary.seriesInstanceUID;
  d["segments"] = summary.segments;
  d["frames"] = summary.frames;
  d["bytes"] = summary.bytes;
  d["path"] = fileName(path);
  return d;
}

struct SegResult {
  py::object labels;
  py::list segments;
  py::dict metadata;
  std::string segmentationType, transferSyntax;
  std::size_t frames = 0;
  Grid grid;
};

SegResult readSeg(const py::object& pathObject, const py::object& reference, const py::object& mergeObject,
                  const py::object& probabilitiesObject) {
  const std::string path = pathOf(pathObject, "path");
  const bool merge = boolArg(mergeObject, "merge"), probabilities = boolArg(probabilitiesObject, "probabilities");
  seg::ReaderOptions options;
  options.mergeSegments = merge;
  options.fractionalAsProbability = probabilities;
  if (!reference.is_none()) options.referenceDirectory = pathOf(reference, "reference");
  std::vector<Volume> layers;
  seg::ReadSummary summary;
  seg::Metadata metadata;
  {
    py::gil_scoped_release release;
    metadata = seg::readSegmentation(
        path, options, [&](const seg::ReaderImage& image) { layers.push_back(image.volume.clone()); }, &summary);
  }
  SegResult r;
  r.frames = summary.frames;
  r.transferSyntax = summary.transferSyntax;
  r.segmentationType = seg::toString(summary.type);
  const nlohmann::json json = seg::toJson(metadata);
  r.metadata = fromJson(json).cast<py::dict>();
  if (json.contains("segmentAttributes"))
    for (std::size_t layer = 0; layer < json["segmentAttributes"].size(); ++layer)
      for (const auto& s : json["segmentAttributes"][layer]) {
        py::dict d = fromJson(s).cast<py::dict>();
        d["layer"] = layer;
        r.segments.append(d);
      }
  const Grid grid = layers.empty() ? summary.grid : layers.front().grid;
  r.grid = grid;
  if (layers.size() == 1) {
    r.labels = arrayOf(std::move(layers.front()));
  } else {
    // Several layers (overlapping segments, or one per fractional segment):
    // stacked along a first axis, as write_seg takes them.
    PixelType type = layers.empty() ? PixelType::UInt8 : layers.front().type;
    for (const Volume& v : layers)
      if (bytesPerSample(v.type) > bytesPerSample(type)) type = v.type;
    Volume all;
    all.grid = grid;
    all.type = type;
    all.components = std::max<std::size_t>(1, layers.size());
    all.planar = true;
    all.buffer = Buffer(grid.voxels() * all.components * bytesPerSample(type));
    for (std::size_t l = 0; l < layers.size(); ++l) {
      const Volume& v = layers[l];
      dispatchPixelType(type, [&](auto zero) {
        using T = decltype(zero);
        T* out = all.samples<T>() + l * grid.voxels();
        for (std::size_t n = 0; n < grid.voxels(); ++n) out[n] = static_cast<T>(v.sampleAsDouble(n));
      });
    }
    r.labels = arrayOf(std::move(all));
  }
  return r;
}

// ---------------------------------------------------------------------------
// Parametric maps

py::dict writePm(const py::object& arrayObject, const py::object& metadataObject, const py::object& sourceObject,
                 const py::object& pathObject, const py::object& affine, const py::object& fromRasObject,
                 const py::object& pixelTypeObject, const py::object& compressObject) {
  const py::array given = requireArray(arrayObject, "array");
  const Series* source = seriesArg(sourceObject, "parametric map");
  const std::string path = pathOf(pathObject, "path");
  const bool fromRas = boolArg(fromRasObject, "from_ras");
  const std::string pixelType = textArg(pixelTypeObject, "pixel_type", "auto, float32, float64, int16 or uint16");
  const std::string compress = textArg(compressObject, "compress", "none, deflate, rle, jpegls, jpeg2000 or difc");
  if (given.ndim() != 3) throwInput("array", "", "has shape " + shapeText(given) + "; expected (slices, rows, columns)");
  for (py::ssize_t d = 0; d < 3; ++d)
    if (given.shape(d) == 0) throwInput("array", "", "has shape " + shapeText(given) + ": it is empty");
  PixelType type;
  if (!pixelTypeOf(given.dtype(), type) || given.dtype().kind() == 'b')
    throwInput("array", "", "has dtype " + given.dtype().attr("name").cast<std::string>() + ", which qidcm cannot write");
  const py::array array = readable(given);
  const std::size_t shape[3] = {static_cast<std::size_t>(array.shape(0)), static_cast<std::size_t>(array.shape(1)),
                                static_cast<std::size_t>(array.shape(2))};
  const Grid grid = arrayGrid(shape, affine, fromRas, source, "array");
  const pm::Metadata metadata = pm::parseMetadata(toJson(metadataObject, "metadata"), "metadata");
  pm::WriterOptions options;
  options.pixelType = pm::parsePixelType(pixelType);
  options.compression = compressionOf(compress);
  const Volume v = viewVolume(array, type, grid, 0);
  pm::WriteSummary summary;
  {
    py::gil_scoped_release release;
    summary = pm::writeParametricMap(v, "array", metadata, source->chosen, path, options);
  }
  py::dict d;
  d["sop_instance_uid"] = summary.sopInstanceUID;
  d["frames"] = summary.frames;
  d["pixel_type"] = pm::toString(summary.pixelType);
  d["bytes"] = summary.bytes;
  d["path"] = fileName(path);
  return d;
}

struct PmResult {
  py::object array;
  py::dict metadata;
  std::size_t frames = 0;
  std::string transferSyntax;
  Grid grid;
};

PmResult readPm(const py::object& pathObject, const py::object& realWorldObject) {
  pm::ReaderOptions options;
  options.realWorldValues = boolArg(realWorldObject, "real_world_values");
  const std::string path = pathOf(pathObject, "path");
  pm::ReadResult read;
  {
    py::gil_scoped_release release;
    read = pm::readParametricMap(path, options);
  }
  PmResult r;
  r.frames = read.frames;
  r.transferSyntax = read.transferSyntax;
  r.metadata = fromJson(pm::toJson(read.metadata)).cast<py::dict>();
  r.grid = read.image.grid;
  r.array = arrayOf(std::move(read.image));
  return r;
}

// ---------------------------------------------------------------------------
// PET, SR

struct SuvResult {
  py::object array;
  std::vector<double> factors;
  py::dict report;
  Grid grid;
  std::string seriesInstanceUID;
};

SuvResult petSuv(const py::object& directories, const py::object& typeObject) {
  const std::string type = textArg(typeObject, "suv_type", "bw, lbm, lbmjanma, bsa or ibw");
  const auto parsed = pet::parseSuvType(type);
  if (!parsed) throwUsage("suv_type '" + type + "': expected bw, lbm, lbmjanma, bsa or ibw");
  pet::ConvertOptions options;
  options.suvType = *parsed;
  options.keepImage = true;
  options.keepReport = true;
  const std::vector<std::string> dirs = pathList(directories, "path");
  pet::ConvertSummary summary;
  {
    py::gil_scoped_release release;
    summary = pet::convertPetSeries(dirs, options);
  }
  SuvResult r;
  r.factors = summary.suv.factors;
  r.report = fromJson(nlohmann::json::parse(summary.report)).cast<py::dict>();
  r.grid = summary.image.grid;
  r.seriesInstanceUID = summary.seriesInstanceUID;
  r.array = arrayOf(std::move(summary.image));
  return r;
}

py::dict readSr(const py::object& pathObject) {
  const std::string path = pathOf(pathObject, "path");
  sr::ReadResult r;
  {
    py::gil_scoped_release release;
    r = sr::readMeasurementReport(path);
  }
  return fromJson(sr::toJson(r.metadata)).cast<py::dict>();
}

std::string oneDirectory(const py::object& o, const char* what) {
  if (o.is_none()) return "";
  const std::vector<std::string> paths = pathList(o, what);
  if (paths.size() != 1)
    throwUsage(std::string(what) + ": give one directory (the files the report names are looked up in it)");
  return paths.front();
}

py::dict writeSr(const py::object& reportObject, const py::object& pathObject, const py::object& context,
                 const py::object& imageLibrary) {
  const sr::Metadata metadata = sr::parseMetadata(toJson(reportObject, "report"), "report");
  sr::WriterPaths paths;
  paths.output = pathOf(pathObject, "path");
  paths.compositeContextDirectory = oneDirectory(context, "context");
  paths.imageLibraryDirectory = oneDirectory(imageLibrary, "image_library");
  sr::WriteSummary s;
  {
    py::gil_scoped_release release;
    s = sr::writeMeasurementReport(metadata, paths);
  }
  py::dict d;
  d["sop_instance_uid"] = s.sopInstanceUID;
  d["groups"] = s.groups;
  d["measurements"] = s.measurements;
  d["path"] = fileName(paths.output);
  return d;
}

}  // namespace

PYBIND11_MODULE(_core, m) {
  m.doc() = "qidcm: DICOM SEG, Parametric Map, TID 1500 SR and SUV from NumPy arrays and back (doc/python.md).";
  m.attr("__version__") = QIDCM_VERSION;

  // Exceptions: qidcm.Error and one subclass per kind, also subclasses of
  // the matching built-in exception.
  PyObject* base = PyErr_NewExceptionWithDoc("qidcm.Error", "Any qidcm error; str() is the tools' one-line message.",
                                             PyExc_Exception, nullptr);
  auto derived = [&](const char* name, const char* doc, PyObject* builtin) {
    py::tuple bases = py::make_tuple(py::handle(base), py::handle(builtin));
    return PyErr_NewExceptionWithDoc(name, doc, bases.ptr(), nullptr);
  };
  errorClass[0] = base;
  errorClass[1] = derived("qidcm.InvalidInput", "Bad input: an array, a metadata key, a file (exit code 1 of the tools).",
                          PyExc_ValueError);
  errorClass[2] = derived("qidcm.UsageError", "A bad option value or combination (exit code 2).", PyExc_ValueError);
  errorClass[3] = derived("qidcm.IOError", "An output that cannot be written (exit code 3).", PyExc_OSError);
  errorClass[4] = derived("qidcm.InternalError", "A bug in qidcm or a library failure (exit code 4).",
                          PyExc_RuntimeError);
  const char* names[5] = {"Error", "InvalidInput", "UsageError", "IOError", "InternalError"};
  for (int n = 0; n < 5; ++n) m.add_object(names[n], py::handle(errorClass[n]));
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const Error& e) {
      PyErr_SetObject(classFor(e.kind()), text(e.what()).ptr());
    } catch (const std::bad_alloc&) {
      PyErr_SetString(PyExc_MemoryError, "qidcm: out of memory");
    }
  });

  py::class_<Series>(m, "Series", "A source series: headers and geometry (no pixels). Made by read_series.")
      .def_readonly("series_instance_uid", &Series::seriesInstanceUID)
      .def_property_readonly("study_instance_uid", [](const Series& s) { return text(s.first().studyInstanceUID); })
      .def_property_readonly("frame_of_reference_uid", [](const Series& s) { return text(s.first().frameOfReferenceUID); })
      .def_property_readonly("patient_id", [](const Series& s) { return text(s.first().patientID); })
      .def_property_readonly("patient_name", [](const Series& s) { return text(s.first().patientName); })
      .def_property_readonly("modality", [](const Series& s) { return text(s.first().modality); })
      .def_property_readonly("files", [](const Series& s) {
        py::list l;
        for (const std::string& f : s.files) l.append(fileName(f));
        return l;
      }, "The series' files.")
      .def_property_readonly("shape", [](const Series& s) {
        return py::make_tuple(s.grid.slices(), s.grid.rows(), s.grid.columns());
      }, "(slices, rows, columns) of an array on the series' grid.")
      .def_property_readonly("affine", [](const Series& s) { return affineOf(s.grid); },
                             "4 x 4: index (column, row, slice, 1) -> LPS mm.")
      .def_property_readonly("spacing", [](const Series& s) { return geometryItem(s.grid, "spacing"); })
      .def_property_readonly("origin", [](const Series& s) { return geometryItem(s.grid, "origin"); })
      .def_property_readonly("direction", [](const Series& s) { return geometryItem(s.grid, "direction"); })
      .def_property_readonly("series", [](const Series& s) {
        std::set<std::string> uids;
        for (const SourceInstance& i : s.index.instances()) uids.insert(i.seriesInstanceUID);
        return std::vector<std::string>(uids.begin(), uids.end());
      }, "Every series UID found where the series was read.")
      .def("__repr__", [](const Series& s) {
        return "<qidcm.Series " + s.seriesInstanceUID + " " + s.first().modality + " " + std::to_string(s.grid.slices()) +
               " x " + std::to_string(s.grid.rows()) + " x " + std::to_string(s.grid.columns()) + ">";
      });

  m.def("read_series", [](const py::object& paths, const py::object& uidObject) {
          const std::string uid = textArg(uidObject, "series_instance_uid", "a UID, or empty");
          const std::vector<std::string> list = pathList(paths, "path");
          py::gil_scoped_release release;
          return readSeries(list, uid);
        },
        py::arg("path"), py::arg("series_instance_uid") = "",
        "Scans a directory (recursively) or files for a DICOM image series: headers and geometry, no pixels.\n"
        "With several series, the one with the most frames unless series_instance_uid names one.");

  m.def("write_seg", &writeSeg, py::arg("labels"), py::arg("metadata"), py::arg("source"), py::arg("path"),
        py::arg("segmentation_type") = "binary", py::arg("compress") = "none", py::arg("affine") = py::none(),
        py::arg("from_ras") = false, py::arg("skip_empty_slices") = true,
        py::arg("use_label_id_as_segment_number") = false,
        "Writes a DICOM Segmentation.\n\n"
        "labels: (slices, rows, columns) uint8/uint16 label map (binary or labelmap); (segments, slices, rows,\n"
        "columns) bool/uint8 masks (binary; labelmap when they do not overlap); float32 probabilities in [0, 1]\n"
        "(fractional: 3-D for one segment, (segments, slices, rows, columns) for several).\n"
        "metadata: the dict itkimage2segimage reads (seg-schema.json). source: qidcm.read_series(...).\n"
        "affine: 4 x 4, index (column, row, slice, 1) -> LPS mm; None: the source's grid. from_ras: the affine\n"
        "is nibabel's (RAS). compress: none, rle, deflate, difc, jpegls, jpeg2000 (as --compress).\n"
        "Returns a dict: sop_instance_uid, series_instance_uid, segments, frames, bytes, path.");

  py::class_<SegResult>(m, "Segmentation", "A SEG read by read_seg.")
      .def_readonly("labels", &SegResult::labels,
                    "Label map (slices, rows, columns), pixel value = segment number; with overlapping segments\n"
                    "(or fractional ones) one layer per first axis (segments[i]['layer']).")
      .def_readonly("segments", &SegResult::segments, "One dict per segment (the metadata JSON keys, labelID, layer).")
      .def_readonly("metadata", &SegResult::metadata, "The metadata JSON segimage2itkimage writes.")
      .def_readonly("segmentation_type", &SegResult::segmentationType)
      .def_readonly("transfer_syntax", &SegResult::transferSyntax)
      .def_readonly("frames", &SegResult::frames)
      .def_property_readonly("affine", [](const SegResult& r) { return geometryItem(r.grid, "affine"); })
      .def_property_readonly("spacing", [](const SegResult& r) { return geometryItem(r.grid, "spacing"); })
      .def_property_readonly("origin", [](const SegResult& r) { return geometryItem(r.grid, "origin"); })
      .def_property_readonly("direction", [](const SegResult& r) { return geometryItem(r.grid, "direction"); });

  m.def("read_seg", &readSeg, py::arg("path"), py::arg("reference") = py::none(), py::arg("merge") = true,
        py::arg("probabilities") = true,
        "Reads a DICOM Segmentation (any type, any common transfer syntax).\n"
        "reference: the source series' directory: the labels then span its whole grid. merge: pack segments\n"
        "that do not overlap into one label map. probabilities: fractional values as float32 in [0, 1].");

  m.def("write_pm", &writePm, py::arg("array"), py::arg("metadata"), py::arg("source"), py::arg("path"),
        py::arg("affine") = py::none(), py::arg("from_ras") = false, py::arg("pixel_type") = "auto",
        py::arg("compress") = "none",
        "Writes a DICOM Parametric Map from a (slices, rows, columns) array (float32, float64 or 16-bit integers).\n"
        "metadata: the dict itkimage2paramap reads (pm-schema.json).");

  py::class_<PmResult>(m, "ParametricMap", "A parametric map read by read_pm.")
      .def_readonly("array", &PmResult::array)
      .def_readonly("metadata", &PmResult::metadata)
      .def_readonly("frames", &PmResult::frames)
      .def_readonly("transfer_syntax", &PmResult::transferSyntax)
      .def_property_readonly("affine", [](const PmResult& r) { return geometryItem(r.grid, "affine"); })
      .def_property_readonly("spacing", [](const PmResult& r) { return geometryItem(r.grid, "spacing"); })
      .def_property_readonly("origin", [](const PmResult& r) { return geometryItem(r.grid, "origin"); })
      .def_property_readonly("direction", [](const PmResult& r) { return geometryItem(r.grid, "direction"); });

  m.def("read_pm", &readPm, py::arg("path"), py::arg("real_world_values") = false,
        "Reads a DICOM Parametric Map; real_world_values: stored * slope + intercept as floating point.");

  py::class_<SuvResult>(m, "Suv", "SUV of a PET series, from pet_suv.")
      .def_readonly("array", &SuvResult::array, "float32 SUV (slices, rows, columns) on the series' grid.")
      .def_readonly("factors", &SuvResult::factors, "SUV = stored value x factor, per slice along the normal.")
      .def_readonly("report", &SuvResult::report, "Every value used and its source (pet2suv --outputMetadata).")
      .def_readonly("series_instance_uid", &SuvResult::seriesInstanceUID)
      .def_property_readonly("affine", [](const SuvResult& r) { return geometryItem(r.grid, "affine"); });

  m.def("pet_suv", &petSuv, py::arg("path"), py::arg("suv_type") = "bw",
        "Standardized Uptake Values of the PET series under path (rules of doc/pet2suv.md).\n"
        "suv_type: bw, lbm, lbmjanma, bsa or ibw.");

  m.def("read_sr", &readSr, py::arg("path"), "Reads a TID 1500 report into the dict tid1500reader writes.");
  m.def("write_sr", &writeSr, py::arg("report"), py::arg("path"), py::arg("context") = py::none(),
        py::arg("image_library") = py::none(),
        "Writes a TID 1500 report from the dict tid1500writer reads (sr-tid1500-schema.json).\n"
        "context: the directory of the compositeContext files; image_library: that of the imageLibrary files.");
}
