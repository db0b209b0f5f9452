#include "seg/overlap.h"

#include <algorithm>
#include <map>

#include "pixel/bits.h"

namespace qidcm::seg {
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
