#!/usr/bin/python3
"""End-to-end cases for segimage2itkimage (the SEG reader).

Groups of cases (see CASES at the end):
  decode-*     every SEG in ../shared/data: the reader's foreground voxel count per
               segment equals the independent pydicom decode (test/interop/seg_decode.py),
               or the file is refused with a named reason and no output
  roundtrip-*  itkimage2segimage -> segimage2itkimage -> itkimage2segimage: the reader's
               images equal the writer's input, and the rebuilt SEG has the same segments
               and per-segment voxels
  compat-*     dcmqi compatibility: merging, sparse label maps, output naming and types
  refdicom-*   --referenceDICOMDirectory keeps border slices that --skip 1 dropped
  ts-*         transfer syntaxes: a SEG re-encoded reads back into the original voxels
               (ts-rlebytes-binary: single-bit RLE in the byte-per-pixel layout of pre-CP 2301 writers)
  fractional-* stored values by default, probabilities with --fractionalAsProbability
  malformed-*  bad inputs: non-zero exit, one line naming the file and the reason, no output

Usage: seg_reader_cases.py --list
       seg_reader_cases.py <case> --bin <build/apps> --tools <build/test> --work <dir>
"""
import driver  # the common command line (test/e2e/driver.py)
import functools
import json
import os
import shutil
import struct
import sys
import zlib

from seg_common import (  # helpers shared with bin2label_cases.py
    CT3, CaseFailed, Ctx, DIFC, INTEROP, PYDICOM_FILES, SHARED, check_refusal, ex, grid_difference,
    load_image, reader_counts, register_difc, run_reader, seg, segment_description, segment_numbers, synth,
    to_grid, write_nrrd, write_seg)

sys.path.insert(0, INTEROP)
import seg_decode  # noqa: E402
import pixel_decode  # noqa: E402
from testdeps import lazy  # noqa: E402  (test-only packages, imported on first use)

np = lazy("numpy")
pydicom = lazy("pydicom")
encaps = lazy("pydicom.encaps")


# ---------------------------------------------------------------- images


# ---------------------------------------------------------------- reader runs


# ---------------------------------------------------------------- (a) every SEG in ../shared/data

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


# ---------------------------------------------------------------- writer helpers


def writer_segment_map(meta, use_label_id):
    """Segment number -> (input file index, label), by the writer's numbering rules."""
    out, n = {}, 0
    for f, segs in enumerate(meta["segmentAttributes"]):
        for s in sorted(segs, key=lambda s: s["labelID"]):
            n += 1
            out[s["labelID"] if use_label_id else n] = (f, s["labelID"])
    return out


def ordered_images(images, meta):
    mapping = meta.get("segmentAttributesFileMapping")
    if not mapping:
        return images
    return [next(i for i in images if os.path.basename(i) == os.path.basename(m)) for m in mapping]


def compare_with_input(ctx, out, inputs, segmap, physical=False, what="output"):
    """Each output image k must equal, voxel by voxel, the input voxels of the segments its
    meta.json list names (value = segment number); the grid must equal the input's within
    1e-4, or with physical=True hold the same voxel centres (axes may be reversed)."""
    listed = segment_numbers(out.meta)
    ctx.check(sorted(listed) == sorted(segmap),
              f"{what}: meta.json lists segments {sorted(listed)}, the SEG was written with {sorted(segmap)}")
    for segs, (g, a, p) in zip(out.meta["segmentAttributes"], out.images):
        numbers = [int(s["labelID"]) for s in segs if int(s["labelID"]) in segmap]
        if not numbers:
            continue
        f0 = segmap[numbers[0]][0]
        in_grid, _ = inputs[f0]
        expected = np.zeros(tuple(reversed(in_grid["size"])), dtype=np.int64)
        for n in numbers:
            f, label = segmap[n]
            ig, ia = inputs[f]
            if grid_difference(ig, in_grid):
                ctx.fail(f"{what}: segments {numbers} share {p} but their inputs lie on different grids")
                continue
            mask = ia == label
            overlap = np.count_nonzero(mask & (expected != 0))
            ctx.check(overlap == 0, f"{what}: {os.path.basename(p)} merges overlapping segments "
                                    f"({overlap} voxels of segment {n} are in another of {numbers})")
            expected[mask] = n
        if physical:
            got, why = to_grid(g, a, in_grid)
            if got is None:
                ctx.fail(f"{what}: {os.path.basename(p)} does not cover the input grid: {why}")
                continue
        else:
            diff = grid_difference(g, in_grid)
            if diff:
                ctx.fail(f"{what}: {os.path.basename(p)} grid differs from the input's: {diff}")
                continue
            got = a
        if not np.array_equal(got.astype(np.int64), expected):
            bad = np.argwhere(got.astype(np.int64) != expected)
            k = tuple(bad[0])
            ctx.fail(f"{what}: {os.path.basename(p)} (segments {numbers}) differs from the input in {len(bad)} "
                     f"voxels, first at (k,j,i)={k}: {got[k]} vs {expected[k]}")
        else:
            print(f"{what}: {os.path.basename(p)} equals the input for segments {numbers} "
                  f"({int(np.count_nonzero(expected))} voxels)")


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


# ---------------------------------------------------------------- (b) round trips

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


# ---------------------------------------------------------------- (c) dcmqi compatibility

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


# ---------------------------------------------------------------- (d) --referenceDICOMDirectory

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


# ---------------------------------------------------------------- (e) transfer syntaxes

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


# ---------------------------------------------------------------- (f) fractional

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


# ---------------------------------------------------------------- (g) malformed inputs

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
    for enc, bases in (("rle", ("binary", "lm8", "lm16")), ("rlebytes", ("binary",)), ("expb", ("binary", "lm8", "lm16")),
                       ("deflate", ("binary", "lm8", "lm16")), ("jpegls", ("lm8", "lm16")),
                       ("j2k", ("binary", "lm8")), ("difc", ("binary", "lm8", "lm16"))):
        for b in bases:
            cases[f"ts-{enc}-{b}"] = functools.partial(case_ts, encoding=enc, base=b)
    cases["ts-pydicom-liver-rle"] = functools.partial(case_ts_shared, name="liver_rle.dcm")
    cases["ts-pydicom-liver-expb"] = functools.partial(case_ts_shared, name="liver_expb.dcm")
    cases["fractional-highdicom"] = case_fractional_highdicom
    cases["fractional-synth"] = case_fractional_synth
    for name, make in MALFORMED.items():
        cases[name] = functools.partial(case_malformed, make=make)
    return cases


def main():
    cases = build_cases()
    a = driver.case_arguments(cases)
    ctx = Ctx(a, a.case)
    register_difc()
    try:
        cases[a.case](ctx)
    except CaseFailed as e:
        ctx.fail(str(e))
    except seg_decode.DecodeError as e:
        ctx.fail(f"seg_decode: {e}")
    if ctx.problems:
        print(f"FAIL: {a.case}: {len(ctx.problems)} problem(s)")
        return 1
    print(f"PASS: {a.case}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
