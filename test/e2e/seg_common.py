#!/usr/bin/python3
"""What the SEG reader's and bin2labelsegimage's case drivers share: paths of
the fixtures, the case context, running the reader, loading and comparing
images on grids, writing SEGs from synthetic cases, comparing what the reader
reads back with the writer's input, and the drivers' main (run_case).

Not a driver: the reader's drivers (seg_reader_files_cases.py,
seg_reader_roundtrip_cases.py, seg_reader_ts_cases.py), bin2label_cases.py and
rtstruct_cases.py import it.
"""
import driver  # the common command line (test/e2e/driver.py)
import json
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SHARED = os.path.join(os.path.dirname(ROOT), "shared", "data")
SEGS = os.path.join(SHARED, "dcmqi", "data", "segmentations")
EXAMPLES = os.path.join(SHARED, "dcmqi", "doc", "examples")
CT3 = os.path.join(SEGS, "ct-3slice")
PYDICOM_FILES = os.path.join(SHARED, "pydicom", "src", "pydicom", "data", "test_files")
INTEROP = os.path.join(ROOT, "test", "interop")
DIFC = "1.2.840.10008.1.2.8.1"  # Deflated Image Frame Compression (unknown to pydicom 2.3)
TOOL = "segimage2itkimage"
GRID_TOL = 1e-4
NRRD_TYPES = {"uint8": "uchar", "int16": "short", "uint16": "ushort", "int32": "int", "float32": "float"}
EXTENSIONS = {"nrrd": ".nrrd", "nii": ".nii.gz", "nifti": ".nii.gz", "mha": ".mha", "mhd": ".mhd",
              "hdr": ".hdr", "img": ".img"}
COMPANIONS = {".mhd": (".raw", ".zraw"), ".hdr": (".img",), ".img": (".hdr",)}

sys.path.insert(0, INTEROP)
import seg_decode  # noqa: E402
from testdeps import lazy  # noqa: E402  (test-only packages, imported on first use)

np = lazy("numpy")
pydicom = lazy("pydicom")


def register_difc():
    """Makes pydicom 2.3 know the Deflated Image Frame Compression UID."""
    lazy("pydicom._uid_dict").UID_dictionary.setdefault(
        DIFC, ("Deflated Image Frame Compression", "Transfer Syntax", "", "", "DeflatedImageFrameCompression"))


def seg(name):
    return os.path.join(SEGS, name)


def ex(name):
    return os.path.join(EXAMPLES, name)


class CaseFailed(Exception):
    pass


class Ctx:
    """Tools, work directory and the list of problems found by one case."""

    def __init__(self, a, name, group="reader"):
        self.bin, self.tools = a.bin, a.tools
        self.work = os.path.join(a.work, group, name)
        shutil.rmtree(self.work, ignore_errors=True)
        os.makedirs(self.work)
        self.problems = []
        self.n = 0

    def path(self, *parts):
        return os.path.join(self.work, *parts)

    def fail(self, msg):
        print("FAIL: " + msg)
        self.problems.append(msg)

    def check(self, cond, msg):
        if not cond:
            self.fail(msg)
        return bool(cond)

    def exe(self, name):
        for d in (self.bin, self.tools):
            p = os.path.join(d, name)
            if os.path.exists(p):
                return p
        return os.path.join(self.bin, name)

    def run(self, cmd, quiet=False, **kw):
        """Runs a command; waits for a tool binary that is being rebuilt."""
        for attempt in range(60):
            if os.path.isabs(cmd[0]) and not os.path.exists(cmd[0]):
                time.sleep(5)
                continue
            try:
                r = subprocess.run(cmd, capture_output=True, text=True, **kw)
                break
            except OSError:  # e.g. text file busy while the binary is relinked
                time.sleep(5)
        else:
            raise CaseFailed(f"cannot run {cmd[0]}")
        if not quiet:
            print("$ " + " ".join(cmd))
            out = (r.stdout + r.stderr).strip()
            if out:
                print("\n".join(out.splitlines()[:30]))
            if r.returncode:
                print(f"(exit {r.returncode})")
        return r

    def must(self, cmd, what=None, **kw):
        r = self.run(cmd, **kw)
        if r.returncode:
            raise CaseFailed(f"{what or os.path.basename(cmd[0])} failed with exit {r.returncode}: "
                             f"{(r.stdout + r.stderr).strip()[-800:]}")
        return r


def load_image(ctx, path):
    """(grid dict, array) through qidcm-test-imagedump; the array is (slices, rows, cols)
    or (components, slices, rows, cols)."""
    ctx.n += 1
    j, raw = ctx.path(f".dump{ctx.n}.json"), ctx.path(f".dump{ctx.n}.raw")
    ctx.must([ctx.exe("qidcm-test-imagedump"), path, j, raw], "qidcm-test-imagedump", quiet=True)
    g = json.load(open(j))
    a = np.fromfile(raw, dtype=np.dtype(g["dtype"]))
    cols, rows, slices = g["size"]
    if g["components"] == 1:
        a = a.reshape(slices, rows, cols)
    elif g["planar"]:
        a = a.reshape(g["components"], slices, rows, cols)
    else:
        a = a.reshape(slices, rows, cols, g["components"]).transpose(3, 0, 1, 2)
    os.remove(raw)
    os.remove(j)
    return g, a


def write_nrrd(path, array, grid):
    """A raw little-endian NRRD with the geometry of an imagedump grid."""
    d, sp = grid["direction"], grid["spacing"]
    dirs = " ".join("(" + ",".join(repr(d[c][r] * sp[c]) for r in range(3)) + ")" for c in range(3))
    header = ("NRRD0004\n"
              f"type: {NRRD_TYPES[array.dtype.name]}\ndimension: 3\nspace: left-posterior-superior\n"
              f"sizes: {array.shape[2]} {array.shape[1]} {array.shape[0]}\nspace directions: {dirs}\n"
              "kinds: domain domain domain\nendian: little\nencoding: raw\n"
              f"space origin: ({','.join(repr(v) for v in grid['origin'])})\n\n")
    with open(path, "wb") as f:
        f.write(header.encode())
        f.write(array.astype(array.dtype.newbyteorder("<")).tobytes())


def grid_difference(a, b, tol=GRID_TOL):
    """None when two grids are equal within tol, else a description."""
    if list(a["size"]) != list(b["size"]):
        return f"size {a['size']} vs {b['size']}"
    for key in ("origin", "spacing", "direction"):
        x, y = np.array(a[key], dtype=float), np.array(b[key], dtype=float)
        if not np.allclose(x, y, atol=tol, rtol=0):
            return f"{key} {x.tolist()} vs {y.tolist()}"
    return None


def axes_matrix(g):
    return np.column_stack([np.array(g["direction"][c], dtype=float) * g["spacing"][c] for c in range(3)])


def to_grid(src_grid, arr, dst_grid):
    """arr (slices, rows, cols) on src_grid, re-indexed onto dst_grid when both grids
    hold the same voxel centres (axes possibly permuted or reversed); (None, reason)
    otherwise."""
    P = np.linalg.solve(axes_matrix(dst_grid), axes_matrix(src_grid))
    t = np.linalg.solve(axes_matrix(dst_grid), np.array(src_grid["origin"], float) - np.array(dst_grid["origin"], float))
    Pr = np.round(P)
    if np.abs(P - Pr).max() > 1e-3 or sorted(np.abs(Pr).sum(axis=0).tolist()) != [1, 1, 1] \
            or sorted(np.abs(Pr).sum(axis=1).tolist()) != [1, 1, 1]:
        return None, f"axes do not map onto each other: {P.round(4).tolist()}"
    perm = [0, 0, 0]
    out = arr
    for c in range(3):
        d = int(np.argmax(np.abs(Pr[:, c])))
        s = Pr[d, c]
        if src_grid["size"][c] != dst_grid["size"][d]:
            return None, f"axis {c} has {src_grid['size'][c]} voxels, maps onto axis {d} with {dst_grid['size'][d]}"
        want = 0 if s > 0 else dst_grid["size"][d] - 1
        if abs(t[d] - want) > 1e-2:
            return None, f"axis {c} starts at index {t[d]:.4f} of axis {d}, expected {want}"
        if s < 0:
            out = np.flip(out, axis=2 - c)
        perm[2 - d] = 2 - c
    return np.transpose(out, perm), None


class ReaderOutput:
    pass


def run_reader(ctx, seg_path, outdir, flags=(), prefix="", out_type=None):
    """Runs the reader; on success checks the output file names and loads meta.json and
    the images. Returns a ReaderOutput (r, meta, images = [(grid, array, path)])."""
    cmd = [ctx.exe(TOOL), "--inputDICOM", seg_path, "--outputDirectory", outdir] + list(flags)
    if prefix:
        cmd += ["-p", prefix]
    if out_type:
        cmd += ["-t", out_type]
    out_type = out_type or "nrrd"
    o = ReaderOutput()
    o.r = ctx.run(cmd)
    o.meta, o.images = None, []
    if o.r.returncode:
        return o
    errors = [l for l in o.r.stderr.splitlines() if "error" in l.lower()]
    ctx.check(not errors, f"the reader succeeded but printed errors: {errors}")
    pre = prefix + "-" if prefix else ""
    meta_path = os.path.join(outdir, pre + "meta.json")
    if not ctx.check(os.path.isfile(meta_path), f"no {pre}meta.json in {outdir}: {sorted(os.listdir(outdir))}"):
        raise CaseFailed("no meta.json")
    try:
        o.meta = json.load(open(meta_path))
    except ValueError as e:
        raise CaseFailed(f"{meta_path} does not parse: {e}")
    lists = o.meta.get("segmentAttributes")
    if not (isinstance(lists, list) and all(isinstance(l, list) and l for l in lists) and lists):
        raise CaseFailed(f"{meta_path}: segmentAttributes is not a non-empty list of non-empty lists: {lists!r}")
    ext = EXTENSIONS[out_type]
    names = [f"{pre}{n}{ext}" for n in range(1, len(lists) + 1)]
    present = sorted(f for f in os.listdir(outdir) if not f.startswith("."))
    allowed = set(names) | {pre + "meta.json"}
    for n in names:
        base = n[:-len(ext)]
        allowed |= {base + c for c in COMPANIONS.get(ext, ())}
    missing = [n for n in names if n not in present]
    extra = [f for f in present if f not in allowed]
    ctx.check(not missing, f"missing output images {missing} (found {present})")
    ctx.check(not extra, f"unexpected output files {extra}")
    hidden = [f for f in os.listdir(outdir) if f.startswith(".")]
    ctx.check(not hidden, f"hidden files left in the output directory: {hidden}")
    if missing:
        raise CaseFailed("output images missing")
    for n in names:
        g, a = load_image(ctx, os.path.join(outdir, n))
        o.images.append((g, a, os.path.join(outdir, n)))
    return o


def segment_numbers(meta):
    return [int(s["labelID"]) for l in meta["segmentAttributes"] for s in l]


def synth(ctx, args, name="synth"):
    d = ctx.path(name)
    ctx.must([ctx.exe("qidcm-synth"), "--outputDirectory", d] + list(args))
    fmt = args[args.index("--format") + 1] if "--format" in args else "nrrd"
    return d, os.path.join(d, "label." + fmt), os.path.join(d, "meta.json"), os.path.join(d, "ct")


def write_seg(ctx, images, meta, dicom, out, seg_type="binary", skip=1, flags=()):
    cmd = [ctx.exe("itkimage2segimage"), "--inputImageList", ",".join(images), "--inputMetadata", meta,
           "--inputDICOMDirectory", dicom, "--outputDICOM", out, "--segmentationType", seg_type,
           "--skip", str(skip)] + list(flags)
    ctx.must(cmd, "itkimage2segimage")
    return out


def code_tuple(item):
    if item is None:
        return None
    v = item.get("CodeValue") or item.get("LongCodeValue") or item.get("URNCodeValue")
    mods = tuple(code_tuple(m) for m in item.get("SegmentedPropertyTypeModifierCodeSequence", []))
    amods = tuple(code_tuple(m) for m in item.get("AnatomicRegionModifierSequence", []))
    return (str(v), str(item.CodingSchemeDesignator), str(item.CodeMeaning), mods, amods)


def first(seq):
    return seq[0] if seq else None


def segment_description(item):
    return {
        "label": str(item.get("SegmentLabel", "")),
        "description": str(item.get("SegmentDescription", "")),
        "algorithmType": str(item.get("SegmentAlgorithmType", "")),
        "algorithmName": str(item.get("SegmentAlgorithmName", "")),
        "category": code_tuple(first(item.get("SegmentedPropertyCategoryCodeSequence"))),
        "type": code_tuple(first(item.get("SegmentedPropertyTypeCodeSequence"))),
        "anatomicRegion": code_tuple(first(item.get("AnatomicRegionSequence"))),
        "trackingID": str(item.get("TrackingID", "")),
        "trackingUID": str(item.get("TrackingUID", "")),
        "CIELab": [int(v) for v in item.get("RecommendedDisplayCIELabValue", [])],
    }


# ---------------------------------------------------------------- the writer's SEGs read back

def writer_segment_map(meta, use_label_id):
    """Segment number -> (input file index, label), by the writer's numbering rules."""
    out, n = {}, 0
    for f, segs in enumerate(meta["segmentAttributes"]):
        for s in sorted(segs, key=lambda s: s["labelID"]):
            n += 1
            out[s["labelID"] if use_label_id else n] = (f, s["labelID"])
    return out


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


def run_case(cases, group="reader"):
    """A SEG case driver's main: the command line of driver.py, then the named case of
    cases (name -> function of a Ctx). Exit status 1 when the case found a problem."""
    a = driver.case_arguments(cases)
    ctx = Ctx(a, a.case, group=group)
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
