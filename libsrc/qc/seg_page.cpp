// The QC page of a Segmentation: header, checks, a table of the segments,
// each segment over its source slices, a montage and two reformats.
#include <algorithm>
#include <cmath>
#include <limits>
#include <mutex>
#include <optional>

#include "core/parallel.h"
#include "qc/pages.h"
#include "qidcm/error.h"
#include "qidcm/seg/reader.h"

namespace qidcm::qc {
namespace {

struct SegmentStats {
  std::size_t voxels = 0;
  double sum[3] = {0, 0, 0};       // of display indexes, for the centroid
  long low[3] = {std::numeric_limits<long>::max(), std::numeric_limits<long>::max(), std::numeric_limits<long>::max()};
  long high[3] = {std::numeric_limits<long>::min(), std::numeric_limits<long>::min(),
                  std::numeric_limits<long>::min()};
  std::size_t outside = 0;  // voxels off the display volume (or far off any grid)
  double valueSum = 0;
  std::size_t valued = 0;
};

struct Segment {
  seg::SegmentDescription description;
  std::size_t layer = 0;
  Rgb colour;
  SegmentStats stats;
  std::size_t slices = 0, edgeSlices = 0;
};

// A layer of the reader as labels: FRACTIONAL probabilities become the
// segment's number where at least one half.
Volume labelsOf(const seg::ReaderImage& image) {
  if (image.volume.type != PixelType::Float32) return image.volume.clone();
  const unsigned number = image.segments.empty() ? 1 : static_cast<unsigned>(image.segments[0].labelID);
  Volume labels = emptyVolume(image.volume.grid, number > 255 ? PixelType::UInt16 : PixelType::UInt8, "");
  const float* p = image.volume.samples<float>();
  const std::size_t n = image.volume.grid.voxels();
  if (number > 255) {
    std::uint16_t* out = labels.samples<std::uint16_t>();
    for (std::size_t v = 0; v < n; ++v) out[v] = p[v] >= 0.5f ? static_cast<std::uint16_t>(number) : 0;
  } else {
    std::uint8_t* out = labels.samples<std::uint8_t>();
    for (std::size_t v = 0; v < n; ++v) out[v] = p[v] >= 0.5f ? static_cast<std::uint8_t>(number) : 0;
  }
  return labels;
}

Rgb colourOf(const seg::SegmentDescription& d) {
  const RGB c = labToRgb(d.effectiveLab());
  return {static_cast<std::uint8_t>(c[0]), static_cast<std::uint8_t>(c[1]), static_cast<std::uint8_t>(c[2])};
}

}  // namespace

PageSummary segmentationPage(const ObjectHeader& h, const PageOptions& options, std::string& html) {
  PageSummary summary;
  summary.kind = "SEG";
  summary.sopInstanceUID = h.sopInstanceUID;
  std::vector<std::string> failed, passed;

  // The SEG, non-overlapping segments packed into as few label layers as possible.
  seg::ReaderOptions readerOptions;
  readerOptions.mergeSegments = true;
  readerOptions.fractionalAsProbability = true;
  std::vector<Volume> layers;
  std::vector<Segment> segments;
  std::optional<std::string> background;
  seg::ReadSummary read;
  const seg::Metadata metadata = seg::readSegmentation(
      h.path, readerOptions,
      [&](const seg::ReaderImage& image) {
        layers.push_back(labelsOf(image));
        for (const seg::SegmentDescription& d : image.segments) {
          if (d.labelID == 0) {  // a LABELMAP's background, described as segment 0: not drawn, not counted
            background = d.effectiveLabel();
            continue;
          }
          Segment s;
          s.description = d;
          s.layer = layers.size() - 1;
          s.colour = colourOf(d);
          segments.push_back(s);
        }
      },
      &read);
  (void)metadata;
  std::sort(segments.begin(), segments.end(),
            [](const Segment& a, const Segment& b) { return a.description.labelID < b.description.labelID; });
  std::size_t largestNumber = 0;
  for (const Segment& s : segments) largestNumber = std::max<std::size_t>(largestNumber, s.description.labelID);
  std::vector<std::size_t> segmentAt(largestNumber + 1, static_cast<std::size_t>(-1));
  for (std::size_t n = 0; n < segments.size(); ++n) segmentAt[segments[n].description.labelID] = n;
  std::vector<Rgb> colours(largestNumber + 1);
  for (const Segment& s : segments) colours[s.description.labelID] = s.colour;

  SourceContext source = loadSource(options.sourceDirectory, h, true, summary.warnings);
  const Grid segGrid = read.grid;
  const Grid display = source.found ? source.grid : segGrid;
  const Affine toSeg = indexMapping(display, segGrid);
  const Affine toDisplay = indexMapping(segGrid, display);
  checkFrameOfReference(h, source, failed, passed);

  // Statistics, on both cores: per worker, then merged.
  const std::size_t K = display.slices(), W = display.columns(), H = display.rows();
  struct Partial {
    std::vector<SegmentStats> stats;
    std::vector<std::uint8_t> slices, edges;  // [segment * K + k]
    std::vector<std::uint8_t> segPlanes;      // planes of the SEG grid with a voxel
  };
  Partial partial[2];
  for (Partial& p : partial) {
    p.stats.assign(segments.size(), {});
    p.slices.assign(segments.size() * K, 0);
    p.edges.assign(segments.size() * K, 0);
    p.segPlanes.assign(segGrid.slices(), 0);
  }
  const float* values = source.found ? source.pixels.volume.samples<float>() : nullptr;
  for (const Volume& layer : layers) {
    const bool wide = layer.type == PixelType::UInt16;
    parallelFor(segGrid.slices(), [&](int worker, std::size_t k) {
      Partial& p = partial[worker];
      const std::size_t plane = segGrid.slicePixels();
      for (std::size_t j = 0; j < segGrid.rows(); ++j)
        for (std::size_t i = 0; i < segGrid.columns(); ++i) {
          const std::size_t at = k * plane + j * segGrid.columns() + i;
          const unsigned label = wide ? layer.samples<std::uint16_t>()[at] : layer.samples<std::uint8_t>()[at];
          if (label == 0 || label > largestNumber || segmentAt[label] == static_cast<std::size_t>(-1)) continue;
          const std::size_t n = segmentAt[label];
          SegmentStats& s = p.stats[n];
          const Vec3 x = toDisplay.apply({static_cast<double>(i), static_cast<double>(j), static_cast<double>(k)});
          ++s.voxels;
          p.segPlanes[k] = 1;
          if (!(std::fabs(x[0]) < 1e9 && std::fabs(x[1]) < 1e9 && std::fabs(x[2]) < 1e9)) {
            ++s.outside;
            continue;
          }
          const long d[3] = {std::lround(x[0]), std::lround(x[1]), std::lround(x[2])};
          for (int c = 0; c < 3; ++c) {
            s.low[c] = std::min(s.low[c], d[c]);
            s.high[c] = std::max(s.high[c], d[c]);
          }
          if (d[0] < 0 || d[1] < 0 || d[2] < 0 || d[0] >= static_cast<long>(W) || d[1] >= static_cast<long>(H) ||
              d[2] >= static_cast<long>(K)) {
            ++s.outside;
            continue;
          }
          for (int c = 0; c < 3; ++c) s.sum[c] += x[c];  // the centroid: of the voxels inside
          p.slices[n * K + static_cast<std::size_t>(d[2])] = 1;
          if (d[0] == 0 || d[1] == 0 || d[0] == static_cast<long>(W) - 1 || d[1] == static_cast<long>(H) - 1)
            p.edges[n * K + static_cast<std::size_t>(d[2])] = 1;
          if (values) {
            s.valueSum += values[display.index(static_cast<std::size_t>(d[0]), static_cast<std::size_t>(d[1]),
                                               static_cast<std::size_t>(d[2]))];
            ++s.valued;
          }
        }
    });
  }
  std::vector<std::size_t> planes;
  for (std::size_t k = 0; k < segGrid.slices(); ++k)
    if (partial[0].segPlanes[k] || partial[1].segPlanes[k] || k == 0 || k + 1 == segGrid.slices()) planes.push_back(k);
  for (std::size_t n = 0; n < segments.size(); ++n) {
    SegmentStats& s = segments[n].stats;
    for (const Partial& p : partial) {
      const SegmentStats& q = p.stats[n];
      s.voxels += q.voxels;
      s.outside += q.outside;
      s.valueSum += q.valueSum;
      s.valued += q.valued;
      for (int c = 0; c < 3; ++c) {
        s.sum[c] += q.sum[c];
        s.low[c] = std::min(s.low[c], q.low[c]);
        s.high[c] = std::max(s.high[c], q.high[c]);
      }
    }
    for (std::size_t k = 0; k < K; ++k) {
      segments[n].slices += partial[0].slices[n * K + k] | partial[1].slices[n * K + k];
      segments[n].edgeSlices += partial[0].edges[n * K + k] | partial[1].edges[n * K + k];
    }
  }

  // Checks.
  std::size_t empty = 0, edge = 0, off = 0;
  for (const Segment& s : segments) {
    const std::string name = "segment " + std::to_string(s.description.labelID) + " (" + s.description.effectiveLabel() + ")";
    if (s.stats.voxels == 0) {
      failed.push_back(name + " has 0 voxels");
      ++empty;
    }
    if (s.stats.outside > 0) {
      failed.push_back(name + ": " + std::to_string(s.stats.outside) + " of its " + std::to_string(s.stats.voxels) +
                       " voxels lie outside the " + (source.found ? "source series' volume" : "SEG's grid"));
      ++off;
    }
    if (s.slices > 0 && 2 * s.edgeSlices > s.slices) {
      failed.push_back(name + " touches the edge of the volume on " + std::to_string(s.edgeSlices) + " of its " +
                       std::to_string(s.slices) + " slices");
      ++edge;
    }
  }
  if (!empty) passed.push_back("every segment has voxels");
  if (!edge) passed.push_back("no segment touches the edge of the volume on more than half of its slices");
  if (!off) passed.push_back("every voxel lies inside the source series' volume");
  if (source.found) {
    const std::vector<std::size_t> off = planesOffSource(segGrid, planes, display);
    if (!off.empty()) {
      const Vec3 p = segGrid.slicePosition(off.front());
      failed.push_back(std::to_string(off.size()) + " of the " + std::to_string(planes.size()) +
                       " frame planes checked do not fall on source slices (the first at " + number(p[0]) + ", " +
                       number(p[1]) + ", " + number(p[2]) + " mm)");
    } else {
      passed.push_back("every frame plane falls on a source slice");
    }
  }
  summary.items = segments.size();
  summary.failedChecks = failed;

  // Pictures.
  const std::size_t side = options.pictureSize;
  auto drawAll = [&](const Plane& plane, unsigned focus, std::size_t onlyLayer) {
    RgbImage picture = drawGrey(source.found ? &source.pixels.volume : nullptr, plane, source.window);
    for (std::size_t l = 0; l < layers.size(); ++l)
      if (onlyLayer == static_cast<std::size_t>(-1) || l == onlyLayer)
        drawLabels(picture, sampleLabels(layers[l], toSeg, plane), colours, focus);
    return picture;
  };
  const std::size_t all = static_cast<std::size_t>(-1);
  std::vector<std::string> sections(segments.size());
  parallelFor(segments.size(), [&](int, std::size_t n) {
    const Segment& s = segments[n];
    const unsigned number_ = static_cast<unsigned>(s.description.labelID);
    std::string& out = sections[n];
    out = "<section class=\"segment\" id=\"segment-" + std::to_string(number_) + "\"><h3>Segment " +
          std::to_string(number_) + ": " + escape(s.description.effectiveLabel()) + " <span class=\"swatch\" style=\"background:" +
          hexColour(s.colour) + "\"></span></h3>\n";
    if (s.stats.voxels == s.stats.outside) {
      out += std::string("<p class=\"fail\">") + (s.stats.voxels ? "No voxel inside the volume." : "No voxels.") +
             "</p></section>\n";
      return;
    }
    const double summed = static_cast<double>(s.stats.voxels - s.stats.outside);
    const double ci = summed > 0 ? s.stats.sum[0] / summed : W / 2.0, cj = summed > 0 ? s.stats.sum[1] / summed : H / 2.0,
                 ck = summed > 0 ? s.stats.sum[2] / summed : K / 2.0;
    auto clampTo = [](double x, std::size_t n) {
      return static_cast<std::size_t>(std::clamp<long>(std::lround(x), 0, static_cast<long>(n) - 1));
    };
    // Quarter slices of the segment's slice range, within the volume.
    const double k0 = std::clamp<double>(static_cast<double>(s.stats.low[2]), 0, K - 1.0),
                 k1 = std::clamp<double>(static_cast<double>(s.stats.high[2]), 0, K - 1.0);
    const std::size_t ks[3] = {clampTo(k0 + (k1 - k0) / 4.0, K), clampTo(ck, K), clampTo(k0 + 3 * (k1 - k0) / 4.0, K)};
    const char* names[3] = {"quarter", "centroid", "three-quarter"};
    const std::string attrs = "data-segment=\"" + std::to_string(number_) + "\" data-colour=\"" + hexColour(s.colour) + "\"";
    for (int q = 0; q < 3; ++q)
      out += figure(drawAll(axialPlane(display, ks[q], side), number_, s.layer),
                    std::string(names[q]) + " slice " + std::to_string(ks[q]),
                    attrs + " data-view=\"axial\" data-slice=\"" + std::to_string(ks[q]) + "\" data-role=\"" + names[q] + "\"");
    const std::size_t ic = clampTo(ci, W), jc = clampTo(cj, H);
    out += figure(drawAll(coronalPlane(display, jc, side), number_, s.layer), "coronal, row " + std::to_string(jc),
                  attrs + " data-view=\"coronal\" data-row=\"" + std::to_string(jc) + "\"");
    out += figure(drawAll(sagittalPlane(display, ic, side), number_, s.layer), "sagittal, column " + std::to_string(ic),
                  attrs + " data-view=\"sagittal\" data-column=\"" + std::to_string(ic) + "\"");
    out += "</section>\n";
  });
  // Montage: every eighth slice, every segment.
  std::vector<std::size_t> montageSlices;
  for (std::size_t k = 0; k < K; k += 8) montageSlices.push_back(k);
  std::vector<std::string> tiles(montageSlices.size());
  parallelFor(montageSlices.size(), [&](int, std::size_t n) {
    tiles[n] = figure(drawAll(axialPlane(display, montageSlices[n], std::min<std::size_t>(side / 2, 160)), 0, all),
                      "slice " + std::to_string(montageSlices[n]),
                      "data-view=\"montage\" data-slice=\"" + std::to_string(montageSlices[n]) + "\"");
  });
  // Reformats and thumbnail through the centroid of all segments.
  double total = 0, centre[3] = {0, 0, 0};
  for (const Segment& s : segments)
    for (int c = 0; c < 3; ++c)
      centre[c] += s.stats.sum[c], total += c == 0 ? static_cast<double>(s.stats.voxels - s.stats.outside) : 0;
  for (double& c : centre) c = total > 0 ? c / total : 0;
  if (total == 0) centre[0] = W / 2.0, centre[1] = H / 2.0, centre[2] = K / 2.0;
  auto at = [](double x, std::size_t n) {
    return static_cast<std::size_t>(std::clamp<long>(std::lround(x), 0, static_cast<long>(n) - 1));
  };
  const RgbImage coronal = drawAll(coronalPlane(display, at(centre[1], H), side * 2), 0, all);
  const RgbImage sagittal = drawAll(sagittalPlane(display, at(centre[0], W), side * 2), 0, all);
  summary.thumbnail = pngDataUri(drawAll(axialPlane(display, at(centre[2], K), 96), 0, all));

  // The page.
  html += "<h1>Segmentation QC: " + escape(h.seriesDescription) + "</h1>\n";
  html += checksBox(failed, passed);
  if (!summary.warnings.empty()) {
    html += "<h2>Warnings</h2><ul class=\"warnings\">\n";
    for (const std::string& w : summary.warnings) html += "<li>" + escape(w) + "</li>\n";
    html += "</ul>\n";
  }
  html += "<h2>Object</h2>\n" +
          headerTable(h, {{"Segmentation type", h.segmentationType},
                          {"Segments", std::to_string(segments.size()) +
                                           (background ? " (and segment 0, the background: " + *background + ")" : "")},
                          {"SEG grid", gridText(segGrid)},
                          {"Source series", source.found ? source.description : "not found"}});
  html += "<h2>Segments</h2>\n<table id=\"segments\"><thead><tr><th>#</th><th>Label</th><th>Colour</th>"
          "<th>Category</th><th>Type</th><th>Algorithm</th><th>Voxels</th><th>Volume (ml)</th><th>Slices</th>"
          "<th>Bounding box (i, j, k)</th><th>Mean " +
          escape(source.found ? "source value" + (source.pixels.units.empty() ? "" : " (" + source.pixels.units + ")")
                              : "source value") +
          "</th><th>Edge slices</th></tr></thead><tbody>\n";
  const double voxelMl = segGrid.spacing[0] * segGrid.spacing[1] * segGrid.spacing[2] / 1000.0;
  for (const Segment& s : segments) {
    const SegmentStats& st = s.stats;
    const std::string n = std::to_string(s.description.labelID);
    std::string type = codeText(s.description.type);
    if (s.description.typeModifier) type += "; " + codeText(*s.description.typeModifier);
    std::string algorithm = toString(s.description.algorithmType);
    if (!s.description.algorithmName.empty()) algorithm += ": " + s.description.algorithmName;
    html += "<tr class=\"segment-row\" id=\"row-" + n + "\" data-segment=\"" + n + "\"><td class=\"n\"><a href=\"#segment-" +
            n + "\">" + n + "</a></td><td>" + escape(s.description.effectiveLabel()) +
            "</td><td><span class=\"swatch\" style=\"background:" + hexColour(s.colour) + "\" title=\"" +
            hexColour(s.colour) + "\"></span></td><td>" + escape(codeText(s.description.category)) + "</td><td>" +
            escape(type) + "</td><td>" + escape(algorithm) + "</td>" +
            (st.voxels == 0 ? "<td class=\"n fail\">0</td>" : "<td class=\"n\">" + std::to_string(st.voxels) + "</td>") +
            "<td class=\"n\">" + number(static_cast<double>(st.voxels) * voxelMl, 5) + "</td>";
    if (st.voxels == 0 || st.low[0] > st.high[0]) {  // no voxel, or none at a finite position
      html += "<td></td><td></td><td></td><td></td></tr>\n";
      continue;
    }
    html += "<td>" + std::to_string(st.low[2]) + "–" + std::to_string(st.high[2]) + " (" + std::to_string(s.slices) +
            ")</td><td>" + std::to_string(st.low[0]) + "–" + std::to_string(st.high[0]) + ", " +
            std::to_string(st.low[1]) + "–" + std::to_string(st.high[1]) + ", " + std::to_string(st.low[2]) + "–" +
            std::to_string(st.high[2]) + "</td><td class=\"n\">" +
            (st.valued ? number(st.valueSum / static_cast<double>(st.valued)) : std::string()) + "</td>" +
            (2 * s.edgeSlices > s.slices ? "<td class=\"n fail\">" : "<td class=\"n\">") +
            std::to_string(s.edgeSlices) + "</td></tr>\n";
  }
  html += "</tbody></table>\n<p>Indexes are those of the " +
          std::string(source.found ? "source series" : "SEG's own grid") +
          " (i along a row, j down the columns, k across slices). Pictures: axial slices as stored (columns to the "
          "right, rows down); reformats with k upwards.</p>\n";
  html += "<h2>Reformats through the centroid of all segments</h2>\n" +
          figure(coronal, "coronal, row " + std::to_string(at(centre[1], H)), "data-view=\"overview-coronal\"") +
          figure(sagittal, "sagittal, column " + std::to_string(at(centre[0], W)), "data-view=\"overview-sagittal\"");
  html += "<h2>Every eighth slice</h2>\n<div class=\"montage\">\n";
  for (const std::string& t : tiles) html += t;
  html += "</div>\n<h2>Each segment</h2>\n";
  for (const std::string& s : sections) html += s;
  return summary;
}

}  // namespace qidcm::qc
