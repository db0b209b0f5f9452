#!/usr/bin/python3
"""End-to-end cases for segimage2itkimage (the SEG reader): files made by others.

  decode-*     every SEG in ../shared/data: the reader's foreground voxel count per
               segment equals the independent pydicom decode (test/interop/seg_decode.py),
               or the file is refused with a named reason and no output
  malformed-*  bad inputs: non-zero exit, one line naming the file and the reason, no output

The reader's other cases: seg_reader_roundtrip_cases.py (with the writer) and
seg_reader_ts_cases.py (transfer syntaxes); what they share is in seg_common.py.

Usage: seg_reader_files_cases.py --list
       seg_reader_files_cases.py <case> --bin <build/apps> --tools <build/test> --work <dir>
"""
import functools
import os
import shutil
import sys

from seg_common import (  # helpers shared by the SEG drivers
    TOOL, CaseFailed, INTEROP, PYDICOM_FILES, SHARED, run_case, run_reader, seg, segment_numbers)

sys.path.insert(0, INTEROP)
import seg_decode  # noqa: E402
from testdeps import lazy  # noqa: E402  (test-only packages, imported on first use)

np = lazy("numpy")
pydicom = lazy("pydicom")


# ---------------------------------------------------------------- reader checks

def check_refusal(ctx, r, input_path, outdir, reasons=None):
    """Non-zero exit, exactly one error line naming the input file and a reason, no output."""
    ok = ctx.check(r.returncode not in (0, None), f"exit {r.returncode}, expected a refusal")
    ctx.check(r.returncode in (1,), f"exit {r.returncode}: an invalid input should give exit status 1")
    lines = [l for l in r.stderr.splitlines() if l.strip() and not l.startswith("warning:")]
    ctx.check(len(lines) == 1, f"{len(lines)} error lines, expected 1: {lines}")
    line = lines[-1] if lines else ""
    ctx.check(line.startswith(f"{TOOL}: error: "), f"the message does not start with '{TOOL}: error: ': {line!r}")
    base = os.path.basename(input_path)
    ctx.check(base in line, f"the message does not name the file {base}: {line!r}")
    after = line.split(base, 1)[1] if base in line else ""
    ctx.check(len(after.strip(" :")) >= 8, f"the message gives no reason after the file name: {line!r}")
    if reasons:
        ctx.check(any(x.lower() in line.lower() for x in reasons),
                  f"the reason does not mention any of {reasons}: {line!r}")
    if os.path.isdir(outdir):
        left = os.listdir(outdir)
        ctx.check(not left, f"output left behind after a refusal: {left}")
    if "Segmentation fault" in r.stderr or r.returncode < 0:
        ctx.fail(f"crashed (signal {-r.returncode})")
    return ok


def reader_counts(ctx, out, seg_type):
    """Voxel count per segment number in the reader's output images."""
    counts = {}
    for k, (segs, (g, a, p)) in enumerate(zip(out.meta["segmentAttributes"], out.images)):
        labels = [int(s["labelID"]) for s in segs]
        if seg_type == "FRACTIONAL":
            ctx.check(len(labels) == 1, f"{p}: a fractional output image lists {len(labels)} segments")
            counts[labels[0]] = int(np.count_nonzero(a))
            continue
        for lab in labels:
            ctx.check(lab not in counts, f"segment {lab} is listed in more than one output image")
            counts[lab] = int(np.count_nonzero(a == lab))
        if seg_type != "LABELMAP":
            stray = int(np.count_nonzero(a)) - sum(counts[lab] for lab in labels)
            ctx.check(stray == 0, f"{p}: {stray} non-zero voxels hold no listed segment number {labels}")
    return counts


# ---------------------------------------------------------------- every SEG in ../shared/data

def shared_seg_files():
    """(relative path) of every SEG listed in PROVENANCE.tsv, plus the NRRD named .seg.dcm."""
    out = []
    with open(os.path.join(SHARED, "PROVENANCE.tsv")) as f:
        for line in f.read().splitlines()[1:]:
            cols = line.split("\t")
            if len(cols) > 7 and ("Segmentation" in cols[7] or "1.2.840.10008.5.1.4.1.1.66.7" in cols[7]):
                if cols[0] not in out:
                    out.append(cols[0])
    extra = "QuantitativeReporting/Prototype/TestData/DICOM.SEG/slicer.seg.dcm"
    if extra not in out:
        out.append(extra)
    return out


# Files that must be refused, with words one of which the reason must contain.
REFUSE = {
    "pydicom/src/pydicom/data/test_files/liver_1frame.dcm": ["NumberOfFrames", "(0028,0008)"],
    "QuantitativeReporting/Prototype/TestData/DICOM.SEG/slicer.seg.dcm": ["DICOM"],
}
# Files the reader may decode or refuse (slide microscopy: no patient 3-D geometry).
EITHER = {"seg_image_sm_control.dcm", "seg_image_sm_dots.dcm", "seg_image_sm_numbers.dcm"}


def slug(rel):
    for p in ("dcmqi/data/segmentations/", "dcmqi/data/", "highdicom/data/test_files/",
              "pydicom-data/data_store/data/", "pydicom/src/pydicom/data/test_files/",
              "QuantitativeReporting/Prototype/TestData/"):
        if rel.startswith(p):
            rel = p.split("/")[0] + "-" + rel[len(p):]
            break
    head, base = os.path.split(rel)
    if len(base) > 30 and base[0].isdigit():  # a file named by its SOP Instance UID
        base = "uid-" + base[:-4].split(".")[-1] + ".dcm"
    return os.path.join(head, base).replace("/", "-")


def case_decode(ctx, rel):
    path = os.path.join(SHARED, rel)
    outdir = ctx.path("out")
    out = run_reader(ctx, path, outdir)
    if rel in REFUSE:
        check_refusal(ctx, out.r, path, outdir, REFUSE[rel])
        return
    if out.r.returncode:
        if os.path.basename(rel) in EITHER:
            check_refusal(ctx, out.r, path, outdir)
            print(f"refused (allowed for this file): {out.r.stderr.strip()}")
        else:
            ctx.fail(f"the reader refused a valid SEG: exit {out.r.returncode}: {out.r.stderr.strip()}")
        return
    dec = seg_decode.decode(path)
    want = seg_decode.volume_counts(dec)
    got = reader_counts(ctx, out, dec.seg_type)
    listed = segment_numbers(out.meta)
    ctx.check(sorted(listed) == sorted(want), f"meta.json lists segments {sorted(listed)}, the SEG has {sorted(want)}")
    for n in sorted(want):
        ctx.check(got.get(n) == want[n], f"segment {n}: {got.get(n)} voxels in the output, "
                                         f"the pydicom decode has {want[n]}")
    labels = {int(s.SegmentNumber): str(s.get("SegmentLabel", "")) for s in dec.ds.SegmentSequence}
    for l in out.meta["segmentAttributes"]:
        for s in l:
            n = int(s["labelID"])
            if labels.get(n):
                ctx.check(s.get("SegmentLabel") == labels[n],
                          f"segment {n}: SegmentLabel {s.get('SegmentLabel')!r} in meta.json, {labels[n]!r} in the SEG")
    print(f"segments {sorted(want)}, voxels {[want[n] for n in sorted(want)]}")


# ---------------------------------------------------------------- malformed inputs

def dcmodify(ctx, src, dst, *args):
    shutil.copyfile(src, dst)
    ctx.must(["dcmodify", "-nb"] + list(args) + [dst], "dcmodify")
    return dst


PF = "(5200,9230)"


def malformed_truncated(ctx):
    data = open(seg("liver.dcm"), "rb").read()
    p = ctx.path("liver_truncated.dcm")
    with open(p, "wb") as f:
        f.write(data[:len(data) * 2 // 3])
    return p, ["truncat", "premature", "end of", "short", "incomplete", "PixelData", "Pixel Data"]


def malformed_no_position(ctx):
    return dcmodify(ctx, seg("liver.dcm"), ctx.path("liver_noposition.dcm"), "-e", f"{PF}[1].(0020,9113)"), \
        ["Plane Position", "PlanePosition", "(0020,9113)", "ImagePositionPatient", "(0020,0032)"]


def malformed_unknown_segment(ctx):
    return dcmodify(ctx, seg("liver.dcm"), ctx.path("liver_segment7.dcm"), "-m",
                    f"{PF}[2].(0062,000a)[0].(0062,000b)=7"), ["7"]


def malformed_frames0(ctx):
    return dcmodify(ctx, seg("liver.dcm"), ctx.path("liver_frames0.dcm"), "-m", "(0028,0008)=0"), \
        ["NumberOfFrames", "(0028,0008)"]


def malformed_frames_inconsistent(ctx):
    return dcmodify(ctx, seg("liver.dcm"), ctx.path("liver_frames2.dcm"), "-m", "(0028,0008)=2"), \
        ["NumberOfFrames", "(0028,0008)", "per-frame", "PerFrameFunctionalGroups", "(5200,9230)"]


def _position(i, ipp):
    return f"{PF}[{i}].(0020,9113)[0].(0020,0032)=" + "\\".join(repr(v) for v in ipp)


def malformed_irregular(ctx):
    ds = pydicom.dcmread(seg("liver.dcm"), stop_before_pixels=True)
    ipp = [float(v) for v in ds.PerFrameFunctionalGroupsSequence[1].PlanePositionSequence[0].ImagePositionPatient]
    ipp[2] += 0.4  # 1 mm spacing: frame 2 now 1.4 mm from frame 1 and 0.6 mm from frame 3
    return dcmodify(ctx, seg("liver.dcm"), ctx.path("liver_irregular.dcm"), "-m", _position(1, ipp)), \
        ["spacing", "irregular", "grid", "frame"]


def malformed_shifted(ctx):
    ds = pydicom.dcmread(seg("liver.dcm"), stop_before_pixels=True)
    ipp = [float(v) for v in ds.PerFrameFunctionalGroupsSequence[1].PlanePositionSequence[0].ImagePositionPatient]
    ipp[0] += 5.3  # in-plane shift, not a whole number of pixels
    return dcmodify(ctx, seg("liver.dcm"), ctx.path("liver_shifted.dcm"), "-m", _position(1, ipp)), \
        ["grid", "frame", "plane", "shift", "position"]


NOT_SEG_REASONS = ["Segmentation", "SEG", "SOP Class", "SOPClassUID"]
TRUNCATED_REASONS = ["truncat", "premature", "end of", "short", "incomplete", "PixelData", "Pixel Data"]
MALFORMED = {
    "malformed-truncated": malformed_truncated,
    "malformed-ct-small": lambda ctx: (os.path.join(PYDICOM_FILES, "CT_small.dcm"), NOT_SEG_REASONS),
    "malformed-rtstruct": lambda ctx: (os.path.join(PYDICOM_FILES, "rtstruct.dcm"), NOT_SEG_REASONS),
    "malformed-mr-truncated": lambda ctx: (os.path.join(PYDICOM_FILES, "MR_truncated.dcm"),
                                           NOT_SEG_REASONS + TRUNCATED_REASONS),
    "malformed-bad-vr": lambda ctx: (os.path.join(PYDICOM_FILES, "badVR.dcm"), NOT_SEG_REASONS),
    "malformed-no-meta-group-length": lambda ctx: (os.path.join(PYDICOM_FILES, "no_meta_group_length.dcm"),
                                                   NOT_SEG_REASONS),
    "malformed-no-plane-position": malformed_no_position,
    "malformed-unknown-segment": malformed_unknown_segment,
    "malformed-frames-0": malformed_frames0,
    "malformed-frames-inconsistent": malformed_frames_inconsistent,
    "malformed-irregular-spacing": malformed_irregular,
    "malformed-inplane-shift": malformed_shifted,
}


def case_malformed(ctx, make):
    path, reasons = make(ctx)
    outdir = ctx.path("out")
    r = run_reader(ctx, path, outdir).r
    check_refusal(ctx, r, path, outdir, reasons)


def case_no_shared_data(ctx):
    raise CaseFailed(f"{SHARED}/PROVENANCE.tsv not found: the third-party fixtures belong in ../shared/data, "
                     "beside the clone")


# ---------------------------------------------------------------- case table

def build_cases():
    cases = {}
    if os.path.exists(os.path.join(SHARED, "PROVENANCE.tsv")):
        for rel in shared_seg_files():
            cases["decode-" + slug(rel)] = functools.partial(case_decode, rel=rel)
    else:
        # Configuring without the fixtures works; the suite then fails here.
        cases["decode-shared-data"] = case_no_shared_data
    for name, make in MALFORMED.items():
        cases[name] = functools.partial(case_malformed, make=make)
    return cases


if __name__ == "__main__":
    sys.exit(run_case(build_cases()))
