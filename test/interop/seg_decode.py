#!/usr/bin/python3
"""Independent decoder of DICOM SEG files (pydicom + numpy), for the reader tests.

It shares no code with qidcm. For every frame it gives the referenced segment
number (BINARY/FRACTIONAL; None for LABELMAP, whose pixels are segment
numbers), the frame's Image Position (Patient) when there is one, and the
frame's pixels as a 2-D numpy array (BINARY: 0/1).

Pixel data is decoded by pixel_decode.py: one declared decoder per transfer
syntax, never one of pydicom's pixel handlers.

Usage as a program: seg_decode.py <seg.dcm>   prints the frames and the
foreground voxel count per segment as JSON.
"""
import json
import sys

import pixel_decode
from testdeps import lazy

np = lazy("numpy")
pydicom = lazy("pydicom")

DecodeError = pixel_decode.DecodeError


class Frame:
    def __init__(self, index, number, position, pixels):
        self.index = index          # 0-based frame index
        self.number = number        # Referenced Segment Number, None for LABELMAP
        self.position = position    # Image Position (Patient) as a float array, or None
        self.pixels = pixels        # 2-D numpy array (rows, columns)


class Decoded:
    """A decoded SEG: ds, seg_type, rows, cols, bits, frames, segments, ppv,
    orientation (6 floats or None), pixel_spacing (row, column) or None,
    slice_spacing or None."""


def floats(v):
    return np.array([float(x) for x in v], dtype=float)


def frame_pixels(ds, path):
    """All frames as a list of 2-D arrays."""
    return pixel_decode.frames(ds, path)


# ---------------------------------------------------------------- structure

def _item(ds, frame_item, seq):
    if frame_item is not None and seq in frame_item:
        return frame_item[seq][0]
    shared = ds.get("SharedFunctionalGroupsSequence")
    if shared and seq in shared[0]:
        return shared[0][seq][0]
    return None


def decode(path):
    ds = pydicom.dcmread(path)
    if "SegmentSequence" not in ds:
        raise DecodeError("no Segment Sequence: not a SEG")
    d = Decoded()
    d.path, d.ds = path, ds
    d.seg_type = str(ds.get("SegmentationType", ""))
    d.rows, d.cols, d.bits = int(ds.Rows), int(ds.Columns), int(ds.BitsAllocated)
    d.segments = {int(s.SegmentNumber): s for s in ds.SegmentSequence}
    d.ppv = int(ds.PixelPaddingValue) if "PixelPaddingValue" in ds else None
    pixels = frame_pixels(ds, path)
    pffg = ds.get("PerFrameFunctionalGroupsSequence") or [None] * len(pixels)
    if len(pffg) != len(pixels):
        raise DecodeError(f"{len(pffg)} per-frame items for {len(pixels)} frames")
    d.frames = []
    for k, (item, px) in enumerate(zip(pffg, pixels)):
        number = None
        if d.seg_type != "LABELMAP":
            sid = _item(ds, item, "SegmentIdentificationSequence")
            number = int(sid.ReferencedSegmentNumber) if sid is not None else None
        pp = _item(ds, item, "PlanePositionSequence")
        pos = floats(pp.ImagePositionPatient) if pp is not None and "ImagePositionPatient" in pp else None
        d.frames.append(Frame(k, number, pos, np.asarray(px)))
    po = _item(ds, pffg[0], "PlaneOrientationSequence")
    d.orientation = floats(po.ImageOrientationPatient) if po is not None else None
    pm = _item(ds, pffg[0], "PixelMeasuresSequence")
    d.pixel_spacing = floats(pm.PixelSpacing) if pm is not None and "PixelSpacing" in pm else None
    d.slice_spacing = None
    if pm is not None and "SpacingBetweenSlices" in pm and pm.SpacingBetweenSlices not in (None, ""):
        d.slice_spacing = float(pm.SpacingBetweenSlices)
    return d


def _as_decoded(x):
    return x if isinstance(x, Decoded) else decode(x)


def described_segments(d):
    """Segment numbers a reader should output: for a LABELMAP, without the
    segment designated by Pixel Padding Value."""
    nums = sorted(d.segments)
    if d.seg_type == "LABELMAP" and d.ppv is not None:
        nums = [n for n in nums if n != d.ppv]
    return nums


def foreground_counts(x):
    """Voxel count per segment over all frames: BINARY, 1-pixels of the frames
    referencing the segment; FRACTIONAL, non-zero stored values; LABELMAP,
    pixels equal to each described segment number."""
    d = _as_decoded(x)
    counts = {n: 0 for n in d.segments}
    for f in d.frames:
        if d.seg_type == "LABELMAP":
            values, c = np.unique(f.pixels, return_counts=True)
            for v, n in zip(values.tolist(), c.tolist()):
                if v in counts:
                    counts[v] += n
        else:
            if f.number not in counts:
                raise DecodeError(f"frame {f.index + 1} references segment {f.number}, not in the Segment Sequence")
            counts[f.number] += int(np.count_nonzero(f.pixels))
    return counts


def slice_grid(d):
    """(normal, sorted distinct projections, spacing, number of slices) from the frame positions."""
    if d.orientation is None or any(f.position is None for f in d.frames):
        return None
    normal = np.cross(d.orientation[:3], d.orientation[3:])
    proj = sorted(float(np.dot(normal, f.position)) for f in d.frames)
    distinct = []
    for p in proj:
        if not distinct or p - distinct[-1] > 1e-3:
            distinct.append(p)
    if len(distinct) == 1:
        return normal, distinct, d.slice_spacing or 1.0, 1
    spacing = d.slice_spacing if d.slice_spacing and d.slice_spacing > 1e-5 else \
        min(b - a for a, b in zip(distinct, distinct[1:]))
    n = int(round((distinct[-1] - distinct[0]) / spacing)) + 1
    return normal, distinct, spacing, n


def volume_counts(x):
    """The voxel count per described segment that a reader's output volume holds:
    foreground_counts, plus, for a LABELMAP, the slices of the grid that no frame
    covers, filled with the Pixel Padding Value (or 0 when there is none)."""
    d = _as_decoded(x)
    counts = foreground_counts(d)
    if d.seg_type == "LABELMAP":
        g = slice_grid(d)
        fill = d.ppv if d.ppv is not None else 0
        if g is not None and fill in counts:
            missing = g[3] - len(g[1])
            counts[fill] += missing * d.rows * d.cols
    return {n: counts[n] for n in described_segments(d)}


def segment_planes(x):
    """{segment number: [(position, 2-D mask or values)]} of the non-empty frames;
    a LABELMAP frame gives one mask per segment it holds. Two frames of one
    segment at one position are combined (maximum)."""
    d = _as_decoded(x)
    out = {}
    for f in d.frames:
        if d.seg_type == "LABELMAP":
            described = described_segments(d)
            items = [(int(v), (f.pixels == v).astype(np.uint8)) for v in np.unique(f.pixels)
                     if int(v) in described]
        else:
            items = [(f.number, f.pixels)]
        for number, px in items:
            if not np.any(px):
                continue
            lst = out.setdefault(number, [])
            for k, (pos, prev) in enumerate(lst):
                if np.allclose(pos, f.position, atol=1e-3):
                    lst[k] = (pos, np.maximum(prev, px))
                    break
            else:
                lst.append((f.position, px))
    return out


def grid_index(grid, point):
    m = np.column_stack([np.array(grid["direction"][c], dtype=float) * grid["spacing"][c] for c in range(3)])
    return np.linalg.solve(m, np.asarray(point, dtype=float) - np.array(grid["origin"], dtype=float))


def place_on_grid(x, grid, tol=1e-3):
    """Per-segment volumes (slices, rows, columns) on a grid given as a
    qidcm-test-imagedump JSON dict (LABELMAP: {None: label volume} with
    uncovered slices set to the Pixel Padding Value, or 0). The grid's first
    two axes must be the frames' row and column directions."""
    d = _as_decoded(x)
    cols, rows, slices = grid["size"]
    if (rows, cols) != (d.rows, d.cols):
        raise DecodeError(f"grid {cols}x{rows} differs from the frames {d.cols}x{d.rows}")
    dirs = np.array(grid["direction"], dtype=float)
    if d.orientation is None or not (np.allclose(dirs[0], d.orientation[:3], atol=1e-4)
                                     and np.allclose(dirs[1], d.orientation[3:], atol=1e-4)):
        raise DecodeError(f"grid directions {dirs[:2].tolist()} are not the frame orientation")
    out = {}
    if d.seg_type == "LABELMAP":
        fill = d.ppv if d.ppv is not None else 0
        out[None] = np.full((slices, rows, cols), fill, dtype=np.int64)
    for f in d.frames:
        idx = grid_index(grid, f.position)
        k = int(round(idx[2]))
        if abs(idx[0]) > tol or abs(idx[1]) > tol or abs(idx[2] - k) > tol or not 0 <= k < slices:
            raise DecodeError(f"frame {f.index + 1} at {f.position.tolist()} is not on a slice of the grid "
                              f"(index {idx.tolist()})")
        key = None if d.seg_type == "LABELMAP" else f.number
        vol = out.setdefault(key, np.zeros((slices, rows, cols), dtype=np.int64))
        vol[k] = np.maximum(vol[k], f.pixels) if key is not None else f.pixels
    return out


def main():
    d = decode(sys.argv[1])
    print(json.dumps({
        "type": d.seg_type, "transferSyntax": str(d.ds.file_meta.TransferSyntaxUID),
        "rows": d.rows, "columns": d.cols, "bits": d.bits,
        "frames": [{"segment": f.number, "position": None if f.position is None else f.position.tolist(),
                    "nonzero": int(np.count_nonzero(f.pixels))} for f in d.frames],
        "foreground": {str(k): v for k, v in foreground_counts(d).items()},
        "volume": {str(k): v for k, v in volume_counts(d).items()},
    }, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
