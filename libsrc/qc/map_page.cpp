// The QC page of a Parametric Map or a Real World Value Mapping: the map in a
// colour scale over the source slices, with its bar, units and value range.
#include <algorithm>
#include <cmath>
#include <map>

#include "core/parallel.h"
#include "qc/pages.h"
#include "qidcm/error.h"
#include "qidcm/pm/reader.h"
#include "qidcm/rwvm/reader.h"

namespace qidcm::qc {
namespace {

struct ValueStats {
  double min = 0, max = 0, mean = 0;
  std::size_t finite = 0, nonFinite = 0, nonZero = 0;
};

ValueStats statsOf(const Volume& v) {
  ValueStats s;
  double sum = 0;
  bool first = true;
  const std::size_t n = v.grid.voxels();
  for (std::size_t p = 0; p < n; ++p) {
    const double x = v.sampleAsDouble(p);
    if (!std::isfinite(x)) {
      ++s.nonFinite;
      continue;
    }
    ++s.finite;
    s.nonZero += x != 0;
    sum += x;
    if (first || x < s.min) s.min = x;
    if (first || x > s.max) s.max = x;
    first = false;
  }
  s.mean = s.finite ? sum / static_cast<double>(s.finite) : 0;
  return s;
}

}  // namespace

PageSummary mapPage(const ObjectHeader& h, const PageOptions& options, std::string& html) {
  PageSummary summary;
  summary.kind = h.kind;
  summary.sopInstanceUID = h.sopInstanceUID;
  std::vector<std::string> failed, passed;
  const bool rwvm = h.kind == "RWVM";
  std::vector<std::pair<std::string, std::string>> extra;
  std::string units, quantity;
  Volume map;
  SourceContext source;
  std::string mappingsTable;

  if (!rwvm) {
    pm::ReaderOptions ro;
    ro.realWorldValues = true;
    pm::ReadResult r = pm::readParametricMap(h.path, ro);
    units = r.metadata.units.meaning.empty() ? r.metadata.units.value : r.metadata.units.meaning;
    if (!r.metadata.units.value.empty() && r.metadata.units.value != units) units += " [" + r.metadata.units.value + "]";
    quantity = codeText(r.metadata.quantity);
    map = std::move(r.image);
    summary.items = r.frames;
    extra = {{"Quantity", quantity},
             {"Units", codeText(r.metadata.units)},
             {"Real World Value slope, intercept", number(r.metadata.slope, 8) + ", " + number(r.metadata.intercept, 8)},
             {"Map grid", gridText(map.grid)}};
    source = loadSource(options.sourceDirectory, h, true, summary.warnings);
    if (source.found) {
      std::vector<std::size_t> planes(map.grid.slices());
      for (std::size_t k = 0; k < planes.size(); ++k) planes[k] = k;
      const std::vector<std::size_t> off = planesOffSource(map.grid, planes, source.grid);
      if (!off.empty())
        failed.push_back(std::to_string(off.size()) + " of the map's " + std::to_string(planes.size()) +
                         " planes do not fall on source slices");
      else
        passed.push_back("every plane of the map falls on a source slice");
    }
  } else {
    const rwvm::ReadResult r = rwvm::readRealWorldValueMapping(h.path);
    ObjectHeader withSeries = h;
    if (!r.content.seriesInstanceUID.empty()) withSeries.referencedSeries = {r.content.seriesInstanceUID};
    // Stored values: the mapping applies to them, not to the modality values.
    source = loadSource(options.sourceDirectory, withSeries, false, summary.warnings);
    summary.items = r.content.mappings.size();
    const rwvm::Mapping& m0 = r.content.mappings.front();
    units = m0.units.meaning.empty() ? m0.units.value : m0.units.meaning;
    if (!m0.units.value.empty() && m0.units.value != units) units += " [" + m0.units.value + "]";
    for (const auto& [name, value] : m0.quantityDefinition)
      if (name.value == "246205007") quantity = codeText(value);  // Quantity
    mappingsTable = "<h2>Mappings</h2>\n<table id=\"mappings\"><thead><tr><th>#</th><th>LUT Label</th><th>Explanation</th>"
                    "<th>Units</th><th>Slope</th><th>Intercept</th><th>Images</th><th>Quantity definition</th></tr>"
                    "</thead><tbody>\n";
    // Each image through its first mapping: an RWVM may give an image several
    // (SUVbw and SUVlbm): the page draws the first mapping's quantity only.
    std::map<std::string, std::pair<double, double>> byInstance;
    std::size_t other = 0;
    for (std::size_t n = 0; n < r.content.mappings.size(); ++n) {
      const rwvm::Mapping& m = r.content.mappings[n];
      std::string definition;
      for (const auto& [name, value] : m.quantityDefinition)
        definition += (definition.empty() ? "" : "; ") + name.meaning + ": " + codeText(value);
      mappingsTable += "<tr><td class=\"n\">" + std::to_string(n + 1) + "</td><td>" + escape(m.lutLabel) + "</td><td>" +
                       escape(m.lutExplanation) + "</td><td>" + escape(codeText(m.units)) + "</td><td class=\"n\">" +
                       number(m.slope, 8) + "</td><td class=\"n\">" + number(m.intercept, 8) + "</td><td class=\"n\">" +
                       std::to_string(m.images.size()) + "</td><td>" + escape(definition) + "</td></tr>\n";
      const bool sameQuantity = m.units == m0.units && m.quantityDefinition == m0.quantityDefinition;
      for (std::size_t i : m.images) {
        if (!sameQuantity) {
          ++other;
          continue;
        }
        byInstance.emplace(r.content.images[i].sopInstanceUID, std::make_pair(m.slope, m.intercept));
      }
    }
    mappingsTable += "</tbody></table>\n";
    if (other)
      summary.warnings.push_back(std::to_string(other) + " image references are to mappings of another quantity or "
                                 "units than the first mapping's (" + codeText(m0.units) + "); only the first is drawn");
    extra = {{"Mappings", std::to_string(r.content.mappings.size())},
             {"Referenced images", std::to_string(r.content.images.size())},
             {"Quantity", quantity},
             {"Units", codeText(m0.units)}};
    if (!source.found) {
      failed.push_back(options.sourceDirectory.empty()
                           ? "no source directory given (--inputDICOMDirectory): the mapped images cannot be drawn"
                           : "the referenced images are not in " + options.sourceDirectory + ": no values to draw");
    } else {
      // The map: each slice's stored values through its image's mapping.
      map = source.pixels.volume.clone();
      float* f = map.samples<float>();
      std::size_t unmapped = 0;
      for (std::size_t k = 0; k < map.grid.slices(); ++k) {
        const auto it = byInstance.find(source.pixels.sliceInstances[k]);
        float* slice = f + k * map.grid.slicePixels();
        if (it == byInstance.end()) {
          ++unmapped;
          std::fill(slice, slice + map.grid.slicePixels(), std::nanf(""));
          continue;
        }
        for (std::size_t p = 0; p < map.grid.slicePixels(); ++p)
          slice[p] = static_cast<float>(slice[p] * it->second.first + it->second.second);
      }
      if (unmapped)
        failed.push_back(std::to_string(unmapped) + " of the source series' " + std::to_string(map.grid.slices()) +
                         " slices are in no mapping");
      else
        passed.push_back("every slice of the source series is in a mapping");
      // Grey underneath: the modality values would need a second read; the
      // stored values in their own window do as well.
      source.window = greyWindow(source.pixels.volume, "", 0, 0);
    }
  }
  checkFrameOfReference(h, source, failed, passed);

  const bool haveMap = map.buffer.size() > 0;
  ValueStats stats;
  Window range;
  if (haveMap) {
    stats = statsOf(map);
    range = robustRange(map, true);
    if (stats.finite == 0) failed.push_back("the map has no finite value");
    else if (stats.nonZero == 0) failed.push_back("every value of the map is 0");
    else passed.push_back("the map has non-zero values");
    extra.push_back({"Value range", number(stats.min, 6) + " to " + number(stats.max, 6) + " " + units + " (mean " +
                                        number(stats.mean, 6) + "; " + std::to_string(stats.nonFinite) +
                                        " voxels not finite)"});
    extra.push_back({"Colour scale", number(range.low, 5) + " to " + number(range.high, 5) + " " + units +
                                         " (1st to 99th percentile of the non-zero values)"});
  }
  extra.push_back({"Source series", source.found ? source.description : "not found"});
  summary.failedChecks = failed;

  // Pictures on the source grid (or the map's own without a source).
  const Grid display = source.found ? source.grid : map.grid;
  const Affine toMap = haveMap ? indexMapping(display, map.grid) : Affine{};
  const std::size_t side = options.pictureSize;
  auto draw = [&](const Plane& plane) {
    RgbImage picture = drawGrey(source.found ? &source.pixels.volume : nullptr, plane, source.window);
    if (haveMap) {
      // Values below the scale's start are left out, so that the grey shows.
      Window w = range;
      w.low = range.low - (range.high - range.low) * 1e-6;
      drawMap(picture, map, toMap, plane, w, source.found ? 0.6 : 1.0);
    }
    return picture;
  };
  std::vector<std::size_t> slices;
  const std::size_t K = display.slices();
  for (std::size_t k = 0; k < K; k += 8) slices.push_back(k);
  if (K > 1 && slices.back() != K / 2) slices.push_back(K / 2);
  std::sort(slices.begin(), slices.end());
  slices.erase(std::unique(slices.begin(), slices.end()), slices.end());
  std::vector<std::string> tiles(slices.size());
  parallelFor(slices.size(), [&](int, std::size_t n) {
    tiles[n] = figure(draw(axialPlane(display, slices[n], std::min<std::size_t>(side, 200))),
                      "slice " + std::to_string(slices[n]), "data-view=\"map\" data-slice=\"" + std::to_string(slices[n]) + "\"");
  });
  const RgbImage coronal = draw(coronalPlane(display, display.rows() / 2, side * 2));
  const RgbImage sagittal = draw(sagittalPlane(display, display.columns() / 2, side * 2));
  summary.thumbnail = pngDataUri(draw(axialPlane(display, K / 2, 96)));

  html += "<h1>" + std::string(rwvm ? "Real World Value Mapping" : "Parametric Map") + " QC: " +
          escape(h.seriesDescription) + "</h1>\n";
  html += checksBox(failed, passed);
  if (!summary.warnings.empty()) {
    html += "<h2>Warnings</h2><ul class=\"warnings\">\n";
    for (const std::string& w : summary.warnings) html += "<li>" + escape(w) + "</li>\n";
    html += "</ul>\n";
  }
  html += "<h2>Object</h2>\n" + headerTable(h, extra) + mappingsTable;
  if (haveMap) {
    html += "<h2>Map</h2>\n<div class=\"scale\" style=\"display:flex;gap:8px;align-items:stretch\"><div>" +
            image(colourBar(24, 200), "colour scale", "data-view=\"colour-bar\"") +
            "</div><div style=\"display:flex;flex-direction:column;justify-content:space-between\"><span id=\"scale-high\">" +
            number(range.high, 5) + " " + escape(units) + "</span><span>" + escape(quantity) +
            "</span><span id=\"scale-low\">" + number(range.low, 5) + " " + escape(units) + "</span></div></div>\n";
    html += figure(coronal, "coronal, middle row", "data-view=\"coronal\"") +
            figure(sagittal, "sagittal, middle column", "data-view=\"sagittal\"");
    html += "<h2>Every eighth slice</h2>\n<div class=\"montage\">\n";
    for (const std::string& t : tiles) html += t;
    html += "</div>\n";
  }
  return summary;
}

}  // namespace qidcm::qc
