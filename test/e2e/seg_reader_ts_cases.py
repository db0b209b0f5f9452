#!/usr/bin/python3
"""End-to-end cases for segimage2itkimage (the SEG reader): transfer syntaxes.

  ts-*  a SEG re-encoded reads back into the original voxels
        (ts-rlebytes-binary: single-bit RLE in the byte-per-pixel layout of pre-CP 2301 writers)

The reader's other cases: seg_reader_files_cases.py (others' files, malformed inputs) and
seg_reader_roundtrip_cases.py (with the writer); what they share is in seg_common.py.

Usage: seg_reader_ts_cases.py --list
       seg_reader_ts_cases.py <case> --bin <build/apps> --tools <build/test> --work <dir>
"""
import functools
import json
import os
import struct
import sys
import zlib

from seg_common import (  # helpers shared by the SEG drivers
    CaseFailed, DIFC, INTEROP, SHARED, compare_with_input, load_image, run_case, run_reader, seg, synth, write_seg,
    writer_segment_map)

sys.path.insert(0, INTEROP)
import seg_decode  # noqa: E402
import pixel_decode  # noqa: E402
from testdeps import lazy  # noqa: E402  (test-only packages, imported on first use)

np = lazy("numpy")
pydicom = lazy("pydicom")
encaps = lazy("pydicom.encaps")


# ---------------------------------------------------------------- transfer syntaxes

def packbits_encode(data):
    out = bytearray()
    i, n = 0, len(data)
    while i < n:
        j = i
        while j + 1 < n and data[j + 1] == data[i] and j - i < 127:
            j += 1
        run = j - i + 1
        if run >= 3:
            out += bytes([257 - run, data[i]])
            i = j + 1
            continue
        # literal run up to the next run of 3 or 128 bytes
        j = i
        while j < n and j - i < 128:
            if j + 2 < n and data[j] == data[j + 1] == data[j + 2]:
                break
            j += 1
        out += bytes([j - i - 1]) + data[i:j]
        i = j
    return bytes(out)


def rle_fragment(pixels, bits, byte_per_pixel=False):
    """One RLE frame; single-bit frames as packed bits (CP 2301), or with byte_per_pixel in the
    one-byte-per-pixel layout that qidcm and others wrote before it."""
    if bits == 1 and byte_per_pixel:
        segments = [pixels.astype(np.uint8).tobytes()]
    elif bits == 1:
        segments = [np.packbits(pixels.astype(np.uint8).ravel(), bitorder="little").tobytes()]
    elif bits == 8:
        segments = [pixels.astype(np.uint8).tobytes()]
    else:
        v = pixels.astype(np.uint16).ravel()
        segments = [(v >> 8).astype(np.uint8).tobytes(), (v & 0xFF).astype(np.uint8).tobytes()]
    encoded = []
    for s in segments:
        e = packbits_encode(s)
        encoded.append(e + (b"\x00" if len(e) % 2 else b""))
    header = [len(encoded)]
    offset = 64
    for e in encoded:
        header.append(offset)
        offset += len(e)
    header += [0] * (16 - len(header))
    return struct.pack("<16I", *header) + b"".join(encoded)


def native_bytes(pixels, bits):
    if bits == 1:
        return np.packbits(pixels.astype(np.uint8).ravel(), bitorder="little").tobytes()
    return pixels.astype(np.uint8 if bits == 8 else "<u2").tobytes()


def write_tiff(path, a, bits):
    """Minimal uncompressed single-strip grey TIFF (1, 8 or 16 bits), as opj_compress input."""
    h, w = a.shape
    if bits == 1:
        data = np.packbits(a.astype(np.uint8), axis=1).tobytes()  # rows padded to bytes, MSB first
    elif bits == 8:
        data = a.astype(np.uint8).tobytes()
    else:
        data = a.astype("<u2").tobytes()
    entries = [(256, 3, w), (257, 3, h), (258, 3, bits), (259, 3, 1), (262, 3, 1), (273, 4, 0), (277, 3, 1),
               (278, 3, h), (279, 4, len(data)), (284, 3, 1)]
    data_off = 8 + 2 + 12 * len(entries) + 4
    out = bytearray(b"II*\x00" + struct.pack("<I", 8) + struct.pack("<H", len(entries)))
    for tag, typ, val in entries:
        if tag == 273:
            val = data_off
        out += struct.pack("<HHIHH", tag, typ, 1, val, 0) if typ == 3 else struct.pack("<HHII", tag, typ, 1, val)
    out += struct.pack("<I", 0) + data
    with open(path, "wb") as f:
        f.write(bytes(out))


def j2k_fragment(ctx, pixels, bits, k):
    tif, j2k = ctx.path(f".frame{k}.tif"), ctx.path(f".frame{k}.j2k")
    write_tiff(tif, pixels, bits)
    ctx.must(["opj_compress", "-i", tif, "-o", j2k], "opj_compress", quiet=True)
    data = open(j2k, "rb").read()
    os.remove(tif)
    os.remove(j2k)
    return data


def encapsulated_copy(ctx, base, out, ts, fragments):
    ds = pydicom.dcmread(base)
    ds.PixelData = encaps.encapsulate(fragments, has_bot=True)
    ds["PixelData"].VR = "OB"
    ds["PixelData"].is_undefined_length = True
    ds.file_meta.TransferSyntaxUID = ts
    ds.is_little_endian, ds.is_implicit_VR = True, False
    ds.save_as(out, write_like_original=False)
    return out


TS_BASES = {
    # name: (synth args, segmentation type, expected BitsAllocated)
    "binary": (["--orientation", "oblique", "--segments", "3", "--columns", "45", "--rows", "37", "--slices", "9"],
               "binary", 1),
    "lm8": (["--orientation", "oblique", "--segments", "4", "--columns", "45", "--rows", "37", "--slices", "9"],
            "labelmap", 8),
    "lm16": (["--segments", "300", "--labelType", "uint16", "--columns", "48", "--rows", "48", "--slices", "20",
              "--minSegmentSlices", "1", "--maxSegmentSlices", "3"], "labelmap", 16),
}


def case_ts(ctx, encoding, base):
    args, seg_type, bits = TS_BASES[base]
    _, label, meta_path, ct = synth(ctx, args)
    flags = ["--compress", "deflate"] if encoding == "deflate" else []
    seg0 = write_seg(ctx, [label], meta_path, ct, ctx.path("base.dcm"), seg_type, 0, flags)
    ds0 = pydicom.dcmread(seg0, stop_before_pixels=True)
    ctx.check(int(ds0.BitsAllocated) == bits, f"base SEG has BitsAllocated {ds0.BitsAllocated}, expected {bits}")
    if bits == 1:
        rc = int(ds0.Rows) * int(ds0.Columns)
        print(f"frame size {rc} bits ({'not ' if rc % 8 else ''}byte-aligned)")
    target = ctx.path("encoded.dcm")
    want_ts = {"rle": "1.2.840.10008.1.2.5", "rlebytes": "1.2.840.10008.1.2.5", "expb": "1.2.840.10008.1.2.2", "deflate": "1.2.840.10008.1.2.1.99",
               "jpegls": "1.2.840.10008.1.2.4.80", "j2k": "1.2.840.10008.1.2.4.90", "difc": DIFC}[encoding]
    if encoding == "deflate":
        target = seg0
        dec0 = None
    else:
        dec0 = seg_decode.decode(seg0)
        if encoding == "rle" and bits == 1:
            encapsulated_copy(ctx, seg0, target, want_ts, [rle_fragment(f.pixels, bits) for f in dec0.frames])
        elif encoding == "rlebytes":
            encapsulated_copy(ctx, seg0, target, want_ts,
                              [rle_fragment(f.pixels, bits, byte_per_pixel=True) for f in dec0.frames])
        elif encoding == "rle":
            ctx.must(["dcmcrle", seg0, target])
        elif encoding == "expb":
            ctx.must(["dcmconv", "+tb", seg0, target])
        elif encoding == "jpegls":
            ctx.must(["dcmcjpls", "+el", seg0, target])
        elif encoding == "j2k":
            encapsulated_copy(ctx, seg0, target, want_ts,
                              [j2k_fragment(ctx, f.pixels, bits, k) for k, f in enumerate(dec0.frames)])
        elif encoding == "difc":
            frags = []
            for f in dec0.frames:
                c = zlib.compressobj(9, zlib.DEFLATED, -15)
                frags.append(c.compress(native_bytes(f.pixels, bits)) + c.flush())
            encapsulated_copy(ctx, seg0, target, want_ts, frags)
    got_ts = str(pydicom.dcmread(target, stop_before_pixels=True).file_meta.TransferSyntaxUID)
    ctx.check(got_ts == want_ts, f"the encoded file has transfer syntax {got_ts}, expected {want_ts}")
    if encoding == "rlebytes":
        # The independent decoder reads only the packed layout: check the layout itself instead.
        ds1 = pydicom.dcmread(target)
        lengths = {len(pixel_decode.rle_segments(f)[0]) for f in pixel_decode.fragments(ds1, len(dec0.frames))}
        ctx.check(lengths == {dec0.rows * dec0.cols}, f"byte-per-pixel RLE segments decode to {lengths} bytes")
    elif dec0 is not None:
        dec1 = seg_decode.decode(target)
        same = len(dec1.frames) == len(dec0.frames) and all(
            np.array_equal(a.pixels.astype(np.int64), b.pixels.astype(np.int64)) for a, b in zip(dec0.frames, dec1.frames))
        ctx.check(same, "seg_decode reads the encoded file into other frames than the original (test encoder bug)")
    meta = json.load(open(meta_path))
    inputs = [load_image(ctx, label)]
    out = run_reader(ctx, target, ctx.path("read"))
    if out.r.returncode:
        raise CaseFailed(f"the reader failed on {encoding}: {out.r.stderr.strip()}")
    compare_with_input(ctx, out, inputs, writer_segment_map(meta, False), what=f"{encoding}/{base}")


def case_ts_shared(ctx, name):
    out = run_reader(ctx, os.path.join(SHARED, "pydicom-data", "data_store", "data", name), ctx.path("read"))
    if out.r.returncode:
        raise CaseFailed(f"the reader failed on {name}")
    inputs = [load_image(ctx, seg("liver_seg.nrrd"))]
    compare_with_input(ctx, out, inputs, {1: (0, 1)}, what=name)


# ---------------------------------------------------------------- case table

def build_cases():
    cases = {}
    for enc, bases in (("rle", ("binary", "lm8", "lm16")), ("rlebytes", ("binary",)), ("expb", ("binary", "lm8", "lm16")),
                       ("deflate", ("binary", "lm8", "lm16")), ("jpegls", ("lm8", "lm16")),
                       ("j2k", ("binary", "lm8")), ("difc", ("binary", "lm8", "lm16"))):
        for b in bases:
            cases[f"ts-{enc}-{b}"] = functools.partial(case_ts, encoding=enc, base=b)
    cases["ts-pydicom-liver-rle"] = functools.partial(case_ts_shared, name="liver_rle.dcm")
    cases["ts-pydicom-liver-expb"] = functools.partial(case_ts_shared, name="liver_expb.dcm")
    return cases


if __name__ == "__main__":
    sys.exit(run_case(build_cases()))
