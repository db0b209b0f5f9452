#!/usr/bin/python3
"""qidcm-qc cases: QC pages of SEGs, parametric maps, RWVMs and SRs, and a
collection index, checked in the HTML, in the pictures' pixels and in a real
browser (headless Chromium with the network off, test/e2e/browser.py).

  seg-browser            a synthetic SEG's page in Chromium: no request but the page and its data: images,
                         a screenshot that is not blank, one table row per segment, each segment's colour
                         in its own overlay; the table's numbers against numpy
  placement-axial/-oblique  a cube at known voxels: its outline at the expected pixels of the centroid
                         slice and of the coronal reformat
  flipped                a SEG mirrored left-right (still valid for dciodvfy): its overlays fall off the
                         organs the synthetic series draws, the correct SEG's on them
  check-*                the checks shown in red: an empty segment, frames off the source slices, a mask on
                         the volume's edge, another frame of reference; none on a good SEG
  pm-page, rwvm-page     a map in its colour scale: range and units against numpy / pet2suv's image
  sr-index               a collection: index page, SEG and SR pages, the SR's link to its segment, sorting
  bad-*                  refusals: exit status, one line naming the file, no page left
"""
import base64
import html as htmllib
import json
import os
import re
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import seg_common as sc  # noqa: E402
from seg_common import CaseFailed, np, pydicom  # noqa: E402
from testdeps import lazy  # noqa: E402

browser = lazy("browser")
pet_synth = lazy("pet_synth")

TOOL = "qidcm-qc"
CASES = {}
INTEROP = sc.INTEROP
SR_EXAMPLE = os.path.join(sc.EXAMPLES, "sr-tid1500-ct-liver-example.json")


# ---------------------------------------------------------------------------
# Reading a page

IMG = re.compile(r'<img src="data:image/png;base64,([^"]+)"([^>]*)>')


def images(page):
    """[(attributes dict, picture array)] of every inline picture."""
    out = []
    for m in IMG.finditer(page):
        attrs = dict(re.findall(r'([a-z-]+)="([^"]*)"', m.group(2)))
        out.append((attrs, browser.decode_png(base64.b64decode(m.group(1)))))
    return out


def picture(page, **want):
    for attrs, a in images(page):
        if all(attrs.get(k.replace("_", "-")) == str(v) for k, v in want.items()):
            return attrs, a
    raise CaseFailed(f"no picture with {want}")


def segment_rows(page):
    """{segment number: [cell texts]} of the segments table."""
    rows = {}
    for m in re.finditer(r'<tr class="segment-row"[^>]*data-segment="(\d+)">(.*?)</tr>', page, re.S):
        cells = [htmllib.unescape(re.sub(r"<[^>]+>", "", c)) for c in re.findall(r"<td[^>]*>(.*?)</td>", m.group(2), re.S)]
        rows[int(m.group(1))] = cells
    return rows


def failed_checks(page):
    m = re.search(r'<div class="checks" id="checks">.*?<ul>(.*?)</ul>', page, re.S)
    return [htmllib.unescape(x) for x in re.findall(r"<li>(.*?)</li>", m.group(1))] if m else []


def colour_of(attrs):
    c = attrs["data-colour"]
    return tuple(int(c[i:i + 2], 16) for i in (1, 3, 5))


def exact(a, rgb):
    return np.all(a[..., :3] == np.array(rgb, dtype=np.uint8), axis=-1)


def run_qc(ctx, obj, out, source=None, extra=()):
    cmd = [ctx.exe(TOOL), "--inputDICOM", obj, "--outputHTML", out] + (["--inputDICOMDirectory", source] if source else [])
    ctx.must(cmd + list(extra))
    with open(out, encoding="utf-8") as f:
        return f.read()


def grid_of(ctx, label):
    g, a = sc.load_image(ctx, label)
    return g, a


def write_label_seg(ctx, array, grid, meta, ct, name, seg_type="binary"):
    path = ctx.path(name + ".nrrd")
    sc.write_nrrd(path, array, grid)
    return sc.write_seg(ctx, [path], meta, ct, ctx.path(name + ".dcm"), seg_type)


def load_series(ct):
    """{k: HU slice} sorted along the normal, as numpy (slices, rows, cols)."""
    files = [pydicom.dcmread(os.path.join(ct, f)) for f in sorted(os.listdir(ct))]
    iop = np.array(files[0].ImageOrientationPatient, dtype=float)
    normal = np.cross(iop[:3], iop[3:])
    files.sort(key=lambda d: float(np.dot(normal, np.array(d.ImagePositionPatient, dtype=float))))
    slices = []
    for d in files:  # native little endian, as qidcm-synth writes it
        if d.file_meta.TransferSyntaxUID not in ("1.2.840.10008.1.2.1", "1.2.840.10008.1.2"):
            raise CaseFailed(f"series not native little endian: {d.file_meta.TransferSyntaxUID}")
        dtype = {(16, 0): "<u2", (16, 1): "<i2", (8, 0): "u1", (8, 1): "i1"}[(d.BitsAllocated, d.PixelRepresentation)]
        a = np.frombuffer(d.PixelData, dtype=dtype, count=d.Rows * d.Columns).reshape(d.Rows, d.Columns)
        slices.append(a * float(d.get("RescaleSlope", 1)) + float(d.get("RescaleIntercept", 0)))
    return np.stack(slices)


# ---------------------------------------------------------------------------
# A synthetic SEG in a browser

def case_seg_browser(ctx):
    d, label, meta, ct = sc.synth(ctx, ["--segments", "4", "--seed", "5"])
    seg = sc.write_seg(ctx, [label], meta, ct, ctx.path("seg.dcm"))
    out = ctx.path("page.html")
    page = run_qc(ctx, seg, out, ct)
    g, lab = grid_of(ctx, label)
    hu = load_series(ct)
    rows = segment_rows(page)
    md = json.load(open(meta))
    segs = [s for group in md["segmentAttributes"] for s in group]
    ctx.check(sorted(rows) == sorted(int(s["labelID"]) for s in segs), f"table rows {sorted(rows)}")
    voxel_ml = float(np.prod(g["spacing"])) / 1000
    for s in segs:
        n = int(s["labelID"])
        cells = rows.get(n)
        if not cells:
            continue
        mask = lab == n
        ctx.check(cells[1] == s["SegmentLabel"], f"segment {n}: label {cells[1]!r}")
        ctx.check(int(cells[6]) == int(mask.sum()), f"segment {n}: voxels {cells[6]} != {int(mask.sum())}")
        ctx.check(abs(float(cells[7]) - mask.sum() * voxel_ml) <= 1e-3 * max(1, mask.sum() * voxel_ml),
                  f"segment {n}: volume {cells[7]} ml")
        ks = np.nonzero(mask.any(axis=(1, 2)))[0]
        ctx.check(cells[8].startswith(f"{ks.min()}–{ks.max()} ({len(ks)})"), f"segment {n}: slices {cells[8]!r}")
        mean = float(hu[mask].mean())
        ctx.check(abs(float(cells[10]) - mean) <= 0.01 * max(1, abs(mean)), f"segment {n}: mean {cells[10]} != {mean}")
        ctx.check(failed_checks(page) == [], f"failed checks on a good SEG: {failed_checks(page)}")
    r = browser.load(out, evaluate={
        "rows": "document.querySelectorAll('#segments tr.segment-row').length",
        "overlays": "Array.from(document.querySelectorAll('img[data-role=centroid]')).map(function(i){"
                    "var r=i.getBoundingClientRect();return [parseInt(i.dataset.segment),i.dataset.colour,"
                    "r.left+window.scrollX,r.top+window.scrollY,r.width,r.height];})",
        "broken": "Array.from(document.images).filter(function(i){return !i.complete||i.naturalWidth===0;}).length"})
    ctx.check(not r.failed, f"failed requests: {r.failed}")
    others = [u for u in r.requests if not u.startswith("data:") and not u.startswith("file://") ]
    ctx.check(not others, f"requests to anything but the file and data: URLs: {others}")
    ctx.check(not r.console_errors, f"console errors: {r.console_errors}")
    ctx.check(r.values["broken"] == 0, f"{r.values['broken']} images not decoded")
    ctx.check(r.values["rows"] == len(segs), f"browser: {r.values['rows']} table rows for {len(segs)} segments")
    shot = r.screenshot
    ctx.check(shot.std() > 20 and len(np.unique(shot.reshape(-1, 3)[::97], axis=0)) > 50, "screenshot is blank")
    seen = set()
    for n, colour, x, y, w, h in r.values["overlays"]:
        rgb = tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))
        region = shot[int(y):int(y + h), int(x):int(x + w)]
        hits = int((np.abs(region.astype(int) - rgb).max(axis=-1) <= 2).sum())
        ctx.check(hits >= 4, f"segment {n}: its colour {colour} is not in its overlay ({hits} pixels)")
        seen.add(n)
    ctx.check(seen == set(rows), f"overlays for {sorted(seen)}, segments {sorted(rows)}")
    sc.np.save(ctx.path("screenshot.npy"), shot)


CASES["seg-browser"] = case_seg_browser


def case_labelmap(ctx):
    """A LABELMAP SEG of the same labels: the same table as the BINARY one."""
    d, label, meta, ct = sc.synth(ctx, ["--segments", "4", "--seed", "5"])
    binary = run_qc(ctx, sc.write_seg(ctx, [label], meta, ct, ctx.path("binary.dcm")), ctx.path("binary.html"), ct)
    labelmap = run_qc(ctx, sc.write_seg(ctx, [label], meta, ct, ctx.path("labelmap.dcm"), "labelmap"),
                      ctx.path("labelmap.html"), ct)
    ctx.check("<td>LABELMAP</td>" in labelmap, "segmentation type not LABELMAP")
    a, b = segment_rows(binary), segment_rows(labelmap)
    ctx.check(len(a) == 4 and a == b, f"binary rows {a} differ from label map rows {b}")


CASES["labelmap"] = case_labelmap


# Every SEG, PM, RWVM and SR among the shared fixtures (files from other tools) gets a page, but these,
# refused with the reader's reason.
REFUSED_FIXTURES = {
    "liver_1frame.dcm": "NumberOfFrames (0028,0008): missing",
    "test-SR.dcm": "not a TID 1500 Imaging Measurement Report",
}


def case_shared_fixtures(ctx):
    kinds = {"1.2.840.10008.5.1.4.1.1.66.4": "SEG", "1.2.840.10008.5.1.4.1.1.66.7": "SEG",
             "1.2.840.10008.5.1.4.1.1.30": "PM", "1.2.840.10008.5.1.4.1.1.67": "RWVM"}
    seen = {}
    ct3_series = str(pydicom.dcmread(os.path.join(sc.CT3, sorted(os.listdir(sc.CT3))[0])).SeriesInstanceUID)
    with_source = 0
    for d, _, files in sorted(os.walk(sc.SHARED)):
        for f in sorted(files):
            path = os.path.join(d, f)
            try:
                ds = pydicom.dcmread(path, stop_before_pixels=True)
            except Exception:
                continue
            uid = str(ds.get("SOPClassUID", ""))
            kind = kinds.get(uid) or ("SR" if uid.startswith("1.2.840.10008.5.1.4.1.1.88.") else None)
            if not kind:
                continue
            seen[kind] = seen.get(kind, 0) + 1
            out = ctx.path(f"{sum(seen.values())}.html")
            referenced = [str(x.SeriesInstanceUID) for x in ds.get("ReferencedSeriesSequence", [])]
            source = ["--inputDICOMDirectory", sc.CT3] if ct3_series in referenced else []
            r = ctx.run([ctx.exe(TOOL), "--inputDICOM", path, "--outputHTML", out] + source, quiet=True)
            name = os.path.relpath(path, sc.SHARED)
            if f in REFUSED_FIXTURES:
                ctx.check(r.returncode == 1 and REFUSED_FIXTURES[f] in r.stderr,
                          f"{name}: expected a refusal naming {REFUSED_FIXTURES[f]!r}: exit {r.returncode} {r.stderr.strip()}")
                continue
            if not ctx.check(r.returncode == 0, f"{name} ({kind}): exit {r.returncode}: {r.stderr.strip()[-300:]}"):
                continue
            page = open(out, encoding="utf-8").read()
            if kind == "SEG":
                rows = segment_rows(page)
                numbers = sorted(int(x.SegmentNumber) for x in ds.SegmentSequence if int(x.SegmentNumber) > 0)
                ctx.check(sorted(rows) == numbers, f"{name}: table rows {sorted(rows)}, segments {numbers}")
            ctx.check(ds.SOPInstanceUID in page, f"{name}: SOP Instance UID not on the page")
            if source:
                with_source += 1
                ctx.check("Source series</th><td>not found" not in page, f"{name}: source series not found")
    print("pages:", seen, f"({with_source} drawn over ct-3slice)")
    ctx.check(with_source >= 3, f"only {with_source} fixtures drawn over their source series")
    ctx.check(seen.get("SEG", 0) >= 10 and seen.get("SR", 0) >= 3 and "PM" in seen and "RWVM" in seen,
              f"fewer fixtures than expected: {seen}")


CASES["shared-fixtures"] = case_shared_fixtures


# ---------------------------------------------------------------------------
# Overlay placement: a cube at known voxels

CUBE = (slice(10, 20), slice(30, 50), slice(40, 60))  # k, j, i


def placement(orientation):
    def case(ctx):
        d, label, meta, ct = sc.synth(ctx, ["--segments", "1", "--orientation", orientation])
        g, lab = grid_of(ctx, label)
        cube = np.zeros_like(lab, dtype=np.uint8)
        cube[CUBE] = 1
        seg = write_label_seg(ctx, cube, g, meta, ct, "cube")
        page = run_qc(ctx, seg, ctx.path("page.html"), ct)
        attrs, a = picture(page, data_segment=1, data_role="centroid")
        rgb = colour_of(attrs)
        k = int(attrs["data-slice"])
        ctx.check(k in (14, 15), f"centroid slice {k}, expected 14 or 15")
        ctx.check(a.shape[:2] == lab.shape[1:], f"axial picture {a.shape[:2]} is not at full resolution {lab.shape[1:]}")
        ring = np.zeros(lab.shape[1:], dtype=bool)
        ring[CUBE[1], CUBE[2]] = True
        inner = np.zeros_like(ring)
        inner[31:49, 41:59] = True
        ring &= ~inner
        got = exact(a, rgb)
        ctx.check(np.array_equal(got, ring),
                  f"outline at {np.argwhere(got ^ ring)[:5].tolist()}... differs from the cube's edge "
                  f"({int(got.sum())} pixels, expected {int(ring.sum())})")
        fill = a[inner][:, :3].astype(int)
        grey = (fill[:, 0] == fill[:, 1]) & (fill[:, 1] == fill[:, 2])
        ctx.check(not grey.any(), f"{int(grey.sum())} pixels inside the cube are not filled")
        outside = a[~(ring | inner)][:, :3].astype(int)
        ctx.check(((outside[:, 0] == outside[:, 1]) & (outside[:, 1] == outside[:, 2])).all(),
                  "coloured pixels outside the cube")
        # The coronal reformat through the cube's centre row: i to the right, k upwards.
        attrs, c = picture(page, data_segment=1, data_view="coronal")
        K = lab.shape[0]
        H = c.shape[0]
        ys, xs = np.nonzero(exact(c, rgb))
        ctx.check(len(xs) > 0, "no outline on the coronal reformat")
        if len(xs):
            ctx.check(xs.min() == 40 and xs.max() == 59, f"coronal: columns {xs.min()}..{xs.max()}, expected 40..59")
            # Picture row v samples slice round(K - 0.5 - (v + 0.5) K / H); a row whose centre
            # falls exactly between two slices may show either.
            x = K - 0.5 - (np.arange(H) + 0.5) * K / H
            tie = np.abs(x - np.floor(x) - 0.5) < 1e-6
            inside = lambda k: (k >= 10) & (k <= 19)
            sure = np.nonzero(inside(np.floor(x + 0.5)) & inside(np.ceil(x - 0.5)))[0]
            maybe = np.nonzero(inside(np.floor(x + 0.5)) | (tie & inside(np.ceil(x - 0.5))))[0]
            ctx.check(set(sure) <= set(ys) and set(ys) <= set(maybe),
                      f"coronal: rows {ys.min()}..{ys.max()}, expected {sure.min()}..{sure.max()} (slices 19 to 10)")
        r = segment_rows(page)[1]
        ctx.check(r[9] == "40–59, 30–49, 10–19", f"bounding box {r[9]!r}")
        ctx.check(int(r[6]) == 10 * 20 * 20, f"voxels {r[6]}")
    return case


def case_placement_cropped(ctx):
    """The cube in a label image on a cropped grid of its own: the same outline on the source's pictures."""
    d, label, meta, ct = sc.synth(ctx, ["--segments", "1"])
    g, lab = grid_of(ctx, label)
    crop = dict(g)
    o = np.array(g["origin"], float)
    axes = np.array(g["direction"], float) * np.array(g["spacing"], float)[:, None]
    crop["origin"] = list(o + 30 * axes[0] + 20 * axes[1] + 5 * axes[2])  # voxel (i=30, j=20, k=5)
    small = np.zeros((20, 40, 40), np.uint8)
    small[CUBE[0].start - 5:CUBE[0].stop - 5, CUBE[1].start - 20:CUBE[1].stop - 20,
          CUBE[2].start - 30:CUBE[2].stop - 30] = 1
    crop["size"] = [40, 40, 20]
    seg = write_label_seg(ctx, small, crop, meta, ct, "cropped")
    page = run_qc(ctx, seg, ctx.path("page.html"), ct)
    attrs, a = picture(page, data_segment=1, data_role="centroid")
    ring = np.zeros(lab.shape[1:], dtype=bool)
    ring[CUBE[1], CUBE[2]] = True
    ring[31:49, 41:59] = False
    got = exact(a, colour_of(attrs))
    ctx.check(a.shape[:2] == lab.shape[1:] and np.array_equal(got, ring),
              f"outline of the cropped SEG: {int(got.sum())} pixels, {int((got ^ ring).sum())} misplaced")
    ctx.check(segment_rows(page)[1][9] == "40–59, 30–49, 10–19", f"bounding box {segment_rows(page)[1][9]!r}")
    ctx.check(failed_checks(page) == [], f"failed checks: {failed_checks(page)}")


CASES["placement-cropped"] = case_placement_cropped
CASES["placement-axial"] = placement("axial")
CASES["placement-oblique"] = placement("oblique")


# ---------------------------------------------------------------------------
# A mirrored SEG

def on_organ(ctx, page, lab, n):
    """Fraction of segment n's outline pixels (centroid slice) that lie on voxels of organ n."""
    attrs, a = picture(page, data_segment=n, data_role="centroid")
    k = int(attrs["data-slice"])
    ys, xs = np.nonzero(exact(a, colour_of(attrs)))
    if not len(xs):
        raise CaseFailed(f"segment {n}: no outline")
    return float((lab[k, ys, xs] == n).mean())


def case_flipped(ctx):
    d, label, meta, ct = sc.synth(ctx, ["--segments", "3", "--seed", "3"])
    g, lab = grid_of(ctx, label)
    # Axial series: i runs right to left of the patient (+x), so left-right is the column axis.
    ctx.check(abs(g["direction"][0][0]) > 0.99, f"not an axial series: {g['direction']}")
    flipped = lab[:, :, ::-1].copy()
    good = sc.write_seg(ctx, [label], meta, ct, ctx.path("good.dcm"))
    bad = write_label_seg(ctx, flipped, g, meta, ct, "flipped")
    ctx.must([sys.executable, os.path.join(INTEROP, "dciodvfy_check.py"), bad], "dciodvfy")
    good_page = run_qc(ctx, good, ctx.path("good.html"), ct)
    bad_page = run_qc(ctx, bad, ctx.path("flipped.html"), ct)
    off = 0
    for n in sorted(int(v) for v in np.unique(lab) if v):
        overlap = np.logical_and(lab == n, flipped == n).sum() / max(1, (lab == n).sum())
        g_on, b_on = on_organ(ctx, good_page, lab, n), on_organ(ctx, bad_page, lab, n)
        print(f"segment {n}: mirrored mask overlaps the organ by {overlap:.2f}; outline on the organ: "
              f"good {g_on:.2f}, flipped {b_on:.2f}")
        ctx.check(g_on >= 0.9, f"segment {n}: only {g_on:.2f} of the good SEG's outline lies on the organ")
        if overlap < 0.5:
            off += 1
            ctx.check(b_on < 0.5, f"segment {n}: the flipped SEG's outline still lies on the organ ({b_on:.2f})")
        gm = float(segment_rows(good_page)[n][10])
        bm = float(segment_rows(bad_page)[n][10])
        print(f"segment {n}: mean HU good {gm}, flipped {bm}")
        if overlap < 0.5:
            ctx.check(abs(gm - bm) > 5, f"segment {n}: the mean value hardly changes ({gm} vs {bm})")
    ctx.check(off >= 2, f"only {off} segments move off their organ when mirrored: the case shows nothing")


CASES["flipped"] = case_flipped


# ---------------------------------------------------------------------------
# Checks shown in red

def good_seg(ctx, segments=2):
    d, label, meta, ct = sc.synth(ctx, ["--segments", str(segments), "--seed", "7"])
    return label, meta, ct, sc.write_seg(ctx, [label], meta, ct, ctx.path("seg.dcm"))


def expect_checks(ctx, page, *patterns):
    found = failed_checks(page)
    for p in patterns:
        ctx.check(any(re.search(p, f) for f in found), f"no failed check like {p!r} in {found}")
    ctx.check(len(found) == len(patterns), f"failed checks {found}, expected {len(patterns)}")


def case_check_good(ctx):
    label, meta, ct, seg = good_seg(ctx)
    page = run_qc(ctx, seg, ctx.path("page.html"), ct)
    ctx.check('class="checks"' not in page and "All checks passed" in page, f"checks on a good SEG: {failed_checks(page)}")


def case_check_empty(ctx):
    label, meta, ct, seg = good_seg(ctx)
    ds = pydicom.dcmread(seg)
    item = pydicom.Dataset()
    item.update(ds.SegmentSequence[0])
    item.SegmentNumber = len(ds.SegmentSequence) + 1
    item.SegmentLabel = "Nothing"
    ds.SegmentSequence.append(item)
    out = ctx.path("empty.dcm")
    ds.save_as(out)
    page = run_qc(ctx, out, ctx.path("page.html"), ct)
    expect_checks(ctx, page, rf"segment {item.SegmentNumber} \(Nothing\) has 0 voxels")
    ctx.check(segment_rows(page)[item.SegmentNumber][6] == "0", "the empty segment's voxel count")


def case_check_off_slices(ctx):
    label, meta, ct, seg = good_seg(ctx)
    ds = pydicom.dcmread(seg)
    iop = np.array(ds.SharedFunctionalGroupsSequence[0].PlaneOrientationSequence[0].ImageOrientationPatient, float)
    normal = np.cross(iop[:3], iop[3:])
    step = float(ds.SharedFunctionalGroupsSequence[0].PixelMeasuresSequence[0].SliceThickness or 1.5) / 2
    for f in ds.PerFrameFunctionalGroupsSequence:
        p = f.PlanePositionSequence[0]
        p.ImagePositionPatient = [f"{v:.6f}" for v in np.array(p.ImagePositionPatient, float) + step * normal]
    out = ctx.path("shifted.dcm")
    ds.save_as(out)
    page = run_qc(ctx, out, ctx.path("page.html"), ct)
    expect_checks(ctx, page, r"frame planes checked do not fall on source slices")


def case_check_edge(ctx):
    d, label, meta, ct = sc.synth(ctx, ["--segments", "1"])
    g, lab = grid_of(ctx, label)
    slab = np.zeros_like(lab, dtype=np.uint8)
    slab[5:15, 20:30, :] = 1  # a band across the whole width: on both edges of every slice
    seg = write_label_seg(ctx, slab, g, meta, ct, "edge")
    page = run_qc(ctx, seg, ctx.path("page.html"), ct)
    expect_checks(ctx, page, r"segment 1 \(.*\) touches the edge of the volume on 10 of its 10 slices")


def case_check_frame_of_reference(ctx):
    label, meta, ct, seg = good_seg(ctx)
    ds = pydicom.dcmread(seg)
    ds.FrameOfReferenceUID = "2.25.1234567890"
    out = ctx.path("for.dcm")
    ds.save_as(out)
    page = run_qc(ctx, out, ctx.path("page.html"), ct)
    expect_checks(ctx, page, r"Frame of Reference UID 2\.25\.1234567890 differs from the source series'")


CASES["check-good"] = case_check_good
CASES["check-empty-segment"] = case_check_empty
CASES["check-off-slices"] = case_check_off_slices
CASES["check-edge"] = case_check_edge
CASES["check-frame-of-reference"] = case_check_frame_of_reference


# ---------------------------------------------------------------------------
# Maps

def table_value(page, name):
    m = re.search(r"<tr><th>" + re.escape(name) + r"</th><td>(.*?)</td></tr>", page)
    if not m:
        raise CaseFailed(f"no '{name}' row")
    return htmllib.unescape(m.group(1))


def check_range(ctx, page, lo, hi, units):
    text = table_value(page, "Value range")
    m = re.match(r"(\S+) to (\S+) (.*) \(mean", text)
    ctx.check(m is not None, f"value range {text!r}")
    if m:
        ctx.check(abs(float(m.group(1)) - lo) <= 1e-4 * max(1, abs(lo)), f"minimum {m.group(1)} != {lo}")
        ctx.check(abs(float(m.group(2)) - hi) <= 1e-4 * max(1, abs(hi)), f"maximum {m.group(2)} != {hi}")
        ctx.check(units in m.group(3), f"units {m.group(3)!r}, expected {units!r}")
    ctx.check('data-view="colour-bar"' in page and 'id="scale-high"' in page, "no colour bar")


def case_pm(ctx):
    d, label, meta, ct = sc.synth(ctx, ["--segments", "1", "--parametricMap"])
    pm = ctx.path("pm.dcm")
    ctx.must([ctx.exe("itkimage2paramap"), "--inputImage", os.path.join(d, "pmap.nrrd"), "--inputMetadata",
              os.path.join(d, "pm-meta.json"), "--inputDICOMDirectory", ct, "--outputDICOM", pm])
    page = run_qc(ctx, pm, ctx.path("page.html"), ct)
    g, a = sc.load_image(ctx, os.path.join(d, "pmap.nrrd"))
    units = json.load(open(os.path.join(d, "pm-meta.json")))["MeasurementUnitsCode"]["CodeValue"]
    check_range(ctx, page, float(a.min()), float(a.max()), units)
    ctx.check(failed_checks(page) == [], f"failed checks: {failed_checks(page)}")
    maps = [x for x in images(page) if x[0].get("data-view") == "map"]
    ctx.check(len(maps) >= a.shape[0] // 8, f"{len(maps)} map pictures")
    colourful = sum(int((np.ptp(p[..., :3].astype(int), axis=-1) > 30).sum()) for _, p in maps)
    ctx.check(colourful > 1000, f"the maps show almost no colour ({colourful} pixels)")
    r = browser.load(ctx.path("page.html"))
    ctx.check(not r.failed and not r.console_errors, f"browser: {r.failed} {r.console_errors}")


def case_rwvm(ctx):
    pet = ctx.path("pet")
    pet_synth.write_pet(pet, "pet", slices=12, rows=32, columns=32)
    out = ctx.path("out")
    os.makedirs(out)
    ctx.must([ctx.exe("pet2suv"), "--inputDICOMDirectory", pet, "--outputRWVM", os.path.join(out, "rwvm.dcm"),
              "--outputImage", os.path.join(out, "suv.nrrd")])
    page = run_qc(ctx, os.path.join(out, "rwvm.dcm"), ctx.path("page.html"), pet)
    g, suv = sc.load_image(ctx, os.path.join(out, "suv.nrrd"))
    check_range(ctx, page, float(suv.min()), float(suv.max()), "g/ml{SUVbw}")
    ctx.check(failed_checks(page) == [], f"failed checks: {failed_checks(page)}")
    table = re.search(r'<table id="mappings">.*?</table>', page, re.S)
    rows = re.findall(r"<tr><td class=\"n\">\d+</td>(.*?)</tr>", table.group(0)) if table else []
    images_cells = [int(re.findall(r'<td class="n">([^<]*)</td>', r)[2]) for r in rows]
    ctx.check(sum(images_cells) == 12, f"mappings table: images {images_cells}, expected 12 in all")
    r = browser.load(ctx.path("page.html"))
    ctx.check(not r.failed and not r.console_errors, f"browser: {r.failed} {r.console_errors}")


CASES["pm-page"] = case_pm
CASES["rwvm-page"] = case_rwvm


# ---------------------------------------------------------------------------
# A collection with an SR linked to its SEG

def case_sr_index(ctx):
    root = ctx.path("out")
    os.makedirs(os.path.join(root, "seg"))
    os.makedirs(os.path.join(root, "sr"))
    seg = os.path.join(root, "seg", "liver.dcm")
    shutil.copy(sc.seg("liver.dcm"), seg)
    sr = os.path.join(root, "sr", "report.dcm")
    ctx.must([ctx.exe("tid1500writer"), "--inputMetadata", SR_EXAMPLE, "--inputImageLibraryDirectory", sc.CT3,
              "--inputCompositeContextDirectory", sc.SEGS, "--outputDICOM", sr])
    report = os.path.join(root, "report.csv")
    with open(report, "w") as f:
        f.write("row,status,seconds,output_bytes,message,id,output,kind,source\n"
                f"1,ok,1,1,,liver,seg/liver.dcm,seg,{sc.CT3}\n"
                "2,ok,1,1,,report,sr/report.dcm,sr,\n"
                '3,failed,1,0,"itkimage2segimage: error: x.nrrd: bad",broken,seg/broken.dcm,seg,\n')
    index = os.path.join(root, "index.html")
    ctx.must([ctx.exe(TOOL), "--inputReport", report, "--outputHTML", index])
    text = open(index).read()
    ctx.check(text.count('<tr class="index-row"') == 3, "index rows")
    for page in ("qc/liver.html", "qc/report.html"):
        ctx.check(f'href="{page}"' in text, f"no link to {page}")
        ctx.check(os.path.isfile(os.path.join(root, page)), f"{page} not written")
    ctx.check("qc/broken.html" not in text, "a page for the failed row")
    sr_page = open(os.path.join(root, "qc", "report.html")).read()
    links = re.findall(r'<a class="segment-link" href="([^"]+)"', sr_page)
    ctx.check(links and all(l == "liver.html#segment-1" for l in links), f"SR links {links}")
    liver_page = open(os.path.join(root, "qc", "liver.html")).read()
    ctx.check('id="segment-1"' in liver_page, "the link's target is not in the SEG page")
    r = browser.load(index, evaluate={
        "rows": "document.querySelectorAll('tr.index-row').length",
        "sorted": "(function(){var th=document.querySelectorAll('#index th')[1];th.click();th.click();"
                  "return Array.from(document.querySelectorAll('tr.index-row')).map(function(r){return r.dataset.id;});})()"})
    ctx.check(not r.failed and not r.console_errors, f"browser: {r.failed} {r.console_errors}")
    ctx.check(r.values["rows"] == 3, f"browser rows {r.values['rows']}")
    ctx.check(r.values["sorted"] == ["report", "liver", "broken"], f"sorted by ID, descending: {r.values['sorted']}")
    r = browser.load(os.path.join(root, "qc", "report.html"))
    ctx.check(not r.failed and not r.console_errors, f"browser (SR page): {r.failed} {r.console_errors}")
    # Again: the SEG page is kept, the SR page made again.
    before = os.path.getmtime(os.path.join(root, "qc", "liver.html"))
    out = ctx.must([ctx.exe(TOOL), "--inputReport", report, "--outputHTML", index]).stdout
    ctx.check("1 kept from before" in out, f"second run: {out.strip()}")
    ctx.check(os.path.getmtime(os.path.join(root, "qc", "liver.html")) == before, "the SEG page was made again")


CASES["sr-index"] = case_sr_index


def case_hostile_text(ctx):
    """Markup and Latin-1 in a SEG's text: escaped, and the page (and its summary) stay valid UTF-8."""
    label, meta, ct, seg = good_seg(ctx)
    ds = pydicom.dcmread(seg)
    ds.SpecificCharacterSet = "ISO_IR 100"
    ds.SegmentSequence[0].SegmentLabel = "<script>alert(1)</script>"
    ds.SegmentSequence[1].add_new(0x00620005, "LO", b"Lunge\xe4")  # Segment Label, raw Latin-1
    ds.SeriesDescription = '"><img src=x onerror=alert(1)>'
    out = ctx.path("hostile.dcm")
    ds.save_as(out)
    page_path, summary = ctx.path("page.html"), ctx.path("page.json")
    ctx.must([ctx.exe(TOOL), "--inputDICOM", out, "--inputDICOMDirectory", ct, "--outputHTML", page_path,
              "--outputSummary", summary])
    raw = open(page_path, "rb").read()
    try:
        page = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise CaseFailed(f"the page is not UTF-8: {e}")
    ctx.check("<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page, "label not escaped")
    ctx.check("<img src=x" not in page, "series description not escaped")
    ctx.check(re.search(r"Lunge(ä|\ufffd)", page) is not None, "the Latin-1 label is missing")
    json.load(open(summary, encoding="utf-8"))


def case_index_rows(ctx):
    """A report's ids name pages: refused when they cannot, or twice; summaries reused only when they fit."""
    root = ctx.path("out")
    os.makedirs(os.path.join(root, "seg"))
    shutil.copy(sc.seg("liver.dcm"), os.path.join(root, "seg", "liver.dcm"))
    header = "row,status,seconds,output_bytes,message,id,output,kind,source\n"
    report, index = os.path.join(root, "report.csv"), os.path.join(root, "index.html")
    for bad_id in ("javascript:alert(1)", "a#b", ".hidden"):
        with open(report, "w") as f:
            f.write(header + f"1,ok,1,1,,{bad_id},seg/liver.dcm,seg,{sc.CT3}\n")
        refused(ctx, [ctx.exe(TOOL), "--inputReport", report, "--outputHTML", index], index, 1, "column 'id'")
    with open(report, "w") as f:
        f.write(header + f"1,ok,1,1,,a,seg/liver.dcm,seg,{sc.CT3}\n2,ok,1,1,,a,seg/liver.dcm,seg,{sc.CT3}\n")
    refused(ctx, [ctx.exe(TOOL), "--inputReport", report, "--outputHTML", index], index, 1, "already the id of row 1")
    with open(report, "w") as f:
        f.write(header + f"1,ok,1,1,,liver,seg/liver.dcm,seg,{sc.CT3}\n")
    ctx.must([ctx.exe(TOOL), "--inputReport", report, "--outputHTML", index])
    summary = os.path.join(root, "qc", "liver.qc.json")
    page = os.path.join(root, "qc", "liver.html")
    # A summary with a hostile thumbnail, newer than the object: the thumbnail is not used.
    s = json.load(open(summary))
    s["thumbnail"] = 'x" onerror="alert(1)'
    json.dump(s, open(summary, "w"))
    out = ctx.must([ctx.exe(TOOL), "--inputReport", report, "--outputHTML", index]).stdout
    text = open(index).read()
    ctx.check("1 kept from before" in out and "onerror" not in text, f"hostile thumbnail: {out.strip()}")
    # A summary of another object (same name, newer time): the page is made again.
    s["sopInstanceUID"] = "1.2.3"
    json.dump(s, open(summary, "w"))
    out = ctx.must([ctx.exe(TOOL), "--inputReport", report, "--outputHTML", index]).stdout
    ctx.check("0 kept from before" in out, f"stale summary reused: {out.strip()}")
    ctx.check(json.load(open(summary))["sopInstanceUID"] != "1.2.3", "the stale summary was not replaced")
    before = os.path.getmtime(page)
    out = ctx.must([ctx.exe(TOOL), "--inputReport", report, "--outputHTML", index, "--noReuse"]).stdout
    ctx.check("0 kept from before" in out and os.path.getmtime(page) >= before, f"--noReuse: {out.strip()}")


CASES["hostile-text"] = case_hostile_text
CASES["index-rows"] = case_index_rows


# ---------------------------------------------------------------------------
# Refusals

def refused(ctx, cmd, out, code, needle):
    r = ctx.run(cmd)
    ctx.check(r.returncode == code, f"exit {r.returncode}, expected {code}")
    lines = r.stderr.splitlines()
    ctx.check(len(lines) == 1 and "error" in lines[0] and needle in lines[0],
              f"stderr {lines!r} is not one error line naming {needle!r}")
    ctx.check(not os.path.exists(out), "a page was left")
    left = [f for f in os.listdir(os.path.dirname(out)) if f.startswith(".")]
    ctx.check(not left, f"staging left: {left}")


def case_bad_not_derived(ctx):
    ct = os.path.join(sc.CT3, sorted(os.listdir(sc.CT3))[0])
    out = ctx.path("page.html")
    refused(ctx, [ctx.exe(TOOL), "--inputDICOM", ct, "--outputHTML", out], out, 1, "SOPClassUID (0008,0016)")


def case_bad_missing(ctx):
    out = ctx.path("page.html")
    refused(ctx, [ctx.exe(TOOL), "--inputDICOM", ctx.path("nothing.dcm"), "--outputHTML", out], out, 1, "nothing.dcm")


def case_bad_report(ctx):
    report = ctx.path("report.csv")
    with open(report, "w") as f:
        f.write("a,b\n1,2\n")
    out = ctx.path("index.html")
    refused(ctx, [ctx.exe(TOOL), "--inputReport", report, "--outputHTML", out], out, 1, "report.csv")


def case_bad_usage(ctx):
    out = ctx.path("page.html")
    refused(ctx, [ctx.exe(TOOL), "--outputHTML", out], out, 2, "--inputDICOM")


CASES["bad-not-derived"] = case_bad_not_derived
CASES["bad-missing-file"] = case_bad_missing
CASES["bad-report"] = case_bad_report
CASES["bad-usage"] = case_bad_usage


if __name__ == "__main__":
    sys.exit(sc.run_case(CASES, group="qc"))
