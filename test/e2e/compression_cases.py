#!/usr/bin/python3
# Kept whole (>400 lines): write, bin2label and read cases share the decoders and checks below; a split only moves them.
"""End-to-end cases for --compress: every transfer syntax qidcm writes, read
back by qidcm and decoded by something that is not qidcm.

Each case writes the same input twice, uncompressed and compressed, and checks:
  - the file meta names the transfer syntax;
  - qidcm's reader gives the same image from both (qidcm-compare);
  - an independent decoder gives, frame by frame, the uncompressed file's
    pixels:
      rle       the PackBits decoder of test/interop/pixel_decode.py (single-
                bit frames: the packed layout of CP 2301, one segment of
                ceil(rows x columns / 8) bytes), and DCMTK's dcmdrle for
                8/16-bit frames (it refuses single-bit RLE);
      jpegls    DCMTK's dcmdjpls;
      deflate   numpy over the data set pydicom inflated, and dcmdump;
      jpeg2000  OpenJPEG's opj_decompress on each extracted frame;
      difc      Python's zlib inflating each fragment (raw DEFLATE), after
                checking the encapsulation: undefined-length Pixel Data, a
                Basic Offset Table with each fragment's offset, one fragment
                per frame, even lengths, at most one trailing pad byte, and
                single-bit frames packed each from a byte boundary;
  - dciodvfy reports no error (for difc, this 2022 build does not know the
    transfer syntax: the file passes with its meta relabelled as RLE Lossless,
    and the original shows only the listed unknown-syntax messages).
Refused combinations exit 2 naming the allowed values.

Usage: compression_cases.py --list | <case> --bin <build/apps> --tools <dir> --work <dir>
"""
import driver  # the common command line (test/e2e/driver.py)
from driver import problem  # the common problem list
import json
import os
import struct
import subprocess
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SHARED = os.path.join(os.path.dirname(ROOT), "shared", "data")
PM_META = os.path.join(SHARED, "dcmqi", "doc", "examples", "pm-example.json")
INTEROP = os.path.join(ROOT, "test", "interop")
sys.path.insert(0, INTEROP)
from testdeps import lazy  # noqa: E402  (test-only packages, imported on first use)
import pixel_decode  # noqa: E402  (one declared decoder per transfer syntax)

np = lazy("numpy")
pydicom = lazy("pydicom")

UIDS = {"none": "1.2.840.10008.1.2.1", "deflate": "1.2.840.10008.1.2.1.99", "rle": "1.2.840.10008.1.2.5",
        "jpegls": "1.2.840.10008.1.2.4.80", "jpeg2000": "1.2.840.10008.1.2.4.90", "difc": "1.2.840.10008.1.2.8.1"}
# What this dciodvfy build (2022) reports on a file in a transfer syntax it
# does not know (Deflated Image Frame Compression, Sup 244, 2025): it parses
# the pixel data as native, and stops there.
DIFC_KNOWN = ["Error - Undefined value length of other byte/word element is illegal in non-encapsulated transfer syntax",
              "Error - Dicom dataset read failed"]
# ... and, having lost the pixel data, what it then concludes about it.
DIFC_CONSEQUENCES = [
    "Error - Missing attribute Type 1C Conditional Element=<PixelData> Module=<ImagePixel>",
    "Error - Attribute present when condition unsatisfied (which may not be present otherwise) Type 1C "
    "Conditional Element=<BitsStored> Module=<ParametricMapImage>",
    "Error - Attribute present when condition unsatisfied (which may not be present otherwise) Type 1C "
    "Conditional Element=<HighBit> Module=<ParametricMapImage>"]


def run(cmd, check=True):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if check and r.returncode:
        raise SystemExit(f"FAIL: {' '.join(cmd)} exited {r.returncode}\n{r.stdout}{r.stderr}")
    return r


# ---------------------------------------------------------------------------
# Inputs

def make_inputs(ctx):
    case = os.path.join(ctx.work, "case")
    run([ctx.tool("qidcm-synth"), "--outputDirectory", case, "--columns", "61", "--rows", "47", "--slices", "10",
         "--segments", "3", "--minSegmentSlices", "3", "--maxSegmentSlices", "7", "--probabilityMaps"])
    # A signed 16-bit map with negative values on the same grid, for the parametric map cases.
    dump_json, dump_raw = os.path.join(ctx.work, "g.json"), os.path.join(ctx.work, "g.raw")
    run([os.path.join(ctx.tools, "qidcm-test-imagedump"), os.path.join(case, "label.nrrd"), dump_json, dump_raw])
    g = json.load(open(dump_json))
    cols, rows, slices = g["size"]
    rng = np.random.default_rng(5)
    values = rng.integers(-1200, 1800, size=(slices, rows, cols)).astype("<i2")
    values[:, :5, :] = -32768
    values[:, -3:, :] = 32767
    d, sp = g["direction"], g["spacing"]
    dirs = " ".join("(" + ",".join(repr(d[c][r] * sp[c]) for r in range(3)) + ")" for c in range(3))
    with open(os.path.join(case, "signed.nrrd"), "wb") as f:
        f.write(("NRRD0004\ntype: short\ndimension: 3\nspace: left-posterior-superior\n"
                 f"sizes: {cols} {rows} {slices}\nspace directions: {dirs}\nkinds: domain domain domain\n"
                 f"endian: little\nencoding: raw\nspace origin: ({','.join(repr(v) for v in g['origin'])})\n\n")
                .encode())
        f.write(values.tobytes())
    meta = json.load(open(os.path.join(case, "meta.json")))
    meta["segmentAttributes"] = [[meta["segmentAttributes"][0][0]]]
    json.dump(meta, open(os.path.join(case, "prob-meta.json"), "w"))
    return case


def writer_args(ctx, case, kind):
    """(tool, arguments without --outputDICOM/--compress, reader tool, reader flags)."""
    seg = [ctx.tool("itkimage2segimage"), "--inputImageList", os.path.join(case, "label.nrrd"), "--inputMetadata",
           os.path.join(case, "meta.json"), "--inputDICOMDirectory", os.path.join(case, "ct")]
    if kind == "binary":
        return seg, "segimage2itkimage", ["--mergeSegments"]
    if kind == "labelmap8":
        return seg + ["--segmentationType", "labelmap"], "segimage2itkimage", []
    if kind == "labelmap16":  # see case_write
        return seg, "segimage2itkimage", []
    if kind == "fractional":
        return ([ctx.tool("itkimage2segimage"), "--inputImageList", os.path.join(case, "prob.nii.gz"),
                 "--inputMetadata", os.path.join(case, "prob-meta.json"), "--inputDICOMDirectory",
                 os.path.join(case, "ct"), "--segmentationType", "fractional"], "segimage2itkimage", [])
    if kind == "pm-int16":
        return ([ctx.tool("itkimage2paramap"), "--inputImage", os.path.join(case, "signed.nrrd"), "--inputMetadata",
                 PM_META, "--inputDICOMDirectory", os.path.join(case, "ct")], "paramap2itkimage", [])
    if kind == "pm-float":
        return ([ctx.tool("itkimage2paramap"), "--inputImage", os.path.join(case, "signed.nrrd"), "--inputMetadata",
                 PM_META, "--inputDICOMDirectory", os.path.join(case, "ct"), "--pixelType", "float32"],
                "paramap2itkimage", [])
    raise ValueError(kind)


# ---------------------------------------------------------------------------
# Pixel data

def native_frames(path):
    """The frames of an uncompressed file as bytes: single-bit frames unpacked to 0/1."""
    ds = pydicom.dcmread(path)
    n, rows, cols, bits = int(ds.NumberOfFrames), ds.Rows, ds.Columns, ds.BitsAllocated
    data = ds.get("PixelData") or ds.get("FloatPixelData")
    frames = []
    pixels = rows * cols
    if bits == 1:
        allbits = np.unpackbits(np.frombuffer(data, np.uint8), bitorder="little")
        for f in range(n):
            frames.append(allbits[f * pixels:(f + 1) * pixels].astype(np.uint8).tobytes())
    else:
        step = pixels * int(ds.get("SamplesPerPixel", 1)) * bits // 8
        for f in range(n):
            frames.append(bytes(data[f * step:(f + 1) * step]))
    return ds, frames


def encapsulated_items(ds):
    """(Basic Offset Table bytes, [fragments]) parsed from the encapsulated Pixel Data."""
    data = ds.PixelData
    items, pos = [], 0
    while pos + 8 <= len(data):
        group, element, length = struct.unpack_from("<HHI", data, pos)
        pos += 8
        if (group, element) == (0xFFFE, 0xE0DD):
            break
        if (group, element) != (0xFFFE, 0xE000):
            raise ValueError(f"unexpected tag ({group:04X},{element:04X}) in encapsulated pixel data")
        items.append(data[pos:pos + length])
        pos += length
    return items[0], items[1:]


def check_encapsulation(ds, fragments, bot, name):
    n = int(ds.NumberOfFrames)
    if len(fragments) != n:
        problem(f"{name}: {len(fragments)} fragments for {n} frames (one per frame required)")
    offsets = list(struct.unpack(f"<{len(bot) // 4}I", bot)) if bot else []
    expected, at = [], 0
    for frag in fragments:
        expected.append(at)
        at += 8 + len(frag)
    if offsets and offsets != expected:
        problem(f"{name}: Basic Offset Table {offsets[:4]}... does not give the fragment offsets {expected[:4]}...")
    if not offsets:
        print(f"{name}: empty Basic Offset Table")
    if any(len(f) % 2 for f in fragments):
        problem(f"{name}: odd-length fragment")


def decode_difc(ds, fragments, name):
    pixels = ds.Rows * ds.Columns
    out = []
    for i, frag in enumerate(fragments):
        d = zlib.decompressobj(-15)
        raw = d.decompress(frag) + d.flush()
        if not d.eof:
            problem(f"{name}: fragment {i + 1} is not a complete raw DEFLATE stream")
        if d.unused_data not in (b"", b"\x00"):
            problem(f"{name}: fragment {i + 1} has {len(d.unused_data)} bytes after its DEFLATE stream")
        if d.unused_data == b"\x00" and (len(frag) - 1) % 2 == 0:
            problem(f"{name}: fragment {i + 1} padded although its DEFLATE stream has an even length")
        if ds.BitsAllocated == 1:
            if len(raw) != (pixels + 7) // 8:
                problem(f"{name}: frame {i + 1} inflates to {len(raw)} bytes, {(pixels + 7) // 8} expected "
                        "(single-bit frames start on a byte boundary)")
            raw = np.unpackbits(np.frombuffer(raw, np.uint8), bitorder="little")[:pixels].astype(np.uint8).tobytes()
        out.append(raw)
    return out


def decode_with_dcmtk(tool, path, work):
    out = os.path.join(work, os.path.basename(tool) + ".dcm")
    r = run([tool, path, out], check=False)
    if r.returncode:
        raise ValueError(f"{tool} failed: {r.stderr.strip()}")
    ds = pydicom.dcmread(out)
    if ds.file_meta.TransferSyntaxUID != "1.2.840.10008.1.2.1":
        raise ValueError(f"{tool} wrote {ds.file_meta.TransferSyntaxUID}")
    return native_frames(out)[1]


def compare_frames(name, got, want):
    if len(got) != len(want):
        problem(f"{name}: {len(got)} frames decoded, {len(want)} expected")
        return
    bad = [i + 1 for i, (g, w) in enumerate(zip(got, want)) if g != w]
    if bad:
        problem(f"{name}: frames {bad[:5]} differ from the uncompressed file")
    else:
        print(f"{name}: {len(got)} frames equal the uncompressed file")


def dciodvfy(path, known, labelmap, may=()):
    args = [os.path.join(INTEROP, "dciodvfy_check.py"), path] + (["--labelmap"] if labelmap else [])
    for k in known:
        args += ["--known", k]
    for k in may:
        args += ["--may", k]
    r = run(args, check=False)
    print(r.stdout.strip())
    return r.returncode == 0


# ---------------------------------------------------------------------------

KINDS = {
    "binary": ["deflate", "rle", "jpeg2000", "difc"],
    "labelmap8": ["deflate", "rle", "jpegls", "jpeg2000", "difc"],
    "labelmap16": ["rle", "jpegls", "jpeg2000", "difc"],
    "fractional": ["rle", "jpegls", "jpeg2000", "difc"],
    "pm-int16": ["deflate", "rle", "jpegls", "jpeg2000", "difc"],
}
# Third-party encodings that the SEG readers' tests do not cover: highdicom's
# JPEG-LS images (RGB slide microscopy, with and without an offset table),
# decoded by qidcm's frame decoder and by dcmdjpls.
THIRD_PARTY = {
    "highdicom-jpegls": os.path.join(SHARED, "highdicom", "data", "test_files", "sm_image_jpegls.dcm"),
    "highdicom-jpegls-nobot": os.path.join(SHARED, "highdicom", "data", "test_files", "sm_image_jpegls_nobot.dcm"),
}
REFUSED = {"binary-jpegls": ("binary", "jpegls", "none, deflate, rle, jpeg2000, difc"),
           "pm-float-rle": ("pm-float", "rle", "none, deflate"),
           "pm-float-difc": ("pm-float", "difc", "none, deflate")}


def case_write(ctx, kind, compression):
    case = make_inputs(ctx)
    writer, reader, reader_flags = writer_args(ctx, case, kind)
    if kind == "labelmap16":
        # 16-bit label map: bin2labelsegimage --force16Bit on the binary SEG.
        binary = os.path.join(ctx.work, "binary.dcm")
        run(writer_args(ctx, case, "binary")[0] + ["--outputDICOM", binary])
        writer = [ctx.tool("bin2labelsegimage"), "--inputDICOM", binary, "--force16Bit"]
    plain, packed = os.path.join(ctx.work, "none.dcm"), os.path.join(ctx.work, compression + ".dcm")
    run(writer + ["--outputDICOM", plain])
    r = run(writer + ["--outputDICOM", packed, "--compress", compression])
    print(r.stdout.strip())
    ds = pydicom.dcmread(packed)
    if ds.file_meta.TransferSyntaxUID != UIDS[compression]:
        problem(f"transfer syntax {ds.file_meta.TransferSyntaxUID}, expected {UIDS[compression]}")
    # qidcm reads both the same
    outs = []
    for path in (plain, packed):
        out = os.path.join(ctx.work, "read-" + os.path.basename(path))
        run([ctx.tool(reader), "--inputDICOM", path, "--outputDirectory", out] + reader_flags)
        outs.append(out)
    images = sorted(f for f in os.listdir(outs[0]) if f.endswith(".nrrd"))
    for image in images:
        r = run([ctx.tool("qidcm-compare"), os.path.join(outs[0], image), os.path.join(outs[1], image)], check=False)
        print(f"qidcm reader, {image}: {r.stdout.strip()}")
        if r.returncode:
            problem(f"qidcm reads {image} differently from the compressed file")
    # independent decoders
    _, want = native_frames(plain)
    name = f"{kind} {compression}"
    try:
        if compression == "deflate":
            compare_frames(name + " (numpy on the data set pydicom inflated)", pixel_decode.frame_bytes(ds, packed),
                           want)
            if run(["dcmdump", packed], check=False).returncode:
                problem("dcmdump cannot read the deflated file")
        else:
            bot, fragments = encapsulated_items(ds)
            check_encapsulation(ds, fragments, bot, name)
            if compression == "difc":
                compare_frames(name + " (zlib)", decode_difc(ds, fragments, name), want)
            elif compression == "rle":
                compare_frames(name + " (PackBits, pixel_decode.py)", pixel_decode.frame_bytes(ds, packed), want)
                if ds.BitsAllocated > 1:
                    compare_frames(name + " (dcmdrle)", decode_with_dcmtk("dcmdrle", packed, ctx.work), want)
            elif compression == "jpegls":
                compare_frames(name + " (dcmdjpls)", decode_with_dcmtk("dcmdjpls", packed, ctx.work), want)
            elif compression == "jpeg2000":
                compare_frames(name + " (opj_decompress)", pixel_decode.frame_bytes(ds, packed), want)
    except (ValueError, NotImplementedError, pixel_decode.DecodeError) as e:
        problem(f"{name}: independent decoding failed: {e}")
    labelmap = kind.startswith("labelmap")
    if compression == "difc":
        if not dciodvfy(packed, DIFC_KNOWN, labelmap, DIFC_CONSEQUENCES):
            problem("dciodvfy (original, beyond the unknown-syntax messages)")
        relabelled = os.path.join(ctx.work, "difc-as-rle.dcm")
        ds.file_meta.TransferSyntaxUID = UIDS["rle"]
        ds.save_as(relabelled, write_like_original=True)
        if not dciodvfy(relabelled, [], labelmap):
            problem("dciodvfy (meta relabelled as RLE Lossless)")
    elif not dciodvfy(packed, [], labelmap):
        problem("dciodvfy")


def case_refused(ctx, name):
    kind, compression, allowed = REFUSED[name]
    case = make_inputs(ctx)
    writer, _, _ = writer_args(ctx, case, kind)
    out = os.path.join(ctx.work, "refused.dcm")
    r = run(writer + ["--outputDICOM", out, "--compress", compression], check=False)
    lines = [l for l in r.stderr.splitlines() if "error" in l]
    print(lines)
    if r.returncode != 2:
        problem(f"exit {r.returncode}, expected 2 (usage)")
    if len(lines) != 1 or allowed not in lines[0] or compression not in lines[0]:
        problem(f"expected one error line naming '{compression}' and the allowed values '{allowed}'")
    if os.path.exists(out):
        problem("output written for a refused combination")


def case_bin2label(ctx, compression):
    case = make_inputs(ctx)
    binary = os.path.join(ctx.work, "binary.dcm")
    run(writer_args(ctx, case, "binary")[0] + ["--outputDICOM", binary])
    plain, packed = os.path.join(ctx.work, "lm-none.dcm"), os.path.join(ctx.work, "lm.dcm")
    run([ctx.tool("bin2labelsegimage"), "--inputDICOM", binary, "--outputDICOM", plain])
    run([ctx.tool("bin2labelsegimage"), "--inputDICOM", binary, "--outputDICOM", packed, "--compress", compression])
    ds = pydicom.dcmread(packed)
    if ds.file_meta.TransferSyntaxUID != UIDS[compression]:
        problem(f"transfer syntax {ds.file_meta.TransferSyntaxUID}")
    _, want = native_frames(plain)
    bot, fragments = encapsulated_items(ds)
    check_encapsulation(ds, fragments, bot, "bin2label " + compression)
    if compression == "difc":
        compare_frames("bin2label difc (zlib)", decode_difc(ds, fragments, "bin2label"), want)
    elif compression == "rle":
        compare_frames("bin2label rle (dcmdrle)", decode_with_dcmtk("dcmdrle", packed, ctx.work), want)
    else:
        compare_frames("bin2label jpegls (dcmdjpls)", decode_with_dcmtk("dcmdjpls", packed, ctx.work), want)


def case_third_party(ctx, name):
    path = THIRD_PARTY[name]
    raw = os.path.join(ctx.work, "frames.raw")
    run([os.path.join(ctx.tools, "qidcm-test-framedump"), path, raw])
    got = open(raw, "rb").read()
    ds = pydicom.dcmread(path, stop_before_pixels=True)
    frame = ds.Rows * ds.Columns * ds.SamplesPerPixel * ds.BitsAllocated // 8
    mine = [got[i:i + frame] for i in range(0, len(got), frame)]
    compare_frames(name + " (qidcm vs dcmdjpls)", mine, decode_with_dcmtk("dcmdjpls", path, ctx.work))


class Ctx:
    def __init__(self, a):
        self.bin, self.tools, self.work = a.bin, a.tools, a.work

    def tool(self, name):
        return os.path.join(self.bin, name)


LIVER_RLE = os.path.join(SHARED, "pydicom-data", "data_store", "data", "liver_rle.dcm")
SEGS = os.path.join(SHARED, "dcmqi", "data", "segmentations")
LIVER_VOXELS = 107098  # the liver of dcmqi's liver_seg.nrrd, as liver_rle.dcm holds it


def rle_layout(path):
    """[(segments, decoded bytes of each)] per frame of a single-bit RLE file, and the foreground voxels
    pixel_decode.py finds."""
    ds = pydicom.dcmread(path)
    layout = []
    for frag in pixel_decode.fragments(ds, int(ds.NumberOfFrames)):
        segs = pixel_decode.rle_segments(frag)
        layout.append((len(segs), tuple(len(s) for s in segs)))
    voxels = sum(int(np.count_nonzero(f)) for f in pixel_decode.frames(ds, path))
    return ds, layout, voxels


def case_rle_liver_layout(ctx):
    """Binary RLE as CP 2301 has it: qidcm's liver SEG has the layout of pydicom-data's liver_rle.dcm
    (one segment per frame, decoding to the frame's packed bits), and the packed-layout decoder finds
    the whole liver in both."""
    ref, ref_layout, ref_voxels = rle_layout(LIVER_RLE)
    packed = int(ref.Rows) * int(ref.Columns) // 8
    print(f"liver_rle.dcm: {len(ref_layout)} frames, layouts {sorted(set(ref_layout))}, {ref_voxels} voxels")
    if set(ref_layout) != {(1, (packed,))}:
        problem(f"liver_rle.dcm is not one segment of {packed} bytes per frame: {sorted(set(ref_layout))}")
    if ref_voxels != LIVER_VOXELS:
        problem(f"liver_rle.dcm decodes to {ref_voxels} voxels, {LIVER_VOXELS} expected")
    out = os.path.join(ctx.work, "liver-rle.dcm")
    run([ctx.tool("itkimage2segimage"), "--inputImageList", os.path.join(SEGS, "liver_seg.nrrd"),
         "--inputMetadata", os.path.join(SHARED, "dcmqi", "doc", "examples", "seg-example.json"),
         "--inputDICOMDirectory", os.path.join(SEGS, "ct-3slice"), "--outputDICOM", out, "--compress", "rle"])
    ds, layout, voxels = rle_layout(out)
    packed = (int(ds.Rows) * int(ds.Columns) + 7) // 8
    print(f"qidcm: {len(layout)} frames, layouts {sorted(set(layout))}, {voxels} voxels")
    if set(layout) != {(1, (packed,))}:
        problem(f"qidcm's binary RLE is not one segment of {packed} bytes per frame: {sorted(set(layout))}")
    if voxels != LIVER_VOXELS:
        problem(f"qidcm's binary RLE decodes to {voxels} voxels, {LIVER_VOXELS} expected")


def names():
    out = [f"{k}-{c}" for k, cs in KINDS.items() for c in cs]
    out += ["binary-rle-liver-layout"]
    out += ["refuse-" + n for n in REFUSED] + ["bin2label-" + c for c in ("rle", "jpegls", "difc")]
    out += ["read-" + n for n in THIRD_PARTY]
    return out


def main():
    a = driver.case_arguments(names())
    a.work = driver.fresh_directory(a.work, "compress", a.case)
    ctx = Ctx(a)
    if a.case == "binary-rle-liver-layout":
        case_rle_liver_layout(ctx)
    elif a.case.startswith("refuse-"):
        case_refused(ctx, a.case[len("refuse-"):])
    elif a.case.startswith("read-"):
        case_third_party(ctx, a.case[len("read-"):])
    elif a.case.startswith("bin2label-"):
        case_bin2label(ctx, a.case[len("bin2label-"):])
    else:
        kind, compression = a.case.rsplit("-", 1)
        case_write(ctx, kind, compression)
    return driver.finish()


if __name__ == "__main__":
    sys.exit(main())
