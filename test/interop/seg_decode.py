#!/usr/bin/python3
"""Independent decoder of DICOM SEG files (pydicom + numpy), for the reader tests.

It shares no code with qidcm. For every frame it gives the referenced segment
number (BINARY/FRACTIONAL; None for LABELMAP, whose pixels are segment
numbers), the frame's Image Position (Patient) when there is one, and the
frame's pixels as a 2-D numpy array (BINARY: 0/1).

Pixel data handled here, without any pydicom pixel handler:
  - native, little or big endian, 1-bit (frames need not be byte-aligned:
    the bits run on across frames, LSB first), 8-bit and 16-bit;
  - RLE Lossless (1.2.840.10008.1.2.5), BitsAllocated 1 included (one RLE
    segment holding the frame's packed bytes, LSB-first bits; pydicom 2.3
    cannot decode these), 8 and 16 bits (one segment per byte, MSB first);
  - Deflated Image Frame Compression (1.2.840.10008.1.2.8.1): each fragment a
    raw deflate stream (zlib wbits -15) of the frame's native bytes, 1-bit
    frames packed on their own;
  - JPEG 2000 (1.2.840.10008.1.2.4.90/.91/.201/.202/.203): pydicom when one of
    its handlers can, else OpenJPEG's opj_decompress per frame;
  - JPEG-LS (1.2.840.10008.1.2.4.80/.81): DCMTK's dcmdjpls to a temporary
    native copy (no Python JPEG-LS decoder is available here; note that this
    path is not independent of DCMTK).
Deflated Explicit VR Little Endian (the whole data set deflated) is inflated
by pydicom on reading.

Usage as a program: seg_decode.py <seg.dcm>   prints the frames and the
foreground voxel count per segment as JSON.
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import zlib

import numpy as np
import pydicom
from pydicom.encaps import generate_pixel_data_frame

RLE = "1.2.840.10008.1.2.5"
DEFLATED_FRAMES = "1.2.840.10008.1.2.8.1"
JPEG2000 = {"1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.4.91", "1.2.840.10008.1.2.4.201",
            "1.2.840.10008.1.2.4.202", "1.2.840.10008.1.2.4.203"}
JPEGLS = {"1.2.840.10008.1.2.4.80", "1.2.840.10008.1.2.4.81"}
NATIVE = {"1.2.840.10008.1.2", "1.2.840.10008.1.2.1", "1.2.840.10008.1.2.2", "1.2.840.10008.1.2.1.99"}


class DecodeError(Exception):
    pass


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


# ---------------------------------------------------------------- codecs

def packbits_decode(data):
    """PackBits as used by DICOM RLE (PS3.5 G.3.1)."""
    out = bytearray()
    i, n = 0, len(data)
    while i < n:
        h = data[i]
        i += 1
        if h < 128:
            out += data[i:i + h + 1]
            i += h + 1
        elif h > 128:
            if i >= n:
                break
            out += bytes([data[i]]) * (257 - h)
            i += 1
        # 128: no operation
    return bytes(out)


def rle_frame(fragment, rows, cols, bits):
    """One RLE-compressed frame -> native bytes of that frame (1-bit: packed)."""
    if len(fragment) < 64:
        raise DecodeError("RLE frame shorter than its 64-byte header")
    header = np.frombuffer(fragment[:64], dtype="<u4")
    nseg = int(header[0])
    offsets = [int(o) for o in header[1:1 + nseg]] + [len(fragment)]
    segs = [packbits_decode(fragment[offsets[s]:offsets[s + 1]]) for s in range(nseg)]
    if bits == 1:
        need = (rows * cols + 7) // 8
        if nseg != 1 or len(segs[0]) < need:
            raise DecodeError(f"1-bit RLE frame: {nseg} segment(s), {len(segs[0]) if segs else 0} bytes, "
                              f"{need} needed")
        return segs[0][:need]
    nbytes = bits // 8
    if nseg != nbytes:
        raise DecodeError(f"{bits}-bit RLE frame with {nseg} segment(s)")
    planes = [np.frombuffer(s[:rows * cols], dtype=np.uint8) for s in segs]
    if any(len(p) < rows * cols for p in planes):
        raise DecodeError("RLE segment shorter than the frame")
    if nbytes == 1:
        return planes[0].tobytes()
    value = (planes[0].astype(np.uint16) << 8) | planes[1]  # first segment = most significant byte
    return value.astype("<u2").tobytes()


def native_frame_pixels(data, rows, cols, bits, little=True):
    """Native bytes of ONE frame (1-bit frames packed from the first byte) -> 2-D array."""
    n = rows * cols
    if bits == 1:
        bits_ = np.unpackbits(np.frombuffer(data, dtype=np.uint8), bitorder="little")
        if len(bits_) < n:
            raise DecodeError("frame shorter than rows x columns bits")
        return bits_[:n].reshape(rows, cols)
    dt = np.dtype(np.uint8) if bits == 8 else np.dtype("<u2" if little else ">u2")
    a = np.frombuffer(data, dtype=dt)
    if len(a) < n:
        raise DecodeError("frame shorter than rows x columns samples")
    return a[:n].reshape(rows, cols).astype(np.uint16 if bits == 16 else np.uint8)


def read_pgm(path):
    d = open(path, "rb").read()
    m = re.match(rb"P5\s+(?:#[^\n]*\n\s*)*(\d+)\s+(\d+)\s+(\d+)\s", d)
    if not m:
        raise DecodeError(f"{path}: not a binary PGM")
    w, h, mx = map(int, m.groups())
    dt = np.dtype(">u2") if mx > 255 else np.dtype(np.uint8)
    return np.frombuffer(d[m.end():m.end() + w * h * dt.itemsize], dtype=dt).reshape(h, w)


def j2k_frame(fragment, rows, cols, tmp, k):
    src, dst = os.path.join(tmp, f"f{k}.j2k"), os.path.join(tmp, f"f{k}.pgm")
    with open(src, "wb") as f:
        f.write(fragment)
    r = subprocess.run(["opj_decompress", "-i", src, "-o", dst], capture_output=True, text=True)
    if r.returncode or not os.path.exists(dst):
        raise DecodeError(f"opj_decompress failed on frame {k + 1}: {r.stdout}{r.stderr}")
    a = read_pgm(dst)
    if a.shape != (rows, cols):
        raise DecodeError(f"JPEG 2000 frame {k + 1} is {a.shape}, expected {(rows, cols)}")
    return a


def pydicom_can(ds):
    for h in pydicom.config.pixel_data_handlers:
        try:
            if h.is_available() and h.supports_transfer_syntax(ds.file_meta.TransferSyntaxUID):
                return True
        except Exception:
            pass
    return False


def frame_pixels(ds, path):
    """All frames as a list of 2-D arrays."""
    rows, cols = int(ds.Rows), int(ds.Columns)
    bits = int(ds.BitsAllocated)
    nframes = int(ds.get("NumberOfFrames", 1) or 0)
    if nframes < 1:
        raise DecodeError(f"NumberOfFrames {ds.get('NumberOfFrames')}")
    ts = str(ds.file_meta.TransferSyntaxUID)
    elem = ds["PixelData"]
    data = elem.value
    if ts in NATIVE or ts not in {RLE, DEFLATED_FRAMES} | JPEG2000 | JPEGLS and not elem.is_undefined_length:
        little = ds.is_little_endian
        if not little and elem.VR == "OW" and bits in (1, 8):
            a = np.frombuffer(data[:len(data) // 2 * 2], dtype=np.uint8).reshape(-1, 2)[:, ::-1]
            data = a.tobytes()
        n = rows * cols
        if bits == 1:
            allbits = np.unpackbits(np.frombuffer(data, dtype=np.uint8), bitorder="little")
            if len(allbits) < n * nframes:
                raise DecodeError(f"Pixel Data holds {len(data)} bytes, {(n * nframes + 7) // 8} needed")
            return list(allbits[:n * nframes].reshape(nframes, rows, cols))
        size = n * bits // 8
        if len(data) < size * nframes:
            raise DecodeError(f"Pixel Data holds {len(data)} bytes, {size * nframes} needed")
        return [native_frame_pixels(data[k * size:(k + 1) * size], rows, cols, bits, little)
                for k in range(nframes)]
    fragments = list(generate_pixel_data_frame(data, nframes))
    if len(fragments) != nframes:
        raise DecodeError(f"{len(fragments)} encapsulated frames for NumberOfFrames {nframes}")
    if ts == RLE:
        return [native_frame_pixels(rle_frame(f, rows, cols, bits), rows, cols, bits) for f in fragments]
    if ts == DEFLATED_FRAMES:
        out = []
        for f in fragments:
            d = zlib.decompressobj(-15)
            out.append(native_frame_pixels(d.decompress(f) + d.flush(), rows, cols, bits))
        return out
    if ts in JPEG2000:
        if pydicom_can(ds):
            arr = ds.pixel_array
            arr = arr.reshape((nframes, rows, cols))
            return list(arr)
        with tempfile.TemporaryDirectory() as tmp:
            return [j2k_frame(f, rows, cols, tmp, k) for k, f in enumerate(fragments)]
    if ts in JPEGLS:
        with tempfile.TemporaryDirectory() as tmp:
            native = os.path.join(tmp, "native.dcm")
            r = subprocess.run(["dcmdjpls", path, native], capture_output=True, text=True)
            if r.returncode:
                raise DecodeError(f"dcmdjpls failed: {r.stderr}")
            nds = pydicom.dcmread(native)
            return frame_pixels(nds, native)
    raise DecodeError(f"transfer syntax {ts} not supported by seg_decode")


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
