// The phantom: its grid, the ellipsoid segments, the label image and
// probability maps drawn from them, and the segmentation metadata. The CT
// series and the parametric map are in synth/derived_images.cpp.
#include "synth/synth.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "core/output_transaction.h"
#include "qidcm/codes.h"
#include "qidcm/error.h"
#include "qidcm/image_io.h"
#include "qidcm/uid.h"
#include "synth/derived_images.h"

namespace qidcm::synth {
namespace {

constexpr double kPi = 3.14159265358979323846;

Vec3 rotate(const Vec3& v, double ax, double az) {
  // rotation about x by ax, then about z by az
  const Vec3 rx{v[0], v[1] * std::cos(ax) - v[2] * std::sin(ax), v[1] * std::sin(ax) + v[2] * std::cos(ax)};
  return {rx[0] * std::cos(az) - rx[1] * std::sin(az), rx[0] * std::sin(az) + rx[1] * std::cos(az), rx[2]};
}

struct Organ {
  const char* code;
  const char* meaning;
};

const Organ kOrgans[] = {
    {"10200004", "Liver"},          {"78961009", "Spleen"},          {"64033007", "Kidney"},
    {"15776009", "Pancreas"},       {"69695003", "Stomach"},         {"28231008", "Gallbladder"},
    {"80891009", "Heart"},          {"39607008", "Lung"},            {"15825003", "Aorta"},
    {"89837001", "Urinary bladder"}, {"32849002", "Esophagus"},      {"38848004", "Duodenum"},
    {"23451007", "Adrenal gland"},  {"71854001", "Colon"},           {"30315005", "Small intestine"},
    {"41216001", "Prostate"},       {"12738006", "Brain"},           {"51282000", "Vertebra"},
    {"113197003", "Rib"},           {"71341001", "Femur"},
};

RGB colourFor(std::size_t s) {
  // Evenly spread hues, full saturation, 85% value.
  const double h = std::fmod(s * 0.61803398875, 1.0) * 6.0;
  const double v = 0.85, c = v, x = c * (1 - std::fabs(std::fmod(h, 2.0) - 1));
  double r = 0, g = 0, b = 0;
  switch (static_cast<int>(h)) {
    case 0: r = c, g = x; break;
    case 1: r = x, g = c; break;
    case 2: g = c, b = x; break;
    case 3: g = x, b = c; break;
    case 4: r = x, b = c; break;
    default: r = c, b = x; break;
  }
  return {static_cast<int>(std::lround(r * 255)), static_cast<int>(std::lround(g * 255)),
          static_cast<int>(std::lround(b * 255))};
}

struct Ellipsoid {
  double ci, cj, ck, ri, rj, rk;
};

template <typename T>
void convertLabels(const std::vector<std::uint16_t>& labels, Volume& out) {
  T* dst = out.samples<T>();
  for (std::size_t n = 0; n < labels.size(); ++n) dst[n] = static_cast<T>(labels[n]);
}

void checkOptions(const Options& o) {
  if (o.outputDirectory.empty()) throwUsage("no output directory");
  if (o.columns < 4 || o.rows < 4 || o.slices < 1) throwUsage("grid too small");
  if (o.segments > 65535) throwUsage("at most 65535 segments");
  const std::uint64_t maxValue = o.labelType == PixelType::UInt8 ? 255 : o.labelType == PixelType::Int8 ? 127
                               : o.labelType == PixelType::Int16 ? 32767 : 65535;
  if (o.segments > maxValue)
    throwUsage(std::to_string(o.segments) + " segments do not fit a " + pixelTypeName(o.labelType) + " label image");
}

// Segments: ellipsoids inside the body.
std::vector<Ellipsoid> drawShapes(const Options& o, std::mt19937& rng) {
  auto uniform = [&](double a, double b) { return std::uniform_real_distribution<double>(a, b)(rng); };
  // Body: an elliptic cylinder filling most of the field of view.
  const double bi = (o.columns - 1) / 2.0, bj = (o.rows - 1) / 2.0;
  const double bri = 0.45 * o.columns, brj = 0.36 * o.rows;

  const std::size_t maxSlices = o.maxSegmentSlices ? o.maxSegmentSlices : std::max<std::size_t>(o.slices / 2, 1);
  const std::size_t minSlices = std::min(std::max<std::size_t>(o.minSegmentSlices, 1), maxSlices);
  std::vector<Ellipsoid> shapes;
  for (std::size_t s = 0; s < o.segments; ++s) {
    Ellipsoid e;
    const double extent =
        o.logUniformExtents
            ? std::exp(uniform(std::log(static_cast<double>(minSlices)), std::log(static_cast<double>(maxSlices))))
            : uniform(static_cast<double>(minSlices), static_cast<double>(maxSlices));
    e.rk = std::max(0.5, extent / 2.0);
    const double largest = o.maxSegmentRadius > 0 ? o.maxSegmentRadius : std::max(3.0, std::min(bri, brj) / 3.0);
    const double inPlane = uniform(std::min(2.0, largest), largest);
    e.ri = std::max(1.0, inPlane * uniform(0.7, 1.3));
    e.rj = std::max(1.0, inPlane * uniform(0.7, 1.3));
    const double angle = uniform(0, 2 * kPi), dist = uniform(0, 0.6);
    e.ci = bi + dist * (bri - e.ri) * std::cos(angle);
    e.cj = bj + dist * (brj - e.rj) * std::sin(angle);
    e.ck = uniform(std::min(e.rk, (o.slices - 1) / 2.0), std::max(o.slices - 1 - e.rk, (o.slices - 1) / 2.0));
    shapes.push_back(e);
  }
  return shapes;
}

// The label of each voxel of the series grid: 0, or the number of the
// segment drawn last there.
std::vector<std::uint16_t> paintLabels(const Options& o, const Grid& g, const std::vector<Ellipsoid>& shapes) {
  // Draw large shapes first so that small ones stay visible on top.
  std::vector<std::size_t> order(o.segments);
  for (std::size_t s = 0; s < order.size(); ++s) order[s] = s;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return shapes[a].ri * shapes[a].rj * shapes[a].rk > shapes[b].ri * shapes[b].rj * shapes[b].rk;
  });
  const std::size_t plane = g.slicePixels();
  std::vector<std::uint16_t> labels(g.voxels(), 0);
  for (std::size_t s : order) {
    const Ellipsoid& e = shapes[s];
    const auto lo = [](double c, double r) { return static_cast<long>(std::max(0.0, std::floor(c - r))); };
    const auto hi = [](double c, double r, std::size_t n) {
      return static_cast<long>(std::min<double>(n - 1, std::ceil(c + r)));
    };
    for (long k = lo(e.ck, e.rk); k <= hi(e.ck, e.rk, o.slices); ++k)
      for (long j = lo(e.cj, e.rj); j <= hi(e.cj, e.rj, o.rows); ++j)
        for (long i = lo(e.ci, e.ri); i <= hi(e.ci, e.ri, o.columns); ++i) {
          const double di = (i - e.ci) / e.ri, dj = (j - e.cj) / e.rj, dk = (k - e.ck) / e.rk;
          if (di * di + dj * dj + dk * dk <= 1.0) labels[k * plane + j * o.columns + i] = static_cast<std::uint16_t>(s + 1);
        }
  }
  return labels;
}

// prob.nii.gz: probability 1 well inside each ellipsoid, falling linearly to 0 just outside it.
void writeProbabilityMaps(const Options& o, const Grid& g, const std::vector<Ellipsoid>& shapes, Outputs& out) {
  const std::size_t plane = g.slicePixels();
  Volume prob;
  prob.type = PixelType::Float32;
  prob.grid = g;
  const std::size_t mapped = o.probabilitySegments ? std::min(o.probabilitySegments, o.segments) : o.segments;
  prob.components = mapped;
  prob.planar = true;
  prob.allocate();
  float* p = prob.samples<float>();
  for (std::size_t s = 0; s < mapped; ++s) {
    const Ellipsoid& e = shapes[s];
    float* component = p + s * g.voxels();
    const double grow = 1.25;
    const long k0 = std::max(0L, static_cast<long>(std::floor(e.ck - grow * e.rk)));
    const long k1 = std::min<long>(o.slices - 1, static_cast<long>(std::ceil(e.ck + grow * e.rk)));
    const long j0 = std::max(0L, static_cast<long>(std::floor(e.cj - grow * e.rj)));
    const long j1 = std::min<long>(o.rows - 1, static_cast<long>(std::ceil(e.cj + grow * e.rj)));
    const long i0 = std::max(0L, static_cast<long>(std::floor(e.ci - grow * e.ri)));
    const long i1 = std::min<long>(o.columns - 1, static_cast<long>(std::ceil(e.ci + grow * e.ri)));
    for (long k = k0; k <= k1; ++k)
      for (long j = j0; j <= j1; ++j)
        for (long i = i0; i <= i1; ++i) {
          const double di = (i - e.ci) / e.ri, dj = (j - e.cj) / e.rj, dk = (k - e.ck) / e.rk;
          const double r = std::sqrt(di * di + dj * dj + dk * dk);
          const double v = std::clamp((1.2 - r) / 0.4, 0.0, 1.0);
          component[k * plane + j * o.columns + i] = static_cast<float>(v);
        }
  }
  out.probabilityPath = o.outputDirectory + "/prob.nii.gz";
  writeImage(out.probabilityPath, prob, true);
}

// The label image, optionally cropped, and the count of its non-empty
// (segment, slice) pairs.
void writeLabelImage(const Options& o, const Grid& g, const std::vector<std::uint16_t>& labels, Outputs& out) {
  const std::size_t plane = g.slicePixels();
  Volume label;
  label.type = o.labelType;
  label.grid = g;
  std::vector<std::uint16_t> cropped;
  const std::vector<std::uint16_t>* source = &labels;
  if (o.crop) {
    for (int d = 0; d < 3; ++d)
      if (o.cropSize[d] == 0 || o.cropStart[d] + o.cropSize[d] > g.size[d]) throwUsage("crop outside the grid");
    label.grid.size = {o.cropSize[0], o.cropSize[1], o.cropSize[2]};
    label.grid.origin = g.point(static_cast<double>(o.cropStart[0]), static_cast<double>(o.cropStart[1]),
                                static_cast<double>(o.cropStart[2]));
    cropped.resize(label.grid.voxels());
    for (std::size_t k = 0; k < o.cropSize[2]; ++k)
      for (std::size_t j = 0; j < o.cropSize[1]; ++j)
        for (std::size_t i = 0; i < o.cropSize[0]; ++i)
          cropped[(k * o.cropSize[1] + j) * o.cropSize[0] + i] =
              labels[(k + o.cropStart[2]) * plane + (j + o.cropStart[1]) * o.columns + i + o.cropStart[0]];
    source = &cropped;
  }
  label.allocate();
  dispatchPixelType(label.type, [&](auto zero) { convertLabels<decltype(zero)>(*source, label); });
  out.labelGrid = label.grid;
  out.labelPath = o.outputDirectory + "/label." + o.labelFormat;
  writeImage(out.labelPath, label, true);
  {
    const std::size_t lp = label.grid.slicePixels();
    for (std::size_t k = 0; k < label.grid.slices(); ++k) {
      std::vector<bool> present(o.segments + 1, false);
      for (std::size_t p = 0; p < lp; ++p) present[(*source)[k * lp + p]] = true;
      for (std::size_t s = 1; s <= o.segments; ++s) out.segmentSlicePairs += present[s];
    }
  }
}

void writeSegmentationMetadata(const Options& o, Outputs& out) {
  nlohmann::json segments = nlohmann::json::array();
  for (std::size_t s = 0; s < o.segments; ++s) {
    const Organ& organ = kOrgans[s % (sizeof kOrgans / sizeof kOrgans[0])];
    const RGB rgb = colourFor(s);
    std::string name = organ.meaning;
    if (s >= sizeof kOrgans / sizeof kOrgans[0]) name += " " + std::to_string(s + 1);
    segments.push_back({
        {"labelID", s + 1},
        {"SegmentLabel", name},
        {"SegmentDescription", "Synthetic " + name},
        {"SegmentedPropertyCategoryCodeSequence",
         {{"CodeValue", "123037004"}, {"CodingSchemeDesignator", "SCT"}, {"CodeMeaning", "Anatomical Structure"}}},
        {"SegmentedPropertyTypeCodeSequence",
         {{"CodeValue", organ.code}, {"CodingSchemeDesignator", "SCT"}, {"CodeMeaning", organ.meaning}}},
        {"SegmentAlgorithmType", "AUTOMATIC"},
        {"SegmentAlgorithmName", "qidcm-synth"},
        {"recommendedDisplayRGBValue", {rgb[0], rgb[1], rgb[2]}},
        {"TrackingIdentifier", "segment-" + std::to_string(s + 1)},
        {"TrackingUniqueIdentifier", newUid()},
    });
  }
  nlohmann::json meta = {{"ContentCreatorName", "Synthetic^Reader"},
                         {"ClinicalTrialSeriesID", "Session1"},
                         {"ClinicalTrialTimePointID", "1"},
                         {"ClinicalTrialCoordinatingCenterName", "qidcm"},
                         {"SeriesDescription", "Synthetic segmentation"},
                         {"SeriesNumber", "300"},
                         {"InstanceNumber", "1"},
                         {"ContentLabel", "SYNTHETIC"},
                         {"ContentDescription", "Ellipsoid segments from qidcm-synth"},
                         {"segmentAttributes", nlohmann::json::array({segments})}};
  out.metadataPath = o.outputDirectory + "/meta.json";
  std::ofstream json(out.metadataPath);
  json << meta.dump(2) << "\n";
  if (!json) throwOutput(out.metadataPath, "cannot write");
}

}  // namespace

Grid seriesGrid(const Options& o) {
  Grid g;
  g.size = {o.columns, o.rows, o.slices};
  g.spacing = o.spacing;
  Vec3 row{1, 0, 0}, col{0, 1, 0};
  const bool oblique = o.orientation == Orientation::Oblique || o.orientation == Orientation::ObliqueNegated;
  const bool negated = o.orientation == Orientation::Negated || o.orientation == Orientation::ObliqueNegated;
  if (oblique) {
    row = rotate(row, 20 * kPi / 180, 15 * kPi / 180);
    col = rotate(col, 20 * kPi / 180, 15 * kPi / 180);
  }
  if (negated) {
    row = -1.0 * row;
    col = -1.0 * col;
  }
  Vec3 normal = cross(row, col);
  Vec3 slice = negated ? -1.0 * normal : normal;
  g.direction = {row, col, slice};
  // Centre the volume on the patient origin.
  const Vec3 half = g.point((o.columns - 1) / 2.0, (o.rows - 1) / 2.0, (o.slices - 1) / 2.0);
  g.origin = Vec3{0, 0, 0} - half;
  return g;
}

Outputs generate(const Options& o) {
  checkOptions(o);
  createDirectories(o.outputDirectory);

  Outputs out;
  const Grid g = seriesGrid(o);
  out.seriesGrid = g;
  std::mt19937 rng(o.seed);
  const std::vector<Ellipsoid> shapes = drawShapes(o, rng);
  const std::vector<std::uint16_t> labels = paintLabels(o, g, shapes);
  if (o.probabilityMaps) writeProbabilityMaps(o, g, shapes, out);
  if (o.parametricMap) writeParametricMap(o, g, labels, out);
  if (o.writeSeries) writeCtSeries(o, g, labels, rng, out);
  writeLabelImage(o, g, labels, out);
  writeSegmentationMetadata(o, out);
  out.segments = o.segments;
  return out;
}

}  // namespace qidcm::synth
