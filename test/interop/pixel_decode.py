#!/usr/bin/python3
"""The tests' independent pixel decoder: one declared path per transfer syntax.

It shares no code with qidcm, and it never uses pydicom's pixel data handlers:
which of those pydicom picks depends on the optional packages installed
(Pillow, GDCM, pylibjpeg), and they disagree, on single-bit JPEG 2000 frames
for one. pydicom's handler list is kept empty, so a test that
calls Dataset.pixel_array fails instead of quietly taking another path
(testdeps.require empties it when pydicom is first imported).

  native (implicit/explicit little, explicit big endian), and the Deflated
      Explicit VR Little Endian data set once pydicom has inflated it:
      numpy over the element's bytes (single-bit frames unpacked LSB first,
      running on across frame boundaries)
  RLE Lossless: the PackBits decoder below (PS3.5 G.3.1);
      8/16 bits: one segment per byte plane, most significant first;
      1 bit: one segment holding the frame's packed bits, LSB first, from a
      byte boundary (CP 2301) -- it must decode to exactly ceil(rows x
      columns / 8) bytes; the older one-byte-per-pixel layout is refused
  Deflated Image Frame Compression: Python's zlib, raw DEFLATE per fragment
  JPEG 2000 (.90/.91/.201/.202/.203): OpenJPEG's opj_decompress per frame
  JPEG-LS (.80/.81): DCMTK's dcmdjpls to a native copy (not independent of
      DCMTK; no other JPEG-LS decoder is packaged in Debian 12)

frames(ds, path) returns the frames as 2-D numpy arrays (rows, columns):
uint8 0/1 for single-bit, uint8/int8 and uint16/int16 by Pixel
Representation, float32 / float64 for (Double) Float Pixel Data.
"""
import os
import re
import struct
import subprocess
import tempfile
import zlib

from testdeps import lazy

np = lazy("numpy")
pydicom = lazy("pydicom")

RLE = "1.2.840.10008.1.2.5"
DIFC = "1.2.840.10008.1.2.8.1"
JPEG2000 = {"1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.4.91", "1.2.840.10008.1.2.4.201",
            "1.2.840.10008.1.2.4.202", "1.2.840.10008.1.2.4.203"}
JPEGLS = {"1.2.840.10008.1.2.4.80", "1.2.840.10008.1.2.4.81"}
NATIVE = {"1.2.840.10008.1.2", "1.2.840.10008.1.2.1", "1.2.840.10008.1.2.2", "1.2.840.10008.1.2.1.99"}


class DecodeError(Exception):
    pass


# ---------------------------------------------------------------- RLE

def packbits_decode(data):
    """One PackBits-coded RLE segment (PS3.5 G.3.1), decoded to its end."""
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


def rle_segments(fragment):
    if len(fragment) < 64:
        raise DecodeError("RLE frame shorter than its 64-byte header")
    header = struct.unpack("<16I", fragment[:64])
    nseg = header[0]
    if not 1 <= nseg <= 15:
        raise DecodeError(f"RLE header declares {nseg} segments")
    offsets = list(header[1:1 + nseg]) + [len(fragment)]
    return [packbits_decode(fragment[offsets[s]:offsets[s + 1]]) for s in range(nseg)]


def rle_frame(fragment, rows, cols, bits):
    """One RLE frame -> the frame's native bytes (single-bit: packed)."""
    segs = rle_segments(fragment)
    n = rows * cols
    if bits == 1:
        need = (n + 7) // 8
        if len(segs) != 1 or len(segs[0]) != need:
            raise DecodeError(f"single-bit RLE frame: {len(segs)} segment(s) decoding to "
                              f"{[len(s) for s in segs]} bytes; the packed layout (CP 2301) has one segment of "
                              f"{need} bytes")
        return segs[0]
    nbytes = bits // 8
    if len(segs) != nbytes:
        raise DecodeError(f"{bits}-bit RLE frame with {len(segs)} segment(s)")
    if any(len(s) < n for s in segs):
        raise DecodeError("RLE segment shorter than the frame")
    planes = [np.frombuffer(s[:n], dtype=np.uint8) for s in segs]
    if nbytes == 1:
        return planes[0].tobytes()
    value = (planes[0].astype(np.uint16) << 8) | planes[1]  # first segment: most significant byte
    return value.astype("<u2").tobytes()


# ---------------------------------------------------------------- helpers

def sample_dtype(ds, little=True):
    bits = int(ds.BitsAllocated)
    signed = int(ds.get("PixelRepresentation", 0) or 0) == 1
    if bits == 8:
        return np.dtype(np.int8 if signed else np.uint8)
    if bits == 16:
        return np.dtype(("<" if little else ">") + ("i2" if signed else "u2"))
    if bits == 32:
        return np.dtype(("<" if little else ">") + ("i4" if signed else "u4"))
    raise DecodeError(f"BitsAllocated {bits}")


def native_frame(data, rows, cols, dtype, bits):
    """Native bytes of one frame (single-bit: packed from its first byte) -> 2-D array."""
    n = rows * cols
    if bits == 1:
        b = np.unpackbits(np.frombuffer(data, dtype=np.uint8), bitorder="little")
        if len(b) < n:
            raise DecodeError("frame shorter than rows x columns bits")
        return b[:n].reshape(rows, cols)
    a = np.frombuffer(data, dtype=dtype)
    if len(a) < n:
        raise DecodeError("frame shorter than rows x columns samples")
    return a[:n].reshape(rows, cols).astype(dtype.newbyteorder("="))


def fragments(ds, nframes):
    """The frames' encapsulated bytes (pydicom's parser of the item structure; no decoding)."""
    out = list(pydicom.encaps.generate_pixel_data_frame(ds.PixelData, nframes))
    if len(out) != nframes:
        raise DecodeError(f"{len(out)} encapsulated frames for NumberOfFrames {nframes}")
    return out


def j2k_frame(fragment, rows, cols, tmp, k, dtype):
    """One JPEG 2000 frame through opj_decompress, as raw little-endian samples (RAWL)."""
    src, dst = os.path.join(tmp, f"f{k}.j2k"), os.path.join(tmp, f"f{k}.rawl")
    with open(src, "wb") as f:
        f.write(fragment)
    r = subprocess.run(["opj_decompress", "-i", src, "-o", dst], capture_output=True, text=True)
    if r.returncode or not os.path.exists(dst):
        raise DecodeError(f"opj_decompress failed on frame {k + 1}: {(r.stdout + r.stderr).strip()[-300:]}")
    data = open(dst, "rb").read()
    n = rows * cols
    if len(data) == n:
        a = np.frombuffer(data, np.int8 if dtype.kind == "i" else np.uint8)
    elif len(data) == 2 * n:
        a = np.frombuffer(data, "<i2" if dtype.kind == "i" else "<u2")
    else:
        raise DecodeError(f"JPEG 2000 frame {k + 1} decodes to {len(data)} bytes for {rows} x {cols} samples")
    return a.reshape(rows, cols).astype(dtype.newbyteorder("="))


# ---------------------------------------------------------------- frames

def frames(ds, path=None):
    """All frames of `ds` (read from `path`) as a list of 2-D arrays."""
    rows, cols = int(ds.Rows), int(ds.Columns)
    bits = int(ds.BitsAllocated)
    if int(ds.get("SamplesPerPixel", 1) or 1) != 1:
        raise DecodeError("only one sample per pixel is decoded here")
    nframes = int(ds.get("NumberOfFrames", 1) or 0)
    if nframes < 1:
        raise DecodeError(f"NumberOfFrames {ds.get('NumberOfFrames')}")
    ts = str(ds.file_meta.TransferSyntaxUID)
    if "FloatPixelData" in ds or "DoubleFloatPixelData" in ds:
        if ts not in NATIVE:
            raise DecodeError(f"float pixel data in transfer syntax {ts}")
        key = "FloatPixelData" if "FloatPixelData" in ds else "DoubleFloatPixelData"
        dt = np.dtype(("<" if ds.is_little_endian else ">") + ("f4" if key == "FloatPixelData" else "f8"))
        a = np.frombuffer(ds[key].value, dtype=dt)
        if len(a) < rows * cols * nframes:
            raise DecodeError(f"{key} holds {len(a)} values, {rows * cols * nframes} needed")
        return list(a[:rows * cols * nframes].reshape(nframes, rows, cols).astype(dt.newbyteorder("=")))
    elem = ds["PixelData"]
    data = elem.value
    if ts in NATIVE:
        little = ds.is_little_endian
        if not little and elem.VR == "OW" and bits in (1, 8):
            # big endian OW: bytes swapped in pairs
            a = np.frombuffer(data[:len(data) // 2 * 2], dtype=np.uint8).reshape(-1, 2)[:, ::-1]
            data = a.tobytes()
        n = rows * cols
        if bits == 1:
            allbits = np.unpackbits(np.frombuffer(data, dtype=np.uint8), bitorder="little")
            if len(allbits) < n * nframes:
                raise DecodeError(f"Pixel Data holds {len(data)} bytes, {(n * nframes + 7) // 8} needed")
            return list(allbits[:n * nframes].reshape(nframes, rows, cols))
        dt = sample_dtype(ds, little)
        size = n * dt.itemsize
        if len(data) < size * nframes:
            raise DecodeError(f"Pixel Data holds {len(data)} bytes, {size * nframes} needed")
        return [native_frame(data[k * size:(k + 1) * size], rows, cols, dt, bits) for k in range(nframes)]
    dt = None if bits == 1 else sample_dtype(ds)
    if ts == RLE:
        return [native_frame(rle_frame(f, rows, cols, bits), rows, cols, dt, bits) for f in fragments(ds, nframes)]
    if ts == DIFC:
        out = []
        for k, f in enumerate(fragments(ds, nframes)):
            d = zlib.decompressobj(-15)
            raw = d.decompress(f) + d.flush()
            if not d.eof:
                raise DecodeError(f"DIFC fragment {k + 1} is not a complete raw DEFLATE stream")
            out.append(native_frame(raw, rows, cols, dt, bits))
        return out
    if ts in JPEG2000:
        with tempfile.TemporaryDirectory() as tmp:
            decoded = [j2k_frame(f, rows, cols, tmp, k, dt or np.dtype(np.uint8))
                       for k, f in enumerate(fragments(ds, nframes))]
        return [a.astype(np.uint8) for a in decoded] if bits == 1 else decoded
    if ts in JPEGLS:
        if path is None:
            raise DecodeError("JPEG-LS frames are decoded from the file (dcmdjpls): no path given")
        with tempfile.TemporaryDirectory() as tmp:
            native = os.path.join(tmp, "native.dcm")
            r = subprocess.run(["dcmdjpls", path, native], capture_output=True, text=True)
            if r.returncode:
                raise DecodeError(f"dcmdjpls failed: {r.stderr.strip()}")
            return frames(pydicom.dcmread(native), native)
    raise DecodeError(f"transfer syntax {ts} has no declared decoder in the tests")


def frame_bytes(ds, path=None):
    """frames() as little-endian bytes per frame (single-bit: one byte 0/1 per pixel)."""
    out = []
    for a in frames(ds, path):
        if a.dtype.itemsize > 1:
            a = a.astype(a.dtype.newbyteorder("<"))
        out.append(np.ascontiguousarray(a).tobytes())
    return out
