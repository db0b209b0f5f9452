#!/usr/bin/python3
"""rtstruct2segimage accuracy on analytic shapes (rtstruct_phantoms.py), and
against plastimatch.

Each shape case writes a CT-like series and an RT Structure Set with one ROI
into its work directory, converts it, decodes the SEG with the independent
decoder (test/interop/seg_decode.py; every frame placed on its slice by its
Image Position (Patient), and on its segment by Referenced Segment Number)
and compares each segment with the shape's formula evaluated at the voxel
centres (the ground truth): Dice >= the shape's threshold and |volume
error| <= 3%, against the truth's voxel count and against the formula's
volume.

solid-fill-fails: the same measures FAIL for the hollow shapes filled solid
(their outer contour alone), so the thresholds can catch a rasterizer that
ignores holes.

plastimatch-*: plastimatch 1.9.4 (`convert --xor-contours`, NRRD masks read
here) on the same structure sets: Dice >= 0.97 per ROI between our SEG and
plastimatch's mask; without --xor-contours plastimatch fills the inner
contours, and its hollow shapes fall below Dice 0.92 against the truth.
dro-plastimatch: the six SUV DROs, our SEG against plastimatch --xor-contours.
A missing plastimatch fails these cases (scripts/setup.sh test installs it).
"""
import gzip
import os
import shutil
import sys

import seg_common
import rtstruct_phantoms as phantoms
from seg_common import CaseFailed, SHARED, INTEROP, np, pydicom

TOOL = "rtstruct2segimage"
DRO = os.path.join(SHARED, "suv_computation", "DRO")
DROS = ["DRO_0_0", "DRO_1_0", "DRO_2_0", "DRO_2_4", "DRO_3_0", "DRO_4_2"]
# Dice against the truth, per shape.
DICE = {"cube": 0.99, "sphere": 0.98, "cylinder": 0.97, "ellipsoid": 0.97, "torus": 0.93,
        "hollow_sphere": 0.92, "straw": 0.92}
VOLUME_ERROR = 0.03
AGREE = 0.97  # Dice between our SEG and plastimatch's mask
NO_XOR_BELOW = 0.92  # plastimatch without --xor-contours, hollow shapes against the truth


# ---------------------------------------------------------------- measures

def dice(a, b):
    na, nb = int(np.count_nonzero(a)), int(np.count_nonzero(b))
    if na + nb == 0:
        return 1.0
    return 2.0 * int(np.count_nonzero(a & b)) / (na + nb)


def measure(mask, truth, shape, geometry):
    """(Dice, volume error against the truth's voxels, volume error against the formula)."""
    n, t = int(np.count_nonzero(mask)), int(np.count_nonzero(truth))
    return dice(mask, truth), (n - t) / t, (n * geometry.voxel_volume() - shape.volume) / shape.volume


def report(what, name, d, ve, va, mask, truth):
    extra = int(np.count_nonzero(mask & ~truth))
    missing = int(np.count_nonzero(truth & ~mask))
    print(f"{what:>22} {name:<14} Dice {d:.5f}  volume {int(np.count_nonzero(mask)):6d} voxels, "
          f"{100 * ve:+.2f}% vs truth ({int(np.count_nonzero(truth))}), {100 * va:+.2f}% vs formula  "
          f"[{extra} extra, {missing} missing]")


def passes(d, ve, va, name):
    return d >= DICE[name] and abs(ve) <= VOLUME_ERROR and abs(va) <= VOLUME_ERROR


# ---------------------------------------------------------------- our SEG

def convert(ctx, rtstruct, directory, name="seg.dcm"):
    out = ctx.path(name)
    ctx.must([ctx.exe(TOOL), "--inputRTSTRUCT", rtstruct, "--inputDICOMDirectory", directory, "--outputDICOM", out])
    return out


def seg_masks(path, geometry):
    """{segment label: (slices, rows, columns) bool} from the SEG, by the
    independent decoder; every frame must sit on a slice of the geometry and
    the SEG's plane orientation and pixel spacing must be the series'."""
    d = seg_common.seg_decode.decode(path)
    if d.seg_type != "BINARY":
        raise CaseFailed(f"SegmentationType {d.seg_type}, expected BINARY")
    if d.orientation is None or not np.allclose(d.orientation, geometry.orientation, atol=1e-4):
        raise CaseFailed(f"SEG orientation {d.orientation} differs from the series' {geometry.orientation}")
    if d.pixel_spacing is None or not np.allclose(d.pixel_spacing, geometry.pixel_spacing, atol=1e-4):
        raise CaseFailed(f"SEG pixel spacing {d.pixel_spacing} differs from the series' {geometry.pixel_spacing}")
    cols, rows, slices = geometry.size
    if (d.rows, d.cols) != (rows, cols):
        raise CaseFailed(f"SEG frames {d.cols}x{d.rows}, series {cols}x{rows}")
    labels = {n: str(s.SegmentLabel) for n, s in d.segments.items()}
    out = {label: np.zeros((slices, rows, cols), bool) for label in labels.values()}
    for f in d.frames:
        if f.number not in labels:
            raise CaseFailed(f"frame {f.index + 1} references segment {f.number}, not in the Segment Sequence")
        if f.position is None:
            raise CaseFailed(f"frame {f.index + 1} has no Image Position (Patient)")
        k = int(round(float((f.position - geometry.origin) @ geometry.normal) / geometry.spacing[2]))
        if not 0 <= k < slices or np.abs(f.position - geometry.positions[k]).max() > 1e-3:
            raise CaseFailed(f"frame {f.index + 1} at {f.position.tolist()} is on no slice of the series")
        out[labels[f.number]][k] |= f.pixels.astype(bool)
    return out


def geometry_of(directory):
    """The geometry of the one image series in a directory (the DROs' PT)."""
    items = []
    for name in sorted(os.listdir(directory)):
        ds = pydicom.dcmread(os.path.join(directory, name), stop_before_pixels=True)
        items.append(ds)
    if len({str(ds.SeriesInstanceUID) for ds in items}) != 1:
        raise CaseFailed(f"{directory} holds more than one series")
    iop = np.array([float(v) for v in items[0].ImageOrientationPatient])
    normal = np.cross(iop[:3], iop[3:])
    items.sort(key=lambda ds: float(np.array([float(v) for v in ds.ImagePositionPatient]) @ normal))
    pos = np.array([[float(v) for v in ds.ImagePositionPatient] for ds in items])
    steps = np.diff(pos @ normal)
    if len(steps) and np.ptp(steps) > 1e-3:
        raise CaseFailed(f"{directory}: slices not evenly spaced: {sorted(set(np.round(steps, 4)))}")
    first = items[0]
    g = phantoms.Geometry(iop[:3], iop[3:], pos[0], [float(v) for v in first.PixelSpacing],
                          float(steps[0]) if len(steps) else 1.0, int(first.Rows), int(first.Columns), len(items))
    g.positions = pos
    return g


# ---------------------------------------------------------------- plastimatch

NRRD_TYPES = {"uchar": "u1", "unsigned char": "u1", "uint8": "u1", "uint8_t": "u1",
              "signed char": "i1", "char": "i1", "int8": "i1", "int8_t": "i1",
              "short": "i2", "short int": "i2", "signed short": "i2", "int16": "i2", "int16_t": "i2",
              "ushort": "u2", "unsigned short": "u2", "uint16": "u2", "uint16_t": "u2",
              "int": "i4", "signed int": "i4", "int32": "i4", "int32_t": "i4",
              "uint": "u4", "unsigned int": "u4", "uint32": "u4", "uint32_t": "u4",
              "float": "f4", "double": "f8"}


def _vector(text):
    text = text.strip()
    if not (text.startswith("(") and text.endswith(")")):
        raise CaseFailed(f"NRRD vector {text!r}")
    return [float(v) for v in text[1:-1].split(",")]


def read_nrrd(path):
    """(grid dict in LPS, array (slices, rows, columns)) of a 3-D NRRD with
    its data attached, raw or gzip."""
    blob = open(path, "rb").read()
    if not blob.startswith(b"NRRD000"):
        raise CaseFailed(f"{path}: not a NRRD file")
    cut = blob.find(b"\n\n")
    if cut < 0:
        raise CaseFailed(f"{path}: no end of header")
    fields = {}
    for line in blob[:cut].decode("ascii").splitlines()[1:]:
        if line.startswith("#") or ":=" in line or not line.strip():
            continue
        key, _, value = line.partition(":")
        fields[key.strip().lower()] = value.strip()
    if "data file" in fields or "datafile" in fields:
        raise CaseFailed(f"{path}: detached data is not read here")
    if int(fields.get("dimension", 0)) != 3:
        raise CaseFailed(f"{path}: dimension {fields.get('dimension')}")
    sizes = [int(v) for v in fields["sizes"].split()]
    dtype = np.dtype(("<" if fields.get("endian", "little") == "little" else ">") + NRRD_TYPES[fields["type"]])
    data = blob[cut + 2:]
    encoding = fields.get("encoding", "raw")
    if encoding in ("gzip", "gz"):
        data = gzip.decompress(data)
    elif encoding != "raw":
        raise CaseFailed(f"{path}: encoding {encoding}")
    count = sizes[0] * sizes[1] * sizes[2]
    a = np.frombuffer(data[:count * dtype.itemsize], dtype=dtype)
    if a.size != count:
        raise CaseFailed(f"{path}: {a.size} samples for sizes {sizes}")
    a = a.reshape(sizes[2], sizes[1], sizes[0])  # the first axis varies fastest
    dirs = [np.array(_vector(v + ")")) for v in fields["space directions"].split(")")[:3]]
    origin = np.array(_vector(fields.get("space origin", "(0,0,0)")))
    space = fields.get("space", "left-posterior-superior").lower()
    if space in ("right-anterior-superior", "ras"):
        flip = np.array([-1.0, -1.0, 1.0])
        dirs, origin = [d * flip for d in dirs], origin * flip
    elif space not in ("left-posterior-superior", "lps"):
        raise CaseFailed(f"{path}: space {space}")
    spacing = [float(np.linalg.norm(d)) for d in dirs]
    grid = {"size": sizes, "origin": origin.tolist(), "spacing": spacing,
            "direction": [(d / s).tolist() for d, s in zip(dirs, spacing)]}
    return grid, a


def plastimatch(ctx, rtstruct, directory, names, geometry, xor=True, tag="pm"):
    """{ROI name: bool mask on the geometry} from plastimatch convert."""
    exe = shutil.which("plastimatch")
    if exe is None:
        raise CaseFailed("plastimatch is not installed (scripts/setup.sh test installs it; Debian package plastimatch)")
    out = ctx.path(tag + ("-xor" if xor else "-no-xor"))
    ctx.must([exe, "convert", "--input", rtstruct, "--referenced-ct", directory, "--output-prefix", out,
              "--prefix-format", "nrrd"] + (["--xor-contours"] if xor else []), "plastimatch", quiet=True)
    masks = {}
    for name in names:
        path = os.path.join(out, name + ".nrrd")
        if not os.path.isfile(path):
            raise CaseFailed(f"plastimatch wrote no {name}.nrrd: {sorted(os.listdir(out))}")
        grid, a = read_nrrd(path)
        m, why = seg_common.to_grid(grid, a, geometry.grid())
        if m is None:
            raise CaseFailed(f"plastimatch's {name}.nrrd is not on the series grid: {why}")
        masks[name] = m != 0
    return masks


# ---------------------------------------------------------------- cases

def shape_case(series, names):
    def case(ctx):
        ph = phantoms.write(ctx.path("data"), series, names)
        seg = convert(ctx, ph.rs, ph.ct)
        # dicom3tools: no error at all on a SEG of a clean source series
        ctx.must([sys.executable, os.path.join(INTEROP, "dciodvfy_check.py"), seg], "dciodvfy_check")
        masks = seg_masks(seg, ph.geometry)
        ctx.check(sorted(masks) == sorted(names), f"segments {sorted(masks)}, expected {sorted(names)}")
        for name in names:
            if name not in masks:
                continue
            shape, truth = ph.shapes[name], ph.shapes[name].truth(ph.geometry)
            d, ve, va = measure(masks[name], truth, shape, ph.geometry)
            report(f"ours ({series})", name, d, ve, va, masks[name], truth)
            ctx.check(d >= DICE[name], f"{series} {name}: Dice {d:.4f} against the truth < {DICE[name]}")
            ctx.check(abs(ve) <= VOLUME_ERROR, f"{series} {name}: volume {100 * ve:+.2f}% off the truth's")
            ctx.check(abs(va) <= VOLUME_ERROR, f"{series} {name}: volume {100 * va:+.2f}% off the formula's")
    return case


def case_solid_fill_fails(ctx):
    # The truth of the outer solid is what filling each plane's outer contour
    # gives on the axial planes; it must fail the thresholds, or they could not
    # tell a rasterizer that ignores holes.
    g = phantoms.series_geometry("axial")
    shapes = phantoms.make_shapes()
    for name in phantoms.HOLLOW:
        s = shapes[name]
        truth, solid = s.truth(g), s.outer_truth(g)
        d, ve, va = measure(solid, truth, s, g)
        report("solid fill (axial)", name, d, ve, va, solid, truth)
        ctx.check(d < DICE[name], f"{name}: the solid fill reaches Dice {d:.4f} >= {DICE[name]}")
        ctx.check(abs(ve) > VOLUME_ERROR, f"{name}: the solid fill's volume is within {100 * VOLUME_ERROR}%")
        ctx.check(not passes(d, ve, va, name), f"{name}: the solid fill passes the shape's thresholds")
        ctx.check(truth.any() and (solid & ~truth).any(), f"{name}: no hole on the planes")


def plastimatch_case(series):
    def case(ctx):
        names = phantoms.SHAPE_NAMES
        ph = phantoms.write(ctx.path("data"), series, names)
        ours = seg_masks(convert(ctx, ph.rs, ph.ct), ph.geometry)
        pm = plastimatch(ctx, ph.rs, ph.ct, names, ph.geometry, xor=True)
        for name in names:
            shape, truth = ph.shapes[name], ph.shapes[name].truth(ph.geometry)
            report(f"plastimatch ({series})", name, *measure(pm[name], truth, shape, ph.geometry), pm[name], truth)
            if name not in ours:
                ctx.fail(f"{name}: not in our SEG")
                continue
            report(f"ours ({series})", name, *measure(ours[name], truth, shape, ph.geometry), ours[name], truth)
            d = dice(ours[name], pm[name])
            print(f"{'ours vs plastimatch':>22} {name:<14} Dice {d:.5f}  "
                  f"[{int(np.count_nonzero(ours[name] & ~pm[name]))} only ours, "
                  f"{int(np.count_nonzero(pm[name] & ~ours[name]))} only plastimatch]")
            ctx.check(d >= AGREE, f"{series} {name}: Dice {d:.4f} between our SEG and plastimatch's mask < {AGREE}")
    return case


def case_plastimatch_no_xor(ctx):
    # Without --xor-contours plastimatch fills every contour: the hollow shapes
    # lose their holes (why the comparisons above use the flag).
    names = phantoms.SHAPE_NAMES
    ph = phantoms.write(ctx.path("data"), "axial", names)
    pm = plastimatch(ctx, ph.rs, ph.ct, names, ph.geometry, xor=False)
    for name in names:
        shape, truth = ph.shapes[name], ph.shapes[name].truth(ph.geometry)
        d, ve, va = measure(pm[name], truth, shape, ph.geometry)
        report("plastimatch no-xor", name, d, ve, va, pm[name], truth)
        if name in phantoms.HOLLOW:
            ctx.check(d < NO_XOR_BELOW, f"{name}: plastimatch without --xor-contours reaches Dice {d:.4f}")
        else:
            ctx.check(d >= DICE[name], f"{name}: plastimatch without --xor-contours, Dice {d:.4f} < {DICE[name]}")


def case_dro_plastimatch(ctx):
    for dro in DROS:
        rs = os.path.join(DRO, dro, "RS", f"RS_dro_{dro[4:]}.dcm")
        pt = os.path.join(DRO, dro, "PT")
        g = geometry_of(pt)
        ours = seg_masks(convert(ctx, rs, pt, f"{dro}.dcm"), g)
        names = [str(r.ROIName) for r in pydicom.dcmread(rs).StructureSetROISequence]
        pm = plastimatch(ctx, rs, pt, names, g, xor=True, tag=dro)
        for name in names:
            if not ctx.check(name in ours, f"{dro} {name}: not in our SEG ({sorted(ours)})"):
                continue
            a, b = ours[name], pm[name]
            d = dice(a, b)
            print(f"{dro} {name}: ours {int(np.count_nonzero(a))} voxels, plastimatch {int(np.count_nonzero(b))}, "
                  f"Dice {d:.5f} [{int(np.count_nonzero(a & ~b))} only ours, "
                  f"{int(np.count_nonzero(b & ~a))} only plastimatch]")
            ctx.check(d >= AGREE, f"{dro} {name}: Dice {d:.4f} between our SEG and plastimatch's mask < {AGREE}")
            ctx.check(np.count_nonzero(a) > 0, f"{dro} {name}: empty")


CASES = {}
for _series in ("axial", "oblique"):
    for _name in ["sphere", "cube", "cylinder", "ellipsoid", "torus", "hollow_sphere", "straw"]:
        CASES[f"{_series}-{_name.replace('_', '-')}"] = shape_case(_series, [_name])
for _name in ["sphere", "cube", "torus", "straw"]:
    CASES[f"negated-{_name}"] = shape_case("negated", [_name])
CASES["solid-fill-fails"] = case_solid_fill_fails
CASES["plastimatch-axial"] = plastimatch_case("axial")
CASES["plastimatch-oblique"] = plastimatch_case("oblique")
CASES["plastimatch-no-xor"] = case_plastimatch_no_xor
CASES["dro-plastimatch"] = case_dro_plastimatch

if __name__ == "__main__":
    sys.exit(seg_common.run_case(CASES, group="rtstruct-phantom"))
