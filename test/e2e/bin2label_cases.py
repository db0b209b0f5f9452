#!/usr/bin/python3
"""End-to-end cases for bin2labelsegimage (BINARY SEG -> Label Map SEG).

Each conversion case checks the label map it writes:
  - dciodvfy reports nothing but the listed unknown-SOP-class messages;
  - dcmjs parses it;
  - the attributes the flags select: 8 or 16 bits, MONOCHROME2 or PALETTE COLOR with a
    colour table from the segments' CIELab colours, the transfer syntax;
  - every input segment keeps its number, label, codes, algorithm, tracking IDs, colour;
  - the pydicom decode (test/interop/seg_decode.py) finds the input's voxels per segment;
  - segimage2itkimage reads it back into the voxels of the input SEG read directly.
The overlapping partial_overlaps.dcm is refused, naming two segments that overlap and
a position where they do, with no output file.

Usage: bin2label_cases.py --list
       bin2label_cases.py <case> --bin <build/apps> --tools <build/test> --work <dir>
"""
import functools
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import seg_common as rc  # noqa: E402  (helpers shared with the reader's drivers)
from seg_common import CaseFailed, seg, ex, CT3, INTEROP  # noqa: E402

sys.path.insert(0, INTEROP)
from check_seg_attributes import lab_to_rgb  # noqa: E402  (independent CIELab -> sRGB)
import seg_decode  # noqa: E402
from testdeps import lazy  # noqa: E402  (test-only packages, imported on first use)

np = lazy("numpy")
pydicom = lazy("pydicom")

TOOL = "bin2labelsegimage"
LABELMAP_SOP = "1.2.840.10008.5.1.4.1.1.66.7"
VARIANTS = {"mono8": [], "palette8": ["--usePalette"], "mono16": ["--force16Bit"],
            "palette16": ["--usePalette", "--force16Bit"]}


def input_liver(ctx):
    return seg("liver.dcm"), False


def input_odd(size):
    return lambda ctx: (seg(f"{size}/seg/label.seg"), False)


def input_writer_liver_spine(ctx):
    out = ctx.path("liver_spine.dcm")
    rc.write_seg(ctx, [seg("liver_seg.nrrd"), seg("spine_seg.nrrd")], ex("seg-example_liver_spine.json"), CT3, out)
    return out, False


def input_synth_oblique_negated(ctx):
    _, label, meta, ct = rc.synth(ctx, ["--orientation", "oblique-negated", "--segments", "6", "--columns", "44",
                                        "--rows", "38", "--slices", "12"])
    out = ctx.path("synth.dcm")
    rc.write_seg(ctx, [label], meta, ct, out)
    return out, True


INPUTS = {
    "odd23": input_odd("23x38x3"),
    "odd24": input_odd("24x38x3"),
    "liver": input_liver,
    "liver-spine": input_writer_liver_spine,
    "synth-oblique-negated": input_synth_oblique_negated,
}


def lut(ds, colour):
    desc = [int(v) for v in ds[f"{colour}PaletteColorLookupTableDescriptor"].value]
    raw = ds[f"{colour}PaletteColorLookupTableData"].value
    bits = desc[2]
    data = np.frombuffer(raw, dtype="<u2" if bits == 16 else np.uint8)
    if bits == 16:
        data = data >> 8
    n = desc[0] or 65536
    return desc[1], data[:n].astype(int)


def check_attributes(ctx, src, out, flags, deflate):
    a = pydicom.dcmread(src)
    b = pydicom.dcmread(out)
    ctx.check(b.SOPClassUID == LABELMAP_SOP, f"SOP Class {b.SOPClassUID}, expected {LABELMAP_SOP}")
    ctx.check(b.get("SegmentationType") == "LABELMAP", f"SegmentationType {b.get('SegmentationType')}")
    want_bits = 16 if "--force16Bit" in flags else 8
    ctx.check(int(b.BitsAllocated) == want_bits, f"BitsAllocated {b.BitsAllocated}, expected {want_bits}")
    want_pi = "PALETTE COLOR" if "--usePalette" in flags else "MONOCHROME2"
    ctx.check(b.PhotometricInterpretation == want_pi, f"PhotometricInterpretation {b.PhotometricInterpretation}, "
                                                      f"expected {want_pi}")
    want_ts = "1.2.840.10008.1.2.1.99" if deflate else "1.2.840.10008.1.2.1"
    ctx.check(b.file_meta.TransferSyntaxUID == want_ts, f"transfer syntax {b.file_meta.TransferSyntaxUID}, "
                                                        f"expected {want_ts}")
    for attr in ("PatientID", "PatientName", "StudyInstanceUID", "FrameOfReferenceUID"):
        ctx.check(str(a.get(attr, "")) == str(b.get(attr, "")), f"{attr} {b.get(attr)!r}, the input has {a.get(attr)!r}")
    ctx.check(b.SeriesInstanceUID != a.SeriesInstanceUID and b.SOPInstanceUID != a.SOPInstanceUID,
              "the label map reuses the input's Series or SOP Instance UID")
    sa = {int(s.SegmentNumber): s for s in a.SegmentSequence}
    sb = {int(s.SegmentNumber): s for s in b.SegmentSequence}
    extra = sorted(set(sb) - set(sa))
    ctx.check(set(sa) <= set(sb), f"segments {sorted(set(sa) - set(sb))} are missing from the label map")
    ctx.check(extra in ([], [0]), f"the label map adds segments {extra}")
    palette = "--usePalette" in flags
    for n in sorted(set(sa) & set(sb)):
        da, db = rc.segment_description(sa[n]), rc.segment_description(sb[n])
        for k in da:
            if k == "CIELab" and palette:
                # the colour moves into the palette (checked below); Sup 243: no CIELab with PALETTE COLOR
                ctx.check(db[k] == [], f"segment {n} keeps a CIELab value {db[k]} in a PALETTE COLOR label map")
                continue
            ctx.check(da[k] == db[k], f"segment {n} {k}: {db[k]!r}, the input has {da[k]!r}")
    if 0 in sb:
        ctx.check(b.get("PixelPaddingValue") == 0, f"segment 0 is described but Pixel Padding Value is "
                                                   f"{b.get('PixelPaddingValue')}")
    if "--usePalette" in flags:
        try:
            tables = {c: lut(b, c) for c in ("Red", "Green", "Blue")}
        except KeyError as e:
            ctx.fail(f"PALETTE COLOR without a colour table: {e}")
            return
        for n, item in sa.items():
            if "RecommendedDisplayCIELabValue" not in item:
                continue
            want = lab_to_rgb([int(v) for v in item.RecommendedDisplayCIELabValue])
            got = []
            for c in ("Red", "Green", "Blue"):
                first_value, data = tables[c]
                i = n - first_value
                got.append(int(data[i]) if 0 <= i < len(data) else None)
            ok = None not in got and all(abs(g - w) <= 1 for g, w in zip(got, want))
            ctx.check(ok, f"segment {n}: palette entry {got}, its CIELab colour is RGB {want}")
        pad = b.get("PixelPaddingValue")
        if pad is not None:
            first_value, _ = tables["Red"]
            entry = [int(tables[c][1][pad - first_value]) if 0 <= pad - first_value < len(tables[c][1]) else None
                     for c in ("Red", "Green", "Blue")]
            ctx.check(entry == [0, 0, 0], f"the background (Pixel Padding Value {pad}) has palette entry {entry}")


def expected_labelmap(ctx, binary_out):
    """One label volume from the reader's per-segment images of the binary SEG."""
    g0 = binary_out.images[0][0]
    vol = np.zeros(tuple(reversed(g0["size"])), dtype=np.int64)
    for segs, (g, a, p) in zip(binary_out.meta["segmentAttributes"], binary_out.images):
        diff = rc.grid_difference(g, g0)
        if diff:
            raise CaseFailed(f"the reader's images of the input SEG lie on different grids: {diff}")
        for s in segs:
            n = int(s["labelID"])
            mask = a == n
            ctx.check(not np.any(mask & (vol != 0)), f"segment {n} overlaps another segment in the input")
            vol[mask] = n
    return g0, vol


def case_convert(ctx, input_name, variant, deflate):
    src, physical = INPUTS[input_name](ctx)
    flags = VARIANTS[variant] + (["--compress", "deflate"] if deflate else [])
    out = ctx.path("labelmap.dcm")
    r = ctx.run([ctx.exe(TOOL), "--inputDICOM", src, "--outputDICOM", out] + flags)
    if r.returncode:
        raise CaseFailed(f"{TOOL} failed with exit {r.returncode}: {r.stderr.strip()}")
    leftovers = [f for f in os.listdir(ctx.work) if f.startswith(".qidcm-staging")]
    ctx.check(not leftovers, f"staging left behind: {leftovers}")
    if not ctx.check(os.path.isfile(out), "no output file"):
        return
    # dciodvfy and dcmjs
    r = ctx.run([sys.executable, os.path.join(INTEROP, "dciodvfy_check.py"), out, "--labelmap"])
    ctx.check(r.returncode == 0, "dciodvfy reports errors")
    labels = [str(s.SegmentLabel) for s in pydicom.dcmread(out, stop_before_pixels=True).SegmentSequence]
    check = {"type": "LABELMAP", "sopClass": LABELMAP_SOP, "labels": labels}
    r = ctx.run(["node", os.path.join(INTEROP, "dcmjs_check.js"), out, json.dumps(check)])
    ctx.check(r.returncode == 0, "dcmjs cannot read the label map")
    check_attributes(ctx, src, out, flags, deflate)
    # independent decode: the same voxels per segment
    dec_in, dec_out = seg_decode.decode(src), seg_decode.decode(out)
    cin, cout = seg_decode.foreground_counts(dec_in), seg_decode.foreground_counts(dec_out)
    for n in sorted(cin):
        ctx.check(cout.get(n) == cin[n], f"segment {n}: {cout.get(n)} voxels in the label map, {cin[n]} in the input")
    pin, pout = seg_decode.segment_planes(dec_in), seg_decode.segment_planes(dec_out)
    for n, planes in pin.items():
        for pos, px in planes:
            match = [q for p, q in pout.get(n, []) if np.allclose(p, pos, atol=1e-3)]
            if not match or not np.array_equal(match[0].astype(bool), px.astype(bool)):
                ctx.fail(f"segment {n}: the label map frame at {pos.tolist()} "
                         f"{'is missing' if not match else 'differs from the input'}")
    # the reader: label map == the input SEG read directly
    direct = rc.run_reader(ctx, src, ctx.path("direct"))
    via = rc.run_reader(ctx, out, ctx.path("via"))
    if direct.r.returncode or via.r.returncode:
        raise CaseFailed("segimage2itkimage failed")
    g0, want = expected_labelmap(ctx, direct)
    ctx.check(len(via.images) == 1, f"the label map reads into {len(via.images)} images")
    g, a, p = via.images[0]
    ctx.check(a.dtype == (np.uint16 if "--force16Bit" in flags else np.uint8) or
              (a.dtype == np.int16 and "--force16Bit" in flags),
              f"the {'16' if '--force16Bit' in flags else '8'}-bit label map reads as {a.dtype}")
    if physical:
        got, why = rc.to_grid(g, a, g0)
        if got is None:
            ctx.fail(f"the label map's grid does not match the input's: {why}")
            return
    else:
        diff = rc.grid_difference(g, g0)
        if diff:
            ctx.fail(f"the label map reads onto another grid than the input SEG: {diff}")
            return
        got = a
    got = got.astype(np.int64)
    if not np.array_equal(got, want):
        bad = np.argwhere(got != want)
        ctx.fail(f"{len(bad)} voxels differ from the input SEG read directly, first at {tuple(bad[0])}: "
                 f"{got[tuple(bad[0])]} vs {want[tuple(bad[0])]}")
    else:
        print(f"label map equals the input: {int(np.count_nonzero(want))} voxels in {len(cin)} segment(s)")


def overlapping_pairs(dec):
    """{(a, b): [positions]} of segment pairs with common pixels at one position."""
    pairs = {}
    planes = seg_decode.segment_planes(dec)
    numbers = sorted(planes)
    for i, a in enumerate(numbers):
        for b in numbers[i + 1:]:
            for pa, xa in planes[a]:
                for pb, xb in planes[b]:
                    if np.allclose(pa, pb, atol=1e-3) and np.any((xa != 0) & (xb != 0)):
                        pairs.setdefault((a, b), []).append(pa)
    return pairs


def case_overlap_refused(ctx):
    src = seg("partial_overlaps.dcm")
    out = ctx.path("labelmap.dcm")
    r = ctx.run([ctx.exe(TOOL), "--inputDICOM", src, "--outputDICOM", out])
    ctx.check(r.returncode == 1, f"exit {r.returncode}, expected 1")
    lines = [l for l in r.stderr.splitlines() if l.strip() and not l.startswith("warning:")]
    ctx.check(len(lines) == 1, f"{len(lines)} error lines, expected 1")
    line = lines[-1] if lines else ""
    ctx.check(line.startswith(f"{TOOL}: error: "), f"message does not start with '{TOOL}: error: '")
    ctx.check("partial_overlaps.dcm" in line, "the message does not name the input file")
    ctx.check("overlap" in line.lower(), "the message does not say the segments overlap")
    pairs = overlapping_pairs(seg_decode.decode(src))
    print(f"overlapping pairs (pydicom): {sorted(pairs)}")
    tail = line.split("partial_overlaps.dcm", 1)[-1]
    numbers = set(int(x) for x in re.findall(r"(?<![\d.\-])\d+(?![\d.])", tail))
    named = [p for p in pairs if p[0] in numbers and p[1] in numbers]
    ctx.check(named, f"the message names no pair of overlapping segments {sorted(pairs)}: {line!r}")
    triples = [np.array([float(v) for v in m]) for m in
               re.findall(r"(-?\d+(?:\.\d+)?)\s*[\\,/ ]\s*(-?\d+(?:\.\d+)?)\s*[\\,/ ]\s*(-?\d+(?:\.\d+)?)", tail)]
    located = any(np.allclose(t, pos, atol=1e-3) for p in named for pos in pairs[p] for t in triples)
    ctx.check(located, f"the message gives no position where the named segments overlap: {line!r}")
    ctx.check(not os.path.exists(out), "an output file was left behind")
    leftovers = [f for f in os.listdir(ctx.work) if f.startswith(".qidcm-staging")]
    ctx.check(not leftovers, f"staging left behind: {leftovers}")


def build_cases():
    cases = {}
    for name in ("odd23", "odd24", "liver"):
        for variant in VARIANTS:
            for deflate in (False, True):
                cases[f"{name}-{variant}{'-deflate' if deflate else ''}"] = functools.partial(
                    case_convert, input_name=name, variant=variant, deflate=deflate)
    cases["liver-spine-mono8"] = functools.partial(case_convert, input_name="liver-spine", variant="mono8",
                                                   deflate=False)
    cases["synth-oblique-negated-palette8"] = functools.partial(case_convert, input_name="synth-oblique-negated",
                                                                variant="palette8", deflate=False)
    cases["partial-overlaps-refused"] = case_overlap_refused
    return cases


if __name__ == "__main__":
    sys.exit(rc.run_case(build_cases(), group="bin2label"))
