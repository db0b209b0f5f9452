#!/usr/bin/python3
"""End-to-end cases for segimage2itkimage (the SEG reader) with the writer's SEGs.

  roundtrip-*  itkimage2segimage -> segimage2itkimage -> itkimage2segimage: the reader's
               images equal the writer's input, and the rebuilt SEG has the same segments
               and per-segment voxels
  compat-*     dcmqi compatibility: merging, sparse label maps, output naming and types
  refdicom-*   --referenceDICOMDirectory keeps border slices that --skip 1 dropped
  fractional-* stored values by default, probabilities with --fractionalAsProbability

The reader's other cases: seg_reader_files_cases.py (others' files, malformed inputs) and
seg_reader_ts_cases.py (transfer syntaxes); what they share is in seg_common.py.

Usage: seg_reader_roundtrip_cases.py --list
       seg_reader_roundtrip_cases.py <case> --bin <build/apps> --tools <build/test> --work <dir>
"""
import functools
import json
import os
import sys

from seg_common import (  # helpers shared by the SEG drivers
    CT3, CaseFailed, INTEROP, SHARED, compare_with_input, ex, grid_difference, load_image, run_case, run_reader,
    seg, segment_description, segment_numbers, synth, write_nrrd, write_seg, writer_segment_map)

sys.path.insert(0, INTEROP)
import seg_decode  # noqa: E402
from testdeps import lazy  # noqa: E402  (test-only packages, imported on first use)

np = lazy("numpy")
pydicom = lazy("pydicom")


# ---------------------------------------------------------------- round-trip helpers

def ordered_images(images, meta):
    mapping = meta.get("segmentAttributesFileMapping")
    if not mapping:
        return images
    return [next(i for i in images if os.path.basename(i) == os.path.basename(m)) for m in mapping]


SERIES_ATTRIBUTES = ("SeriesDescription", "SeriesNumber", "ContentLabel", "ContentDescription", "ContentCreatorName",
                     "ClinicalTrialSeriesID", "ClinicalTrialTimePointID", "ClinicalTrialCoordinatingCenterName",
                     "BodyPartExamined", "InstanceNumber")


def compare_segs(ctx, a_path, b_path):
    """Same segments (attributes) and the same non-empty frames per segment, by position."""
    a, b = seg_decode.decode(a_path), seg_decode.decode(b_path)
    ctx.check(a.seg_type == b.seg_type, f"SegmentationType {b.seg_type}, the original is {a.seg_type}")
    for attr in SERIES_ATTRIBUTES:
        ctx.check(str(a.ds.get(attr, "")) == str(b.ds.get(attr, "")),
                  f"{attr} {b.ds.get(attr)!r} in the rebuilt SEG, {a.ds.get(attr)!r} in the original")
    ctx.check(sorted(a.segments) == sorted(b.segments),
              f"rebuilt SEG has segments {sorted(b.segments)}, the original {sorted(a.segments)}")
    for n in sorted(set(a.segments) & set(b.segments)):
        da, db = segment_description(a.segments[n]), segment_description(b.segments[n])
        for k in da:
            ctx.check(da[k] == db[k], f"segment {n} {k}: {db[k]!r} in the rebuilt SEG, {da[k]!r} in the original")
    if a.orientation is not None and b.orientation is not None:
        ctx.check(np.allclose(a.orientation, b.orientation, atol=1e-4),
                  f"orientation {b.orientation.tolist()} vs {a.orientation.tolist()}")
    pa, pb = seg_decode.segment_planes(a), seg_decode.segment_planes(b)
    ctx.check(sorted(pa) == sorted(pb), f"segments with voxels: {sorted(pb)} rebuilt, {sorted(pa)} original")
    for n in sorted(set(pa) & set(pb)):
        la, lb = pa[n], pb[n]
        ctx.check(len(la) == len(lb), f"segment {n}: {len(lb)} non-empty planes rebuilt, {len(la)} original")
        for pos, px in la:
            match = [q for p, q in lb if np.allclose(p, pos, atol=1e-3)]
            if not match:
                ctx.fail(f"segment {n}: no rebuilt frame at {pos.tolist()}")
            elif not np.array_equal(match[0].astype(np.int64), px.astype(np.int64)):
                ctx.fail(f"segment {n}: the frame at {pos.tolist()} differs in "
                         f"{int(np.count_nonzero(match[0].astype(np.int64) != px))} pixels")
    total = sum(int(np.count_nonzero(px)) for l in pa.values() for _, px in l)
    print(f"rebuilt SEG compared: {len(pa)} segments with voxels, {total} voxels")


# ---------------------------------------------------------------- round trips

RT = {
    "roundtrip-liver": dict(images=[seg("liver_seg.nrrd")], meta=ex("seg-example.json"), dicom=CT3),
    "roundtrip-multiple-segments": dict(images=[seg("liver_seg.nrrd"), seg("spine_seg.nrrd"), seg("heart_seg.nrrd")],
                                        meta=ex("seg-example_multiple_segments.json"), dicom=CT3),
    "roundtrip-multiple-segments-reordered": dict(
        images=[seg("heart_seg.nrrd"), seg("liver_seg.nrrd"), seg("spine_seg.nrrd")],
        meta=ex("seg-example_multiple_segments_reordered.json"), dicom=CT3, skip=0),
    "roundtrip-partial-overlaps-merged": dict(
        images=[seg("partial_overlaps-1.nrrd"), seg("partial_overlaps-2.nrrd"), seg("partial_overlaps-3.nrrd")],
        meta=ex("seg-example_partial_overlaps.json"), dicom=CT3, flags=["--useLabelIDAsSegmentNumber"],
        read=["--mergeSegments"]),
    "roundtrip-labelmap-liver-spine": dict(images=[seg("liver_seg.nrrd"), seg("spine_seg.nrrd")],
                                           meta=ex("seg-example_liver_spine.json"), dicom=CT3, type="labelmap"),
    "roundtrip-labelmap-gapped": dict(images=[seg("liver_seg.nrrd"), seg("spine_seg_label5.nrrd")],
                                      meta=ex("seg-example_liver_spine_gapped.json"), dicom=CT3, type="labelmap",
                                      flags=["--useLabelIDAsSegmentNumber"]),
    "roundtrip-odd-23x38x3": dict(images=[seg("23x38x3/nrrd/label.nrrd")], meta=ex("seg-example.json"),
                                  dicom=seg("23x38x3/image"), skip=0),
    "roundtrip-odd-23x38x3-labelmap": dict(images=[seg("23x38x3/nrrd/label.nrrd")], meta=ex("seg-example.json"),
                                           dicom=seg("23x38x3/image"), type="labelmap", skip=0),
    "roundtrip-synth-oblique-nifti": dict(synth=["--orientation", "oblique", "--segments", "5", "--format", "nii.gz",
                                                 "--columns", "64", "--rows", "56", "--slices", "16"],
                                          skip=0, out_type="nifti"),
    "roundtrip-synth-oblique-negated-labelmap": dict(synth=["--orientation", "oblique-negated", "--segments", "6",
                                                            "--columns", "50", "--rows", "44", "--slices", "14"],
                                                     skip=0, type="labelmap", physical=True),
    "roundtrip-synth-negated": dict(synth=["--orientation", "negated", "--segments", "4", "--columns", "48",
                                           "--rows", "40", "--slices", "12"], skip=0, physical=True),
}


def case_roundtrip(ctx, spec):
    if "synth" in spec:
        _, label, meta_path, dicom = synth(ctx, spec["synth"])
        images = [label]
    else:
        images, meta_path, dicom = spec["images"], spec["meta"], spec["dicom"]
    meta = json.load(open(meta_path))
    seg_type = spec.get("type", "binary")
    flags = spec.get("flags", [])
    skip = spec.get("skip", 1)
    seg1 = write_seg(ctx, images, meta_path, dicom, ctx.path("first.dcm"), seg_type, skip, flags)
    inputs = [load_image(ctx, p) for p in ordered_images(images, meta)]
    segmap = writer_segment_map(meta, "--useLabelIDAsSegmentNumber" in flags)
    out_type = spec.get("out_type")
    out = run_reader(ctx, seg1, ctx.path("read"), spec.get("read", []), out_type=out_type)
    if out.r.returncode:
        raise CaseFailed(f"the reader failed on the writer's SEG: {out.r.stderr.strip()}")
    if out_type in ("nii", "nifti"):
        for _, _, p in out.images:
            ctx.check(p.endswith(".nii.gz") and open(p, "rb").read(2) == b"\x1f\x8b", f"{p} is not a gzipped NIfTI")
    compare_with_input(ctx, out, inputs, segmap, physical=spec.get("physical", False), what="reader")
    # writer again, from the reader's images and meta.json
    seg2 = write_seg(ctx, [p for _, _, p in out.images], os.path.join(ctx.path("read"), "meta.json"), dicom,
                     ctx.path("second.dcm"), seg_type, skip, ["--useLabelIDAsSegmentNumber"])
    compare_segs(ctx, seg1, seg2)


# ---------------------------------------------------------------- dcmqi compatibility

def labels_of(meta):
    return [[s.get("SegmentLabel") for s in l] for l in meta["segmentAttributes"]]


def case_merge_multiple(ctx):
    images = [seg("liver_seg.nrrd"), seg("spine_seg.nrrd"), seg("heart_seg.nrrd")]
    s = write_seg(ctx, images, ex("seg-example_multiple_segments.json"), CT3, ctx.path("three.dcm"))
    out = run_reader(ctx, s, ctx.path("merged"), ["--mergeSegments"], prefix="merged")
    if out.r.returncode:
        raise CaseFailed("the reader failed")
    want = labels_of(json.load(open(ex("seg-example_multiple_segments_merged.json"))))
    ctx.check(labels_of(out.meta) == want, f"merged groups {labels_of(out.meta)}, dcmqi gives {want}")
    ctx.check(len(out.images) == 2, f"{len(out.images)} images, expected 2")
    refs = [load_image(ctx, seg("liver_spine_seg.nrrd")), load_image(ctx, seg("heart_seg.nrrd"))]
    for (g, a, p), (rg, ra) in zip(out.images, refs):
        diff = grid_difference(g, rg)
        ctx.check(diff is None, f"{p}: grid differs from dcmqi's: {diff}")
        if diff is None:
            ctx.check(np.array_equal(a.astype(np.int64), ra.astype(np.int64)),
                      f"{p}: {int(np.count_nonzero(a.astype(np.int64) != ra))} voxels differ from dcmqi's image")


def case_merge_partial_overlaps(ctx):
    out = run_reader(ctx, seg("partial_overlaps.dcm"), ctx.path("merged"), ["--mergeSegments"])
    if out.r.returncode:
        raise CaseFailed("the reader failed")
    example = json.load(open(ex("seg-example_partial_overlaps.json")))
    want = [[int(s["labelID"]) for s in l] for l in example["segmentAttributes"]]
    got = [[int(s["labelID"]) for s in l] for l in out.meta["segmentAttributes"]]
    ctx.check(got == want, f"merged groups (labelIDs) {got}, dcmqi's example has {want}")
    ctx.check(labels_of(out.meta) == labels_of(example), f"group labels {labels_of(out.meta)} vs {labels_of(example)}")
    for k, (g, a, p) in enumerate(out.images[:3]):
        rg, ra = load_image(ctx, seg(f"partial_overlaps-{k + 1}.nrrd"))
        diff = grid_difference(g, rg)
        ctx.check(diff is None, f"{p}: grid differs: {diff}")
        if diff is None:
            ctx.check(np.array_equal(a.astype(np.int64), ra.astype(np.int64)),
                      f"{p}: {int(np.count_nonzero(a.astype(np.int64) != ra))} voxels differ from "
                      f"partial_overlaps-{k + 1}.nrrd")


def case_sparse(ctx, name, ref):
    out = run_reader(ctx, seg(name), ctx.path("out"))
    if out.r.returncode:
        raise CaseFailed(f"the reader failed on {name}")
    ctx.check(len(out.images) == 1, f"{len(out.images)} images for a label map")
    rg, ra = load_image(ctx, seg(ref))
    g, a, p = out.images[0]
    diff = grid_difference(g, rg)
    ctx.check(diff is None, f"grid differs from {ref}: {diff}")
    if diff is None:
        bad = np.argwhere(a.astype(np.int64) != ra)
        ctx.check(len(bad) == 0, f"{len(bad)} voxels differ from {ref}"
                                 + (f", first at {tuple(bad[0])}: {a[tuple(bad[0])]} vs {ra[tuple(bad[0])]}"
                                    if len(bad) else ""))
    ctx.check(a.dtype == np.uint8, f"an 8-bit label map comes out as {a.dtype}, dcmqi writes uint8")


def case_naming(ctx):
    rg, ra = load_image(ctx, seg("liver_seg.nrrd"))
    for out_type, ext in (("nrrd", ".nrrd"), ("nii", ".nii.gz"), ("nifti", ".nii.gz"), ("mha", ".mha"),
                          ("mhd", ".mhd")):
        outdir = ctx.path("missing", "parent", out_type)  # created by the reader
        out = run_reader(ctx, seg("liver.dcm"), outdir, prefix="liver", out_type=out_type)
        if not ctx.check(out.r.returncode == 0, f"-t {out_type} failed"):
            continue
        g, a, p = out.images[0]
        ctx.check(os.path.basename(p) == "liver-1" + ext, f"-t {out_type} wrote {os.path.basename(p)}")
        if ext == ".nii.gz":
            ctx.check(open(p, "rb").read(2) == b"\x1f\x8b", f"{p} is not gzip-compressed")
        diff = grid_difference(g, rg)
        ctx.check(diff is None, f"-t {out_type}: grid differs from liver_seg.nrrd: {diff}")
        if diff is None:
            ctx.check(np.array_equal(a.astype(np.int64), ra.astype(np.int64)),
                      f"-t {out_type}: voxels differ from liver_seg.nrrd")
    # no prefix: 1.nrrd and meta.json
    out = run_reader(ctx, seg("liver.dcm"), ctx.path("noprefix"))
    ctx.check(out.r.returncode == 0 and sorted(os.listdir(ctx.path("noprefix"))) == ["1.nrrd", "meta.json"],
              f"without a prefix: {sorted(os.listdir(ctx.path('noprefix'))) if os.path.isdir(ctx.path('noprefix')) else None}")


def case_labelmap_uint8(ctx):
    s = write_seg(ctx, [seg("liver_seg.nrrd"), seg("spine_seg.nrrd")], ex("seg-example_liver_spine.json"), CT3,
                  ctx.path("lm.dcm"), "labelmap")
    ctx.check(int(pydicom.dcmread(s, stop_before_pixels=True).BitsAllocated) == 8, "the label map is not 8-bit")
    out = run_reader(ctx, s, ctx.path("out"))
    if out.r.returncode:
        raise CaseFailed("the reader failed")
    g, a, p = out.images[0]
    ctx.check(a.dtype == np.uint8, f"an 8-bit label map comes out as {a.dtype}, expected uint8")
    rg, ra = load_image(ctx, seg("liver_spine_seg.nrrd"))
    diff = grid_difference(g, rg)
    ctx.check(diff is None, f"grid differs from liver_spine_seg.nrrd: {diff}")
    if diff is None:
        ctx.check(np.array_equal(a.astype(np.int64), ra.astype(np.int64)), "voxels differ from liver_spine_seg.nrrd")


# ---------------------------------------------------------------- --referenceDICOMDirectory

def case_refdicom(ctx, orientation):
    _, label, meta_path, ct = synth(ctx, ["--orientation", orientation, "--segments", "3", "--columns", "40",
                                          "--rows", "36", "--slices", "14", "--maxSegmentSlices", "6"])
    g, a = load_image(ctx, label)
    a = a.astype(np.int16)
    a[:2] = 0  # blank the first two and the last slice
    a[-1] = 0
    if not a.any():
        raise CaseFailed("the synthetic label image is empty after blanking")
    blanked = ctx.path("blanked.nrrd")
    write_nrrd(blanked, a, g)
    s = write_seg(ctx, [blanked], meta_path, ct, ctx.path("seg.dcm"), "binary", 1)
    present = sorted({int(round(seg_decode.grid_index(g, f.position)[2])) for f in seg_decode.decode(s).frames})
    print(f"frames on slices {present} of {g['size'][2]}")
    meta = json.load(open(meta_path))
    segmap = writer_segment_map(meta, False)
    plain = run_reader(ctx, s, ctx.path("plain"))
    if plain.r.returncode:
        raise CaseFailed("the reader failed without --referenceDICOMDirectory")
    pg = plain.images[0][0]
    ctx.check(pg["size"][2] == present[-1] - present[0] + 1,
              f"without the option the grid has {pg['size'][2]} slices, the frames span "
              f"{present[-1] - present[0] + 1}")
    ctx.check(pg["size"][2] < g["size"][2], f"without the option the grid has {pg['size'][2]} slices, "
                                            f"not fewer than the original {g['size'][2]}")
    full = run_reader(ctx, s, ctx.path("full"), ["--referenceDICOMDirectory", ct])
    if full.r.returncode:
        raise CaseFailed("the reader failed with --referenceDICOMDirectory")
    compare_with_input(ctx, full, [(g, a)], segmap, physical=orientation != "axial" and "negated" in orientation,
                       what="--referenceDICOMDirectory")


# ---------------------------------------------------------------- fractional

def check_fractional(ctx, seg_path, tag):
    dec = seg_decode.decode(seg_path)
    ctx.check(dec.seg_type == "FRACTIONAL", f"{seg_path} is {dec.seg_type}")
    mx = float(dec.ds.get("MaximumFractionalValue", 255))
    stored = run_reader(ctx, seg_path, ctx.path(tag + "-stored"))
    prob = run_reader(ctx, seg_path, ctx.path(tag + "-prob"), ["--fractionalAsProbability"])
    if stored.r.returncode or prob.r.returncode:
        raise CaseFailed("the reader failed on a fractional SEG")
    for out, kind in ((stored, "stored"), (prob, "probability")):
        ctx.check(sorted(segment_numbers(out.meta)) == sorted(dec.segments),
                  f"{kind}: segments {segment_numbers(out.meta)}, the SEG has {sorted(dec.segments)}")
        for segs, (g, a, p) in zip(out.meta["segmentAttributes"], out.images):
            if not ctx.check(len(segs) == 1, f"{kind}: {p} holds {len(segs)} segments"):
                continue
            n = int(segs[0]["labelID"])
            want = seg_decode.place_on_grid(dec, g).get(n)
            if want is None:
                want = np.zeros_like(a, dtype=np.int64)
            if kind == "stored":
                ctx.check(a.dtype == np.int16, f"stored values come out as {a.dtype}, expected int16")
                ok = np.array_equal(a.astype(np.int64), want)
                ctx.check(ok, f"segment {n}: stored values differ from the SEG's in "
                              f"{int(np.count_nonzero(a.astype(np.int64) != want))} voxels")
            else:
                ctx.check(a.dtype == np.float32, f"probabilities come out as {a.dtype}, expected float32")
                err = float(np.abs(a.astype(np.float64) - want / mx).max())
                ctx.check(err < 1e-6, f"segment {n}: probabilities differ from value/{mx:g} by up to {err}")
            print(f"{kind}: segment {n}: {int(np.count_nonzero(want))} non-zero voxels, "
                  f"values {sorted(set(np.unique(want).tolist()))[:6]}...")
    return stored


def case_fractional_highdicom(ctx):
    check_fractional(ctx, os.path.join(SHARED, "highdicom", "data", "test_files", "seg_image_ct_binary_fractional.dcm"),
                     "highdicom")


def case_fractional_synth(ctx):
    d, _, meta_path, ct = synth(ctx, ["--segments", "3", "--probabilityMaps", "--orientation", "oblique",
                                      "--columns", "48", "--rows", "40", "--slices", "10"])
    prob = os.path.join(d, "prob.nii.gz")
    s = write_seg(ctx, [prob], meta_path, ct, ctx.path("frac.dcm"), "fractional", 0)
    stored = check_fractional(ctx, s, "synth")
    # the stored values also equal round(p * 255) of the writer's input
    g, p = load_image(ctx, prob)
    for segs, (og, a, path) in zip(stored.meta["segmentAttributes"], stored.images):
        n = int(segs[0]["labelID"])
        diff = grid_difference(og, g)
        if not ctx.check(diff is None, f"{path}: grid differs from prob.nii.gz: {diff}"):
            continue
        want = np.rint(np.clip(p[n - 1].astype(np.float64), 0, 1) * 255).astype(np.int64)
        ctx.check(np.array_equal(a.astype(np.int64), want),
                  f"segment {n}: {int(np.count_nonzero(a.astype(np.int64) != want))} voxels differ from "
                  f"round(255 x probability)")


# ---------------------------------------------------------------- case table

def build_cases():
    cases = {}
    for name, spec in RT.items():
        cases[name] = functools.partial(case_roundtrip, spec=spec)
    cases["compat-merge-multiple-segments"] = case_merge_multiple
    cases["compat-merge-partial-overlaps"] = case_merge_partial_overlaps
    cases["compat-sparse-labelmap-ppv5"] = functools.partial(case_sparse, name="sparse-labelmap-ppv5.dcm",
                                                             ref="sparse_labelmap_ppv5_seg.nrrd")
    cases["compat-sparse-labelmap-noppv"] = functools.partial(case_sparse, name="sparse-labelmap-noppv.dcm",
                                                              ref="sparse_labelmap_noppv_seg.nrrd")
    cases["compat-output-naming"] = case_naming
    cases["compat-labelmap-uint8"] = case_labelmap_uint8
    cases["refdicom-axial"] = functools.partial(case_refdicom, orientation="axial")
    cases["refdicom-oblique"] = functools.partial(case_refdicom, orientation="oblique")
    cases["refdicom-negated"] = functools.partial(case_refdicom, orientation="negated")
    cases["fractional-highdicom"] = case_fractional_highdicom
    cases["fractional-synth"] = case_fractional_synth
    return cases


if __name__ == "__main__":
    sys.exit(run_case(build_cases()))
