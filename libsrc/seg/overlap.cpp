#include "seg/overlap.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "pixel/bits.h"

namespace qidcm::seg {

// ---------------------------------------------------------------------------
// Writing.

namespace {

// Non-zero mask of slice k.
std::vector<std::uint8_t> sliceMask(const Volume& v, std::size_t k) {
  const std::size_t plane = v.grid.slicePixels();
  std::vector<std::uint8_t> mask(plane);
  dispatchPixelType(v.type, [&](auto zero) {
    using T = decltype(zero);
    const T* data = v.samples<T>() + k * plane;
    for (std::size_t p = 0; p < plane; ++p) mask[p] = data[p] != 0;
  });
  return mask;
}

}  // namespace

OverlapResult findFileOverlap(const std::vector<LabelImage>& images, const std::vector<PlannedSegment>& segments,
                              OverlapHit& hit) {
  const std::size_t files = images.size();
  if (files < 2) return OverlapResult::None;
  std::vector<std::vector<bool>> occupied(files);
  for (std::size_t f = 0; f < files; ++f) occupied[f].assign(images[f].volume.grid.slices(), false);
  for (const auto& s : segments)
    for (const auto& e : s.extents) occupied[s.file][e.slice] = true;
  bool unaligned = false;
  for (std::size_t a = 0; a < files; ++a) {
    const Grid& ga = images[a].volume.grid;
    for (std::size_t b = a + 1; b < files; ++b) {
      const Grid& gb = images[b].volume.grid;
      // Index of b's first voxel in a's grid.
      const Vec3 shift = ga.continuousIndex(gb.origin);
      long offset[3];
      bool whole = true;
      for (int d = 0; d < 3; ++d) {
        offset[d] = std::lround(shift[d]);
        whole = whole && std::fabs(shift[d] - static_cast<double>(offset[d])) < 1e-3;
      }
      if (!whole) {
        unaligned = true;
        continue;
      }
      const long cols = static_cast<long>(ga.columns()), rows = static_cast<long>(ga.rows());
      for (std::size_t kb = 0; kb < gb.slices(); ++kb) {
        const long ka = static_cast<long>(kb) + offset[2];
        if (!occupied[b][kb] || ka < 0 || ka >= static_cast<long>(ga.slices()) || !occupied[a][ka]) continue;
        const std::vector<std::uint8_t> maskA = sliceMask(images[a].volume, static_cast<std::size_t>(ka));
        const std::vector<std::uint8_t> maskB = sliceMask(images[b].volume, kb);
        for (long jb = 0; jb < rows; ++jb) {
          const long ja = jb + offset[1];
          if (ja < 0 || ja >= rows) continue;
          for (long ib = 0; ib < cols; ++ib) {
            const long ia = ib + offset[0];
            if (ia < 0 || ia >= cols) continue;
            const std::size_t pa = static_cast<std::size_t>(ja * cols + ia), pb = static_cast<std::size_t>(jb * cols + ib);
            if (maskA[pa] && maskB[pb]) {
              hit = {a, b, static_cast<std::size_t>(ka), static_cast<std::size_t>(ka) * ga.slicePixels() + pa,
                     kb * gb.slicePixels() + pb};
              return OverlapResult::Found;
            }
          }
        }
      }
    }
  }
  return unaligned ? OverlapResult::Unaligned : OverlapResult::None;
}

bool fractionsOverlap(const std::vector<LabelImage>& images, const std::vector<PlannedSegment>& segments) {
  const Grid& g = images.front().volume.grid;
  const std::size_t plane = g.slicePixels(), cols = g.columns();
  std::vector<std::uint8_t> covered(plane);
  std::vector<std::vector<std::pair<const PlannedSegment*, const SliceExtent*>>> bySlice(g.slices());
  for (const auto& s : segments)
    for (const auto& e : s.extents) bySlice[e.slice].push_back({&s, &e});
  for (std::size_t k = 0; k < g.slices(); ++k) {
    if (bySlice[k].size() < 2) continue;
    std::fill(covered.begin(), covered.end(), 0);
    for (const auto& [seg, e] : bySlice[k]) {
      const Volume& v = images[seg->file].volume;
      const std::size_t c = seg->label - 1;
      for (std::size_t j = e->j0; j <= e->j1; ++j)
        for (std::size_t i = e->i0; i <= e->i1; ++i) {
          const std::size_t p = j * cols + i;
          const double value = v.sampleAsDouble(k * plane + p, c);
          if (std::lround(std::clamp(value, 0.0, 1.0) * 255.0) == 0) continue;
          if (covered[p]++) return true;
        }
    }
  }
  return false;
}

// ---------------------------------------------------------------------------
// Reading.

namespace {

// Rows [first, last] of a frame that hold any non-zero pixel; first > last when empty.
struct RowRange {
  std::size_t first = 1, last = 0;
};

bool pixelSet(const SegmentationFile& seg, const FrameView& v, std::size_t pixel) {
  switch (seg.bitsAllocated()) {
    case 1: return pixel::bitAt(v.data, v.bitOffset + pixel);
    case 8: return v.data[pixel] != 0;
    default: return v.data[2 * pixel] != 0 || v.data[2 * pixel + 1] != 0;
  }
}

RowRange rowsOf(const SegmentationFile& seg, const FrameView& v) {
  RowRange r;
  const std::size_t cols = seg.frameColumns(), rows = seg.frameRows();
  bool any = false;
  for (std::size_t j = 0; j < rows; ++j) {
    bool rowAny = false;
    if (seg.bitsAllocated() == 1) {
      pixel::forEachSetBit(v.data, v.bitOffset + j * cols, cols, [&](std::size_t) { rowAny = true; });
    } else {
      for (std::size_t i = 0; i < cols && !rowAny; ++i) rowAny = pixelSet(seg, v, j * cols + i);
    }
    if (rowAny) {
      if (!any) r.first = j;
      r.last = j;
      any = true;
    }
  }
  return r;
}

bool framesOverlap(const SegmentationFile& seg, const FrameView& a, const FrameView& b, std::size_t rowFrom,
                   std::size_t rowTo) {
  const std::size_t cols = seg.frameColumns();
  if (seg.bitsAllocated() == 1 && a.bitOffset == 0 && b.bitOffset == 0 && cols % 8 == 0) {
    const std::size_t from = rowFrom * cols / 8, to = (rowTo + 1) * cols / 8;
    for (std::size_t n = from; n < to; ++n)
      if (a.data[n] & b.data[n]) return true;
    return false;
  }
  for (std::size_t p = rowFrom * cols; p < (rowTo + 1) * cols; ++p)
    if (pixelSet(seg, a, p) && pixelSet(seg, b, p)) return true;
  return false;
}

}  // namespace

std::map<SegmentPair, std::size_t> overlappingSegments(const SegmentationFile& seg) {
  std::map<SegmentPair, std::size_t> pairs;
  // Frames grouped by where they are; a slide's tiles only meet tiles at the same place.
  std::map<std::tuple<std::size_t, std::size_t, std::size_t>, std::vector<std::size_t>> byPlace;
  const auto& frames = seg.frames();
  for (std::size_t f = 0; f < frames.size(); ++f)
    byPlace[{frames[f].slice, frames[f].row, frames[f].column}].push_back(f);
  for (const auto& [place, list] : byPlace) {
    if (list.size() < 2) continue;
    // Each frame is read once per place (frames may come from disk).
    std::vector<FrameView> views;
    std::vector<RowRange> ranges;
    for (std::size_t f : list) {
      views.push_back(seg.frame(f));
      ranges.push_back(rowsOf(seg, views.back()));
    }
    for (std::size_t x = 0; x < list.size(); ++x)
      for (std::size_t y = x + 1; y < list.size(); ++y) {
        std::uint16_t a = frames[list[x]].segment, b = frames[list[y]].segment;
        if (a == b) continue;
        const SegmentPair pair{std::min(a, b), std::max(a, b)};
        if (pairs.count(pair)) continue;
        const std::size_t from = std::max(ranges[x].first, ranges[y].first);
        const std::size_t to = std::min(ranges[x].last, ranges[y].last);
        if (from > to) continue;
        if (framesOverlap(seg, views[x], views[y], from, to))
          pairs.emplace(pair, a < b ? list[x] : list[y]);
      }
  }
  return pairs;
}

std::vector<std::vector<std::uint16_t>> groupSegments(const std::vector<std::uint16_t>& segments,
                                                      const std::map<SegmentPair, std::size_t>& overlaps) {
  auto conflict = [&](std::uint16_t a, std::uint16_t b) {
    return overlaps.count({std::min(a, b), std::max(a, b)}) > 0;
  };
  // First fit, in Segment Number order.
  std::vector<std::vector<std::uint16_t>> firstFit;
  for (std::uint16_t s : segments) {
    bool placed = false;
    for (auto& group : firstFit) {
      if (std::none_of(group.begin(), group.end(), [&](std::uint16_t g) { return conflict(g, s); })) {
        group.push_back(s);
        placed = true;
        break;
      }
    }
    if (!placed) firstFit.push_back({s});
  }
  // DSatur: colour the most constrained segment next (most distinct neighbour
  // colours, then most neighbours, then lowest number).
  const std::size_t n = segments.size();
  std::map<std::uint16_t, std::size_t> indexOf;
  for (std::size_t v = 0; v < n; ++v) indexOf[segments[v]] = v;
  std::vector<std::vector<std::size_t>> neighbours(n);
  for (const auto& [pair, frame] : overlaps) {
    const auto& [a, b] = pair;
    auto ia = indexOf.find(a), ib = indexOf.find(b);
    if (ia == indexOf.end() || ib == indexOf.end()) continue;
    neighbours[ia->second].push_back(ib->second);
    neighbours[ib->second].push_back(ia->second);
  }
  std::vector<int> colour(n, -1);
  std::vector<std::set<int>> saturation(n);
  int colours = 0;
  for (std::size_t step = 0; step < n; ++step) {
    std::size_t pick = n;
    for (std::size_t v = 0; v < n; ++v) {
      if (colour[v] >= 0) continue;
      if (pick == n || saturation[v].size() > saturation[pick].size() ||
          (saturation[v].size() == saturation[pick].size() && neighbours[v].size() > neighbours[pick].size()))
        pick = v;
    }
    int c = 0;
    while (saturation[pick].count(c)) ++c;
    colour[pick] = c;
    colours = std::max(colours, c + 1);
    for (std::size_t u : neighbours[pick]) saturation[u].insert(c);
  }
  if (static_cast<std::size_t>(colours) >= firstFit.size()) return firstFit;
  std::vector<std::vector<std::uint16_t>> groups(static_cast<std::size_t>(colours));
  for (std::size_t v = 0; v < n; ++v) groups[static_cast<std::size_t>(colour[v])].push_back(segments[v]);
  for (auto& g : groups) std::sort(g.begin(), g.end());
  std::sort(groups.begin(), groups.end());
  return groups;
}

}  // namespace qidcm::seg
