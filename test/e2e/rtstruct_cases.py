#!/usr/bin/python3
"""rtstruct2segimage end to end: third-party structure sets (the SUV DROs,
pydicom's) converted, checked with an independent decoder (seg_decode.py) and
dciodvfy, and the refusals.

The per-slice voxel counts of the DRO's ROI are plastimatch 1.9.4's
(convert --referenced-ct PT --xor-contours, region_1.nrrd summed per slice):
the rules match (doc/rtstruct-rasterization.md).
"""
import os
import sys

import seg_common
from seg_common import CaseFailed, SHARED, PYDICOM_FILES, INTEROP, np, pydicom

DRO = os.path.join(SHARED, "suv_computation", "DRO")
TOOL = "rtstruct2segimage"
# z (mm) -> voxels; z = 4 k on the DRO's 4 mm grid.
PLASTIMATCH = {4 * k: n for k, n in enumerate([0, 0, 10817, 10945, 10944, 10945, 10922, 10912, 10921, 10930, 10934,
                                                10931, 10915, 10929, 10945, 10938, 10945, 10817, 0, 0]) if n}


def rs(name):
    return os.path.join(DRO, name, "RS", f"RS_dro_{name[4:]}.dcm")


def series_uid(directory):
    first = sorted(os.listdir(directory))[0]
    return str(pydicom.dcmread(os.path.join(directory, first), stop_before_pixels=True).SeriesInstanceUID)


def check_counts(ctx, seg_path, seg_type):
    d = seg_common.seg_decode.decode(seg_path)
    ctx.check(d.seg_type == seg_type, f"SegmentationType {d.seg_type}, expected {seg_type}")
    by_z = {}
    for f in d.frames:
        value = 1 if seg_type == "LABELMAP" else f.number
        n = int(np.count_nonzero(f.pixels == value)) if seg_type == "LABELMAP" else int(np.count_nonzero(f.pixels))
        if n:
            by_z[round(f.position[2], 3)] = by_z.get(round(f.position[2], 3), 0) + n
    ctx.check(by_z == PLASTIMATCH, f"voxels per slice {by_z} differ from plastimatch's {PLASTIMATCH}")
    labels = [str(s.SegmentLabel) for s in d.ds.SegmentSequence if int(s.SegmentNumber) != 0]
    ctx.check(labels == ["region_1"], f"segment labels {labels}")
    return d


# The DROs' PET series carry a Study Instance UID equal to their Frame of
# Reference UID; a SEG in the same study and frame of reference inherits both.
DRO_KNOWN = ["Error - StudyInstanceUID has same value as FrameOfReferenceUID "
             "<1.2.826.0.1.3680043.8.498.9552046624551246673304>"]


def dciodvfy(ctx, path, labelmap=False):
    cmd = [sys.executable, os.path.join(INTEROP, "dciodvfy_check.py"), path] + (["--labelmap"] if labelmap else [])
    for message in DRO_KNOWN:
        cmd += ["--known", message]
    ctx.must(cmd, "dciodvfy_check")


def convert(ctx, rtstruct, directory, name, *flags):
    out = ctx.path(name)
    ctx.must([ctx.exe(TOOL), "--inputRTSTRUCT", rtstruct, "--inputDICOMDirectory", directory, "--outputDICOM", out,
              *flags])
    return out


def case_dro_binary(ctx):
    out = convert(ctx, rs("DRO_0_0"), os.path.join(DRO, "DRO_0_0", "PT"), "binary.dcm")
    d = check_counts(ctx, out, "BINARY")
    ref = d.ds.ReferencedSeriesSequence[0].SeriesInstanceUID
    ctx.check(ref == series_uid(os.path.join(DRO, "DRO_0_0", "PT")), f"references series {ref}")
    dciodvfy(ctx, out)


def case_dro_labelmap(ctx):
    out = convert(ctx, rs("DRO_0_0"), os.path.join(DRO, "DRO_0_0", "PT"), "labelmap.dcm",
                  "--segmentationType", "labelmap", "--compress", "deflate")
    check_counts(ctx, out, "LABELMAP")
    dciodvfy(ctx, out, labelmap=True)


def case_dro_series_by_uid(ctx):
    # All six DRO series share one Frame of Reference, and DRO_1_0's contours
    # name DRO_0_0's images: the RT Referenced Series UID decides.
    out = convert(ctx, rs("DRO_1_0"), DRO, "series.dcm")
    d = check_counts(ctx, out, "BINARY")
    ref = d.ds.ReferencedSeriesSequence[0].SeriesInstanceUID
    want = series_uid(os.path.join(DRO, "DRO_1_0", "PT"))
    ctx.check(ref == want, f"references series {ref}, not DRO_1_0's {want}")


def refused(ctx, cmd, out, *needles):
    r = ctx.run(cmd)
    ctx.check(r.returncode == 1, f"exit {r.returncode}, expected 1")
    lines = [l for l in r.stderr.strip().splitlines() if not l.startswith("warning")]
    ctx.check(len(lines) == 1, f"expected one error line, got {lines}")
    for n in needles:
        ctx.check(n in r.stderr, f"{n!r} not in {r.stderr.strip()!r}")
    ctx.check(not os.path.exists(out), "an output file was left")


def case_missing_series(ctx):
    out = ctx.path("missing.dcm")
    refused(ctx, [ctx.exe(TOOL), "--inputRTSTRUCT", os.path.join(PYDICOM_FILES, "rtstruct.dcm"),
                  "--inputDICOMDirectory", os.path.join(DRO, "DRO_0_0", "PT"), "--outputDICOM", out],
            out, "rtstruct.dcm", "1.2.826.0.1.3680043.8.498.2010020400001.2.1.1", "is not in")


def case_not_rtstruct(ctx):
    out = ctx.path("seg.dcm")
    refused(ctx, [ctx.exe(TOOL), "--inputRTSTRUCT", os.path.join(SHARED, "dcmqi", "data", "sr-example", "seg.dcm"),
                  "--inputDICOMDirectory", os.path.join(DRO, "DRO_0_0", "PT"), "--outputDICOM", out],
            out, "SOPClassUID (0008,0016)", "not an RT Structure Set")


CASES = {
    "dro-binary": case_dro_binary,
    "dro-labelmap": case_dro_labelmap,
    "dro-series-by-uid": case_dro_series_by_uid,
    "missing-series": case_missing_series,
    "not-rtstruct": case_not_rtstruct,
}

if __name__ == "__main__":
    sys.exit(seg_common.run_case(CASES, group="rtstruct"))
