#!/usr/bin/python3
"""pet2suv end to end: SUV from PET headers, written as a Real World Value
Mapping (RWVM) object, a float32 Parametric Map, an image and a JSON record.

The expected SUV of every case is computed here, from the headers read with
pydicom, by a model written from the SUV manual (../shared/reference/suv/)
and doc/design/pet2suv-research.md, sharing no code with qidcm (model()
below). The tool's outputs are read independently:
  - the image (NRRD parsed here, NIfTI with nibabel) on the PET grid;
  - the RWVM with pydicom, item by item, applied to the stored values
    (test/interop/pixel_decode.py);
  - the PM with pydicom (frames placed by their Plane Position) and read back
    with paramap2itkimage;
  - the JSON record: branch, inputs, per-slice factors, mappings, warnings.

Cases:
  dro-*        the six IBSI SUV DROs (../shared/data/suv_computation/DRO):
               inside the mask, min 0.20, median 1.00, max 4.00 (+-0.005) from
               the image, the PM and the RWVM; 0 outside; dciodvfy on RWVM and
               PM (the PM inherits the DROs' Study UID = Frame of Reference UID).
  one synthetic series per rule (test/e2e/pet_synth.py): units-*, slope-*,
               gml-*, cm2ml, cnts-*, cps-*, weight-grams, dose-mbq, decay-*,
               series-after-acquisition, ge-*, rp-*, midnight, ga68,
               suvtype-*, nested-with-ct, compress-deflate. Each compares the
               tool's SUV (image, RWVM, PM, JSON factors) with the model's
               (relative 1e-6), and first checks that the model with the
               case's rule removed gives another SUV (or a refusal), so each
               case fails if its rule is removed from the tool.
  bad-*        refused inputs: exit 1, one error line naming a file and the
               attribute, no output file left.
  usage-*      no output (exit 2), --help, --version.
  sr-suvmax    pet2suv -> itkimage2segimage (hot-sphere label on the PET grid)
               -> tid1500writer (SUVmax referencing the RWVM) -> PixelMed's
               DicomSRValidator and dciodvfy with no error.

Usage: pet2suv_cases.py --list | <case> --bin <build/apps> --tools <dir> --work <dir>
"""
import datetime
import gzip
import json
import math
import os
import re
import sys

import seg_common
import pet_synth
from seg_common import CaseFailed, SHARED, INTEROP, np, pydicom
from testdeps import lazy

nibabel = lazy("nibabel")

TOOL = "pet2suv"
DRO = os.path.join(SHARED, "suv_computation", "DRO")
DROS = ["DRO_0_0", "DRO_1_0", "DRO_2_0", "DRO_2_4", "DRO_3_0", "DRO_4_2"]
DRO_STATS = (0.20, 1.00, 4.00)
DRO_TOL = 0.005
RTOL = 1e-6
RWVM_CLASS = "1.2.840.10008.5.1.4.1.1.67"
PM_CLASS = "1.2.840.10008.5.1.4.1.1.30"
EXPLICIT_LE = "1.2.840.10008.1.2.1"
DEFLATED = "1.2.840.10008.1.2.1.99"
# The DROs' PET series carry a Study Instance UID equal to their Frame of
# Reference UID; an output in the same study and frame of reference inherits both.
DRO_STUDY_IS_FRAME = ("Error - StudyInstanceUID has same value as FrameOfReferenceUID "
                      "<1.2.826.0.1.3680043.8.498.9552046624551246673304>")

QUANTITY_CONCEPT = ("246205007", "SCT", "Quantity")
METHOD_CONCEPT = ("370129005", "SCT", "Measurement Method")
# --suvType -> quantity, measurement method, units (UCUM), LUT Label (PS3.16 CID 7180, CID 85)
CODES = {
    "bw": (("126401", "DCM", "SUVbw"), ("126410", "DCM", "SUV body weight calculation method"),
           ("g/ml{SUVbw}", "UCUM", "Standardized Uptake Value body weight"), "SUVbw"),
    "lbm": (("126406", "DCM", "SUVlbm(James128)"),
            ("126415", "DCM", "SUV lean body mass calculation method using 128 multiplier"),
            ("g/ml{SUVlbm(James128)}", "UCUM", "Standardized Uptake Value lean body mass (James 128 multiplier)"),
            "SUVlbmJames128"),
    "lbmjanma": (("126405", "DCM", "SUVlbm(Janma)"),
                 ("126414", "DCM", "SUV lean body mass calculation Janmahasatian method"),
                 ("g/ml{SUVlbm(Janma)}", "UCUM", "Standardized Uptake Value lean body mass (Janma)"), "SUVlbmJanma"),
    "bsa": (("126403", "DCM", "SUVbsa"), ("126412", "DCM", "SUV body surface area calculation method"),
            ("cm2/ml{SUVbsa}", "UCUM", "Standardized Uptake Value body surface area"), "SUVbsa"),
    "ibw": (("126404", "DCM", "SUVibw"), ("126413", "DCM", "SUV ideal body weight calculation method"),
            ("g/ml{SUVibw}", "UCUM", "Standardized Uptake Value ideal body weight"), "SUVibw"),
}


# ---------------------------------------------------------------- reading the PET series (pydicom)

def parse_da(s):
    s = str(s).strip()
    return datetime.datetime(int(s[0:4]), int(s[4:6]), int(s[6:8]))


def parse_tm(s):
    """Seconds since midnight of a TM (HH, HHMM, HHMMSS, HHMMSS.frac)."""
    s = str(s).strip()
    h = int(s[0:2])
    m = int(s[2:4]) if len(s) >= 4 else 0
    sec = float(s[4:]) if len(s) > 4 else 0.0
    return h * 3600 + m * 60 + sec


def parse_dt(s):
    s = str(s).strip()
    for sign in "+-":
        at = s.find(sign, 8)
        if at > 0:
            s = s[:at]
    d = parse_da(s[:8])
    return d + datetime.timedelta(seconds=parse_tm(s[8:]) if len(s) > 8 else 0)


def date_time(da, tm):
    if not da or not tm:
        return None
    return parse_da(da) + datetime.timedelta(seconds=parse_tm(tm))


def value(ds, keyword):
    """A header value as text, None when absent or empty."""
    if keyword not in ds:
        return None
    v = ds.get(keyword)
    if v is None or str(v).strip() == "":
        return None
    return v


def private(ds, group, creator, element):
    """(text, raw): a private element's value under `creator`; without any creator in
    the group, the raw tag (group, 0x10xx)."""
    owners = {}
    for block in range(0x10, 0x100):
        tag = (group << 16) | block
        if tag in ds:
            owners[str(ds[tag].value).strip()] = block
    if creator in owners:
        tag = (group << 16) | (owners[creator] << 8) | element
        return (str(ds[tag].value).strip() if tag in ds else None), False
    if owners:
        return None, False
    tag = (group << 16) | 0x1000 | element
    if tag in ds and ds[tag].VR not in ("UN", "OB"):
        v = ds[tag].value
        v = v.decode() if isinstance(v, bytes) else str(v)
        return v.strip(), True
    return None, False


class Slice:
    pass


class Pet:
    """A PET series read with pydicom: slices sorted along the normal, the
    first slice's headers (ds), the grid (imagedump dict)."""


def read_pet(directory, pixels=True):
    """The PT images under directory (subdirectories included)."""
    files = sorted(os.path.join(d, n) for d, _, names in os.walk(directory) for n in names)
    slices = []
    for path in files:
        ds = pydicom.dcmread(path, stop_before_pixels=not pixels)
        if str(ds.get("Modality", "")) != "PT":
            continue
        s = Slice()
        s.path, s.ds = path, ds
        s.uid, s.sop_class = str(ds.SOPInstanceUID), str(ds.SOPClassUID)
        s.position = [float(v) for v in ds.ImagePositionPatient]
        s.slope = float(ds.RescaleSlope) if value(ds, "RescaleSlope") is not None else 1.0
        s.intercept = float(ds.RescaleIntercept) if value(ds, "RescaleIntercept") is not None else 0.0
        s.acquisition = date_time(value(ds, "AcquisitionDate"), value(ds, "AcquisitionTime"))
        s.stored = seg_common.seg_decode.pixel_decode.frames(ds, path)[0] if pixels else None
        slices.append(s)
    first = slices[0].ds
    o = [float(v) for v in first.ImageOrientationPatient]
    row, col = np.array(o[:3]), np.array(o[3:])
    normal = np.cross(row, col)
    slices.sort(key=lambda s: float(np.dot(s.position, normal)))
    p = Pet()
    p.directory, p.slices, p.ds = directory, slices, slices[0].ds
    p.series_uid = str(p.ds.SeriesInstanceUID)
    ps = [float(v) for v in p.ds.PixelSpacing]
    step = float(np.dot(np.subtract(slices[1].position, slices[0].position), normal)) if len(slices) > 1 else 1.0
    p.grid = {"size": [int(p.ds.Columns), int(p.ds.Rows), len(slices)], "origin": slices[0].position,
              "spacing": [ps[1], ps[0], step], "direction": [row.tolist(), col.tolist(), normal.tolist()]}
    p.normal = normal
    if pixels:
        p.stored = np.stack([s.stored for s in slices]).astype(np.float64)
    return p


# ---------------------------------------------------------------- the model (independent of qidcm)

LN2 = math.log(2.0)


def lean_body_mass(kind, w, h, sex):
    """kg; w in kg, h in cm; kind LBM (Morgan, 120), LBMJAMES128, LBMJANMA, IBW; sex O = mean of M and F."""
    def one(s):
        if kind in ("LBM", "LBMJAMES128"):
            if s == "M":
                return 1.10 * w - (120.0 if kind == "LBM" else 128.0) * (w / h) ** 2
            return 1.07 * w - 148.0 * (w / h) ** 2
        if kind == "LBMJANMA":
            bmi = w / (h / 100.0) ** 2
            return 9270.0 * w / (6680.0 + 216.0 * bmi) if s == "M" else 9270.0 * w / (8780.0 + 244.0 * bmi)
        if kind == "IBW":
            return 48.0 + 1.06 * (h - 152.0) if s == "M" else 45.5 + 0.91 * (h - 152.0)
        raise ValueError(kind)
    return (one("M") + one("F")) / 2.0 if sex == "O" else one(sex)


def du_bois(w, h):
    """m2; w in kg, h in cm."""
    return 0.007184 * h ** 0.725 * w ** 0.425


class Refused(Exception):
    pass


class Expected:
    """factors (by slice, ascending position), and what the JSON should say."""


def model(pet, suv_type="bw", drop=()):
    """The expected SUV factor of every slice (SUV = stored x factor), from the
    manual's rules; `drop` removes named rules (to show a case depends on them).
    Raises Refused where SUV cannot be computed."""
    drop = set(drop)
    ds = pet.ds
    e = Expected()
    e.warnings = []
    slopes = [s.slope for s in pet.slices]
    if "slope-per-slice" in drop:
        slopes = [slopes[0]] * len(slopes)
    if any(s.intercept != 0 for s in pet.slices):
        raise Refused("RescaleIntercept")
    units = str(value(ds, "Units") or "")
    decay_mode = str(value(ds, "DecayCorrection") or "")
    corrected = ds.get("CorrectedImage") or []
    corrected = [str(corrected)] if isinstance(corrected, str) else [str(v) for v in corrected]
    if "ATTN" not in corrected or (decay_mode != "NONE" and "DECY" not in corrected):
        raise Refused("CorrectedImage")
    w = float(value(ds, "PatientWeight") or 0)
    if w <= 0:
        raise Refused("PatientWeight")
    if w > 1000 and "grams" not in drop:
        w /= 1000.0
        e.warnings.append("gram")
    e.weight = w
    size = value(ds, "PatientSize")
    h = float(size) * 100.0 if size is not None else None
    sex = str(value(ds, "PatientSex") or "")
    if "sex-o-mean" in drop and sex == "O":
        sex = "M"

    def body(kind):
        if h is None or h <= 0:
            raise Refused("PatientSize")
        if sex not in ("M", "F", "O"):
            raise Refused("PatientSex")
        return lean_body_mass(kind, w, h, sex)

    cm2ml_as_gml = "cm2ml" in drop and units == "CM2ML"
    if cm2ml_as_gml:
        units = "GML"
    if "units" in drop:
        units = "BQML"
    e.decay_factor = None
    e.reference = ""
    e.t_ref = e.t_adm = None
    e.administration = ""
    e.previous_day = False
    e.dose = None
    activity = None  # Bq/ml per stored value, by slice (for the decay branches)
    if units == "GML":
        e.branch = "GML"
        st = str(value(ds, "SUVType") or "BW")
        if "gml-suv-type" in drop or cm2ml_as_gml:
            st = "BW"
        if "lbm-128" in drop and st == "LBMJAMES128":
            st = "LBM"
        factors = [m * (1.0 if st == "BW" else w / body(st)) for m in slopes]
    elif units == "CM2ML":
        e.branch = "CM2ML"
        if h is None or h <= 0:
            raise Refused("PatientSize")
        factors = [m * w * 1000.0 / (du_bois(w, h) * 1e4) for m in slopes]
    else:
        suv_f, raw_s = private(ds, 0x7053, pet_synth.PHILIPS_CREATOR, 0x00)
        ac_f, raw_a = private(ds, 0x7053, pet_synth.PHILIPS_CREATOR, 0x09)
        if "philips-suv" in drop:
            suv_f = None
        if units == "CNTS" and suv_f is not None and float(suv_f) != 0:
            e.branch = "CNTS (SUV factor)"
            if raw_s:
                e.warnings.append("creator")
            factors = [m * float(suv_f) for m in slopes]
        elif units == "CNTS" and ac_f is not None and float(ac_f) != 0 and "philips-ac" not in drop:
            e.branch = "CNTS (activity factor)"
            if raw_a:
                e.warnings.append("creator")
            activity = [m * float(ac_f) for m in slopes]
        elif units == "CPS":
            e.branch = "CPS"
            ps = [float(v) for v in ds.PixelSpacing]
            voxel_ml = ps[0] * ps[1] * float(ds.SliceThickness) / 1000.0
            if "cps-voxel" in drop:
                voxel_ml = 1.0
            if "DCAL" in corrected and "cps-dcal" not in drop:
                calibration = 1.0
            else:
                if value(ds, "DoseCalibrationFactor") is None:
                    raise Refused("DoseCalibrationFactor")
                calibration = 1.0 if "cps-calibration" in drop else float(ds.DoseCalibrationFactor)
            activity = [m * calibration / voxel_ml for m in slopes]
        elif units == "BQML":
            e.branch = "BQML"
            activity = list(slopes)
        else:
            raise Refused("Units")
    if activity is not None:
        rp = ds.RadiopharmaceuticalInformationSequence[0] if value(ds, "RadiopharmaceuticalInformationSequence") \
            else pydicom.dataset.Dataset()
        d = float(value(rp, "RadionuclideTotalDose") or 0)
        if d <= 0:
            raise Refused("RadionuclideTotalDose")
        if d <= 1e5 and "mbq" not in drop:
            d *= 1e6
            e.warnings.append("mbq")
        e.dose = d
        half = 6586.2 if "half-life" in drop else float(value(rp, "RadionuclideHalfLife") or 0)
        if half <= 0:
            raise Refused("RadionuclideHalfLife")
        lam = LN2 / half
        mode = decay_mode
        if "decay" in drop and mode == "START":
            mode = "ADMIN"
        if "admin" in drop and mode == "ADMIN":
            mode = "START"
        if "none-per-slice" in drop and mode == "NONE":
            mode = "START"
        series = date_time(value(ds, "SeriesDate"), value(ds, "SeriesTime"))
        acquisitions = [s.acquisition for s in pet.slices if s.acquisition is not None]
        earliest = min(acquisitions) if acquisitions else None
        ge, _ = private(ds, 0x0009, pet_synth.GE_CREATOR, 0x0D)
        if "ge-private" in drop:
            ge = None
        if ge and "ge-over-series" in drop:
            t_ref, e.reference = parse_dt(ge), "GE (0009,100D)"
        elif series is not None and (earliest is None or series <= earliest or "series-after-acquisition" in drop):
            t_ref, e.reference = series, "Series Date/Time"
        elif ge:
            t_ref, e.reference = parse_dt(ge), "GE (0009,100D)"
        elif earliest is not None:
            t_ref, e.reference = earliest, "earliest Acquisition Date/Time"
        else:
            raise Refused("SeriesTime")
        dt_text, tm_text = value(rp, "RadiopharmaceuticalStartDateTime"), value(rp, "RadiopharmaceuticalStartTime")
        if ("datetime-preferred" in drop and tm_text) or "rp-datetime" in drop:
            dt_text = None
        if "rp-time" in drop:
            tm_text = None
        if dt_text:
            t_adm, e.administration = parse_dt(dt_text), "DateTime"
        elif tm_text:
            midnight_before = datetime.datetime(t_ref.year, t_ref.month, t_ref.day)
            t_adm = midnight_before + datetime.timedelta(seconds=parse_tm(tm_text))
            if t_adm > t_ref and "midnight" not in drop:
                t_adm -= datetime.timedelta(days=1)
                e.previous_day = True
            e.administration = "Time"
        else:
            raise Refused("RadiopharmaceuticalStartTime")
        e.t_ref, e.t_adm = t_ref, t_adm
        if mode == "ADMIN":
            # decay-corrected to the injection: neither time is used
            e.decay_factor, e.reference, e.t_ref, e.t_adm, e.administration = 1.0, "administration", None, None, ""
            factors = [a * w * 1000.0 / d for a in activity]
        elif mode == "START":
            e.decay_factor = math.exp(-lam * (t_ref - t_adm).total_seconds())
            factors = [a * w * 1000.0 / (d * e.decay_factor) for a in activity]
        elif mode == "NONE":
            e.reference, e.t_ref = "per slice Acquisition Date/Time", None
            t = float(ds.ActualFrameDuration) / 1000.0
            average = lam * t / (1.0 - math.exp(-lam * t))
            factors = [a * w * 1000.0 / d * average * math.exp(lam * (s.acquisition - t_adm).total_seconds())
                       for a, s in zip(activity, pet.slices)]
        else:
            raise Refused("DecayCorrection")
    # --suvType: SUVtype = SUVbw x normalisation
    if suv_type == "bw" or "suv-type-normalisation" in drop:
        e.normalisation = 1.0
    elif suv_type == "lbm":
        e.normalisation = body("LBM" if "lbm-128" in drop else "LBMJAMES128") / w
    elif suv_type == "lbmjanma":
        e.normalisation = body("LBMJANMA") / w
    elif suv_type == "ibw":
        e.normalisation = body("IBW") / w
    elif suv_type == "bsa":
        if h is None or h <= 0:
            raise Refused("PatientSize")
        e.normalisation = du_bois(w, h) * 1e4 / (w * 1000.0)
    e.factors = [f * e.normalisation for f in factors]
    e.units = units
    e.decay_mode = decay_mode
    return e


def differs(a, b):
    return any(abs(x - y) > 1e-3 * max(abs(x), abs(y)) for x, y in zip(a, b))


def rule_matters(ctx, pet, suv_type, want, rules):
    """Each rule, removed from the model, gives another SUV (or a refusal): so the
    case would fail for a tool without it."""
    for rule in rules:
        try:
            other = model(pet, suv_type, drop=[rule]).factors
        except Refused as r:
            print(f"without the rule {rule!r} the series is refused ({r})")
            continue
        if not ctx.check(differs(other, want), f"self-check: removing the rule {rule!r} does not change the SUV"):
            continue
        print(f"without the rule {rule!r} the SUV factors would be {other[:3]}..., not {want[:3]}...")


# ---------------------------------------------------------------- reading the outputs

def read_nrrd(path):
    """(grid, array (slices, rows, columns)) of a 3-D scalar NRRD in LPS space (raw or gzip)."""
    with open(path, "rb") as f:
        data = f.read()
    end = data.index(b"\n\n")
    fields = {}
    for line in data[:end].decode("latin-1").splitlines()[1:]:
        if line.startswith("#") or ":" not in line:
            continue
        k, v = line.split(":", 1)
        fields[k.strip().lower()] = v.strip().lstrip("=").strip()
    body = data[end + 2:]
    if fields.get("encoding") in ("gzip", "gz"):
        body = gzip.decompress(body)
    elif fields.get("encoding") != "raw":
        raise CaseFailed(f"{path}: NRRD encoding {fields.get('encoding')}")
    types = {"float": "f4", "double": "f8", "short": "i2", "ushort": "u2", "unsigned short": "u2", "uchar": "u1",
             "unsigned char": "u1", "int": "i4"}
    dt = np.dtype(("<" if fields.get("endian", "little") == "little" else ">") + types[fields["type"]])
    sizes = [int(v) for v in fields["sizes"].split()]
    if len(sizes) != 3:
        raise CaseFailed(f"{path}: sizes {sizes}, expected a 3-D scalar image")
    space = fields.get("space", "")
    if space not in ("left-posterior-superior", "LPS"):
        raise CaseFailed(f"{path}: space {space!r}")
    vectors = fields["space directions"].replace(") (", ")|(").split("|")
    dirs = [[float(x) for x in v.strip("()").split(",")] for v in vectors]
    origin = [float(x) for x in fields["space origin"].strip("()").split(",")]
    spacing = [float(np.linalg.norm(d)) for d in dirs]
    grid = {"size": sizes, "origin": origin, "spacing": spacing,
            "direction": [(np.array(d) / s).tolist() for d, s in zip(dirs, spacing)], "dtype": dt.str}
    a = np.frombuffer(body, dtype=dt, count=sizes[0] * sizes[1] * sizes[2]).reshape(sizes[2], sizes[1], sizes[0])
    return grid, a.astype(dt.newbyteorder("="))


def read_nifti_on(path, grid):
    """A NIfTI image (nibabel) re-indexed onto `grid` ((None, reason) when the voxel centres differ)."""
    img = nibabel.load(path)
    a = np.asarray(img.dataobj)
    if a.ndim != 3:
        raise CaseFailed(f"{path}: {a.ndim}-D")
    lps = np.diag([-1.0, -1.0, 1.0]) @ img.affine[:3, :4]
    axes = lps[:, :3]
    spacing = [float(np.linalg.norm(axes[:, c])) for c in range(3)]
    src = {"size": list(a.shape), "origin": lps[:, 3].tolist(), "spacing": spacing,
           "direction": [(axes[:, c] / spacing[c]).tolist() for c in range(3)]}
    return seg_common.to_grid(src, np.transpose(a, (2, 1, 0)), grid)


def close(got, want, rtol=RTOL):
    got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
    return np.abs(got - want) <= rtol * np.abs(want) + 1e-300


def compare(ctx, what, got, want, rtol=RTOL):
    ok = close(got, want, rtol)
    if ok.all():
        print(f"{what}: equals the expected SUV ({ok.size} values, rtol {rtol})")
        return True
    bad = np.argwhere(~ok)
    k = tuple(bad[0])
    ctx.fail(f"{what}: {len(bad)} of {ok.size} values differ from the expected SUV; first at (k,j,i)={k}: "
             f"{got[k]!r} vs {want[k]!r} (ratio {got[k] / want[k] if want[k] else float('nan'):.9g})")
    return False


def code3(item):
    """(value, scheme, meaning); a value over 16 characters is a Long Code Value (0008,0119)."""
    v = item.get("CodeValue") or item.get("LongCodeValue") or item.get("URNCodeValue")
    return (str(v), str(item.CodingSchemeDesignator), str(item.CodeMeaning))


def check_codes(ctx, where, mapping, suv_type):
    quantity, method, units, _ = CODES[suv_type]
    u = mapping.get("MeasurementUnitsCodeSequence")
    ctx.check(u is not None and len(u) == 1 and code3(u[0]) == units,
              f"{where}: Measurement Units {[code3(i) for i in u] if u else None}, expected {units}")
    ctx.check(str(mapping.get("LUTExplanation", "")) == units[2],
              f"{where}: LUT Explanation {mapping.get('LUTExplanation')!r}, expected {units[2]!r}")
    label = str(mapping.get("LUTLabel", ""))
    ctx.check(0 < len(label) <= 16, f"{where}: LUT Label {label!r} is not 1 to 16 characters (SH)")
    q = mapping.get("QuantityDefinitionSequence")
    got = {}
    for item in q or []:
        if str(item.get("ValueType", "")) != "CODE":
            ctx.fail(f"{where}: Quantity Definition item of Value Type {item.get('ValueType')}")
            continue
        got[code3(item.ConceptNameCodeSequence[0])] = code3(item.ConceptCodeSequence[0])
    want = {QUANTITY_CONCEPT: quantity, METHOD_CONCEPT: method}
    ctx.check(got == want and len(q or []) == 2, f"{where}: Quantity Definition {got}, expected {want}")
    return label


def json_code(c):
    return (c.get("CodeValue"), c.get("CodingSchemeDesignator"), c.get("CodeMeaning")) if isinstance(c, dict) else None


def groups_of(pet, factors):
    """Slices with the same factor (relative 1e-12) in one group, groups in order of first appearance."""
    groups = []
    for s, f in zip(pet.slices, factors):
        for g in groups:
            if abs(g[0] - f) <= 1e-12 * abs(f):
                g[1].append(s.uid)
                break
        else:
            groups.append((f, [s.uid]))
    return groups


class Outputs:
    pass


def convert(ctx, pet_dir, suv_type=None, image=".nrrd", flags=(), name="out"):
    """Runs pet2suv with all four outputs into ctx/<name>/; raises CaseFailed on a failure."""
    o = Outputs()
    d = ctx.path(name)
    os.makedirs(d, exist_ok=True)
    o.rwvm, o.pm, o.image, o.json = (os.path.join(d, "rwvm.dcm"), os.path.join(d, "pm.dcm"),
                                     os.path.join(d, "suv" + image), os.path.join(d, "suv.json"))
    cmd = [ctx.exe(TOOL), "--inputDICOMDirectory", pet_dir, "--outputRWVM", o.rwvm, "--outputParametricMap", o.pm,
           "--outputImage", o.image, "--outputMetadata", o.json] + (["--suvType", suv_type] if suv_type else [])
    o.r = ctx.must(cmd + list(flags), TOOL)
    try:
        with open(o.json) as f:
            o.meta = json.load(f)
    except (OSError, ValueError) as e:
        raise CaseFailed(f"{o.json}: {e}")
    return o


def check_rwvm(ctx, path, pet, want, suv_type="bw", transfer_syntax=EXPLICIT_LE):
    """The RWVM object, item by item; returns the SUV (slices, rows, columns) it gives
    (stored x the slope of the slice's item)."""
    ds = pydicom.dcmread(path)
    ctx.check(str(ds.file_meta.TransferSyntaxUID) == transfer_syntax,
              f"RWVM transfer syntax {ds.file_meta.TransferSyntaxUID}, expected {transfer_syntax}")
    ctx.check(str(ds.SOPClassUID) == RWVM_CLASS, f"RWVM SOP Class {ds.SOPClassUID}")
    ctx.check(str(ds.get("Modality")) == "RWV", f"RWVM Modality {ds.get('Modality')}")
    for keyword in ("PatientName", "PatientID", "PatientBirthDate", "PatientSex", "StudyInstanceUID", "StudyDate",
                    "StudyTime", "StudyID", "AccessionNumber", "ReferringPhysicianName"):
        if keyword in pet.ds:
            ctx.check(str(ds.get(keyword, "")) == str(pet.ds.get(keyword, "")),
                      f"RWVM {keyword} {ds.get(keyword)!r} is not the PET's {pet.ds.get(keyword)!r}")
    ctx.check(str(ds.SeriesInstanceUID) != pet.series_uid, "the RWVM is in the PET's series")
    pr = int(pet.ds.PixelRepresentation)
    bits = int(pet.ds.BitsStored)
    lo, hi = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if pr else (0, (1 << bits) - 1)
    vr = "SS" if pr else "US"
    by_uid = {s.uid: (k, s) for k, s in enumerate(pet.slices)}
    slope_of = {}
    items = ds.get("ReferencedImageRealWorldValueMappingSequence") or []
    expected_groups = groups_of(pet, want)
    ctx.check(len(items) == len(expected_groups),
              f"RWVM: {len(items)} Referenced Image RWVM items, expected {len(expected_groups)} "
              "(one per distinct factor)")
    label = None
    for n, item in enumerate(items):
        where = f"RWVM item {n + 1}"
        refs = [(str(r.ReferencedSOPClassUID), str(r.ReferencedSOPInstanceUID))
                for r in item.get("ReferencedImageSequence") or []]
        maps = item.get("RealWorldValueMappingSequence") or []
        if not ctx.check(len(maps) == 1, f"{where}: {len(maps)} Real World Value Mapping items, expected 1"):
            continue
        m = maps[0]
        slope = float(m.RealWorldValueSlope)
        ctx.check(float(m.RealWorldValueIntercept) == 0.0, f"{where}: intercept {m.RealWorldValueIntercept}")
        for keyword, v in (("RealWorldValueFirstValueMapped", lo), ("RealWorldValueLastValueMapped", hi)):
            if not ctx.check(keyword in m, f"{where}: no {keyword}"):
                continue
            ctx.check(m[keyword].VR == vr, f"{where}: {keyword} is {m[keyword].VR}, expected {vr} "
                                           f"(Pixel Representation {pr})")
            ctx.check(int(m[keyword].value) == v, f"{where}: {keyword} {m[keyword].value}, expected {v} "
                                                  f"(Bits Stored {bits})")
        label = check_codes(ctx, where, m, suv_type)
        for sop_class, uid in refs:
            if not ctx.check(uid in by_uid, f"{where}: references {uid}, not a PET instance"):
                continue
            k, s = by_uid[uid]
            ctx.check(sop_class == s.sop_class, f"{where}: {uid} with SOP Class {sop_class}")
            ctx.check(uid not in slope_of, f"{where}: {uid} is referenced again")
            slope_of[uid] = slope
            ctx.check(close(slope, want[k]), f"{where}: slope {slope!r} for slice {k} ({uid}), expected {want[k]!r}")
        if n < len(expected_groups):
            ctx.check(sorted(u for _, u in refs) == sorted(expected_groups[n][1]),
                      f"{where}: references slices {sorted(by_uid[u][0] for _, u in refs if u in by_uid)}, "
                      f"expected {sorted(by_uid[u][0] for u in expected_groups[n][1])} (items in order of first "
                      f"appearance along ascending position)")
    missing = [k for k, s in enumerate(pet.slices) if s.uid not in slope_of]
    ctx.check(not missing, f"RWVM: slices {missing} are referenced by no item")
    if label is not None:
        ctx.check(label == CODES[suv_type][3], f"RWVM LUT Label {label!r}, expected {CODES[suv_type][3]!r}")
    # Common Instance Reference
    series = ds.get("ReferencedSeriesSequence") or []
    listed = []
    for item in series:
        ctx.check(str(item.SeriesInstanceUID) == pet.series_uid,
                  f"Referenced Series Sequence names series {item.SeriesInstanceUID}")
        listed += [str(r.ReferencedSOPInstanceUID) for r in item.get("ReferencedInstanceSequence") or []]
    ctx.check(len(series) == 1 and sorted(listed) == sorted(s.uid for s in pet.slices),
              f"Common Instance Reference: {len(series)} series, {len(listed)} instances "
              f"({len(set(listed))} distinct), expected 1 series of {len(pet.slices)}")
    return np.stack([s.stored * slope_of.get(s.uid, np.nan) for s in pet.slices])


def check_pm(ctx, path, pet, expected_suv, suv_type="bw", transfer_syntax=EXPLICIT_LE):
    """The parametric map: pydicom (frames by Plane Position) and paramap2itkimage; returns
    the SUV read back by paramap2itkimage on the PET grid."""
    ds = pydicom.dcmread(path)
    ctx.check(str(ds.file_meta.TransferSyntaxUID) == transfer_syntax,
              f"PM transfer syntax {ds.file_meta.TransferSyntaxUID}, expected {transfer_syntax}")
    ctx.check(str(ds.SOPClassUID) == PM_CLASS, f"PM SOP Class {ds.SOPClassUID}")
    ctx.check("FloatPixelData" in ds, "the PM has no Float Pixel Data (float32)")
    n = int(ds.get("NumberOfFrames", 0))
    ctx.check(n == len(pet.slices), f"PM: {n} frames, the PET has {len(pet.slices)} slices")
    ctx.check(str(ds.get("StudyInstanceUID")) == str(pet.ds.StudyInstanceUID), "PM: not in the PET's study")
    shared = ds.SharedFunctionalGroupsSequence[0]
    maps = shared.get("RealWorldValueMappingSequence") or []
    if ctx.check(len(maps) == 1, f"PM: {len(maps)} shared Real World Value Mapping items, expected 1"):
        m = maps[0]
        ctx.check(float(m.RealWorldValueSlope) == 1.0 and float(m.RealWorldValueIntercept) == 0.0,
                  f"PM mapping: slope {m.RealWorldValueSlope}, intercept {m.RealWorldValueIntercept}, expected 1 and 0")
        label = check_codes(ctx, "PM mapping", m, suv_type)
        ctx.check(label == CODES[suv_type][3], f"PM LUT Label {label!r}, expected {CODES[suv_type][3]!r}")
    if "FloatPixelData" in ds and n == len(pet.slices):
        frames = seg_common.seg_decode.pixel_decode.frames(ds, path)
        got = np.full(expected_suv.shape, np.nan)
        for frame, item in zip(frames, ds.PerFrameFunctionalGroupsSequence):
            ipp = [float(v) for v in item.PlanePositionSequence[0].ImagePositionPatient]
            ks = [k for k, s in enumerate(pet.slices) if np.allclose(s.position, ipp, atol=1e-3)]
            if ctx.check(len(ks) == 1, f"PM frame at {ipp} is on no PET slice"):
                got[ks[0]] = frame
        compare(ctx, "PM frames (pydicom)", got, expected_suv)
    back = ctx.path("pm-back")
    ctx.must([ctx.exe("paramap2itkimage"), "--inputDICOM", path, "--outputDirectory", back], "paramap2itkimage")
    grid, a = read_nrrd(os.path.join(back, "pmap.nrrd"))
    diff = seg_common.grid_difference(grid, pet.grid)
    if not ctx.check(diff is None, f"PM read back by paramap2itkimage: grid differs from the PET's: {diff}"):
        return None
    compare(ctx, "PM read back by paramap2itkimage", a, expected_suv)
    return a


def check_image(ctx, path, pet, expected_suv):
    if path.endswith(".nrrd"):
        grid, a = read_nrrd(path)
        ctx.check(grid["dtype"] == "<f4", f"image type {grid['dtype']}, expected float32")
        diff = seg_common.grid_difference(grid, pet.grid)
        if not ctx.check(diff is None, f"image grid differs from the PET's: {diff}"):
            return None
    else:
        ctx.check(np.asarray(nibabel.load(path).dataobj).dtype == np.float32, "image is not float32")
        a, why = read_nifti_on(path, pet.grid)
        if not ctx.check(a is not None, f"image is not on the PET grid: {why}"):
            return None
    compare(ctx, "image", a, expected_suv)
    return a


def check_json(ctx, o, pet, e, suv_type="bw", inputs=(), private_sources=(), warnings=None):
    """The JSON record against the model: branch, weight, dose, decay, normalisation,
    per-slice factors, mappings; `inputs` names that must be listed with the PET's
    value; `private_sources` (name, tag text) pairs; `warnings` keywords (lower case)."""
    j = o.meta
    ctx.check(j.get("tool") == TOOL and j.get("version"), f"JSON tool/version {j.get('tool')!r} {j.get('version')!r}")
    ctx.check(j.get("seriesInstanceUID") == pet.series_uid, f"JSON seriesInstanceUID {j.get('seriesInstanceUID')}")
    ctx.check(j.get("suvType") == suv_type, f"JSON suvType {j.get('suvType')!r}, expected {suv_type!r}")
    quantity, method, units, _ = CODES[suv_type]
    for key, want in (("quantity", quantity), ("measurementMethod", method), ("units", units)):
        ctx.check(json_code(j.get(key)) == want, f"JSON {key} {j.get(key)}, expected {want}")
    b = j.get("branch") or {}
    ctx.check(b.get("units") == e.branch, f"JSON branch.units {b.get('units')!r}, expected {e.branch!r}")
    if e.reference:
        ctx.check(b.get("decayCorrection") == e.decay_mode,
                  f"JSON branch.decayCorrection {b.get('decayCorrection')!r}, expected {e.decay_mode!r}")
    ctx.check((b.get("referenceTime") or "") == e.reference,
              f"JSON branch.referenceTime {b.get('referenceTime')!r}, expected {e.reference!r}")
    admin = b.get("administrationTime") or ""
    if e.administration == "DateTime":
        ctx.check("DateTime" in admin, f"JSON branch.administrationTime {admin!r} does not name the Start DateTime")
    elif e.administration == "Time":
        ctx.check("Start Time" in admin and ("day before" in admin) == e.previous_day,
                  f"JSON branch.administrationTime {admin!r}: expected the Start Time"
                  + (", the day before" if e.previous_day else ", on the reference date"))
    for key, want in (("referenceDateTime", e.t_ref), ("administrationDateTime", e.t_adm)):
        if want is None:
            continue
        try:
            got = datetime.datetime.fromisoformat(str(j.get(key)))
        except ValueError:
            got = None
        ctx.check(got == want, f"JSON {key} {j.get(key)!r}, expected {want.isoformat()}")
    ctx.check(close(j.get("weightKg", float("nan")), e.weight),
              f"JSON weightKg {j.get('weightKg')}, expected {e.weight}")
    if e.dose is not None:
        ctx.check(close(j.get("doseBq", float("nan")), e.dose), f"JSON doseBq {j.get('doseBq')}, expected {e.dose}")
    if e.decay_factor is None:
        ctx.check("decayFactor" not in j,
                  f"JSON decayFactor {j.get('decayFactor')} where no single decay factor is used")
    else:
        ctx.check(close(j.get("decayFactor", float("nan")), e.decay_factor),
                  f"JSON decayFactor {j.get('decayFactor')}, expected {e.decay_factor!r}")
    ctx.check(close(j.get("normalisation", float("nan")), e.normalisation),
              f"JSON normalisation {j.get('normalisation')}, expected {e.normalisation!r}")
    slices = j.get("slices") or []
    if ctx.check(len(slices) == len(pet.slices), f"JSON: {len(slices)} slices, the PET has {len(pet.slices)}"):
        for k, (got, s) in enumerate(zip(slices, pet.slices)):
            ok = got.get("sopInstanceUID") == s.uid and \
                np.allclose(got.get("position", [0, 0, 0]), s.position, atol=1e-4)
            if not ctx.check(ok, f"JSON slices[{k}] is {got.get('sopInstanceUID')} at {got.get('position')}, expected "
                                 f"{s.uid} at {s.position} (ascending along the normal)"):
                continue
            ctx.check(close(got.get("rescaleSlope", float("nan")), s.slope),
                      f"JSON slices[{k}].rescaleSlope {got.get('rescaleSlope')}, the header has {s.slope}")
            ctx.check(close(got.get("suvFactor", float("nan")), e.factors[k]),
                      f"JSON slices[{k}].suvFactor {got.get('suvFactor')!r}, expected {e.factors[k]!r}")
    groups = groups_of(pet, e.factors)
    mappings = j.get("mappings") or []
    ctx.check([m.get("instances") for m in mappings] == [len(g[1]) for g in groups] and
              all(close(m.get("slope", float("nan")), g[0]) for m, g in zip(mappings, groups)),
              f"JSON mappings {mappings}, expected {[{'slope': g[0], 'instances': len(g[1])} for g in groups]}")
    got_inputs = j.get("inputs") or {}
    for name in inputs:
        entry = got_inputs.get(name)
        if not ctx.check(isinstance(entry, dict) and "value" in entry and entry.get("source"),
                         f"JSON inputs.{name} missing or without value/source: {entry}"):
            continue
        header = input_value(pet, name)
        if header is not None:
            v = entry["value"]
            same = (close(float(v), float(header)) if isinstance(v, (int, float)) else str(v).strip() == str(header))
            ctx.check(same, f"JSON inputs.{name}.value {v!r}, the header has {header!r}")
    for name, tag in private_sources:
        entry = got_inputs.get(name) or {}
        ctx.check(any(t in str(entry.get("source", "")) for t in tag.split("|")),
                  f"JSON inputs.{name}.source {entry.get('source')!r} does not name {tag}")
    if warnings is not None:
        text = [str(w).lower() for w in j.get("warnings") or []]
        for word in warnings:
            ctx.check(any(word in w for w in text), f"JSON warnings {j.get('warnings')} have none about {word!r}")


INPUT_KEYWORDS = {"Units": "Units", "DecayCorrection": "DecayCorrection", "SUVType": "SUVType",
                  "PatientSex": "PatientSex", "PatientWeight": "PatientWeight", "PatientSize": "PatientSize",
                  "SeriesDate": "SeriesDate", "SeriesTime": "SeriesTime",
                  "ActualFrameDuration": "ActualFrameDuration", "DoseCalibrationFactor": "DoseCalibrationFactor"}
RP_KEYWORDS = {"RadionuclideTotalDose", "RadionuclideHalfLife", "RadiopharmaceuticalStartTime",
               "RadiopharmaceuticalStartDateTime"}


def input_value(pet, name):
    if name in INPUT_KEYWORDS:
        v = value(pet.ds, INPUT_KEYWORDS[name])
    elif name in RP_KEYWORDS:
        v = value(pet.ds.RadiopharmaceuticalInformationSequence[0], name)
    else:
        return None
    return None if v is None else str(v).strip()


def dciodvfy(ctx, path, known=(), may=()):
    cmd = [sys.executable, os.path.join(INTEROP, "dciodvfy_check.py"), path]
    for message in known:
        cmd += ["--known", message]
    for message in may:
        cmd += ["--may", message]
    r = ctx.run(cmd)
    ctx.check(r.returncode == 0, f"dciodvfy: {os.path.basename(path)} has errors")


# ---------------------------------------------------------------- synthetic cases

def synthetic(params, suv_type=None, rules=(), inputs=("Units", "PatientWeight"),
              private_sources=(), warnings=(), validate=False, flags=(), transfer_syntax=EXPLICIT_LE, extra=None,
              nested_with_ct=False):
    """A case: a synthetic series written with `params`, converted with all outputs,
    every output compared with the model's SUV; `rules` must each change the SUV.
    transfer_syntax is the PM's (--compress applies to the parametric map; the RWVM
    is always Explicit VR Little Endian). nested_with_ct: the PET series in a
    subdirectory, a CT series on the same grid in another (the PET is found and used)."""
    def case(ctx):
        pet_dir = ctx.path("pet")
        if nested_with_ct:
            pet_synth.write_pet(os.path.join(pet_dir, "study", "pet"), "pet", **params)
            pet_synth.write_ct(os.path.join(pet_dir, "study", "ct"), "ct")
        else:
            pet_synth.write_pet(pet_dir, "pet", **params)
        pet = read_pet(pet_dir)
        t = suv_type or "bw"
        try:
            e = model(pet, t)
        except Refused as r:
            raise CaseFailed(f"self-check: the model refuses the case's series ({r})")
        rule_matters(ctx, pet, t, e.factors, rules)
        suv = pet.stored * np.array(e.factors)[:, None, None]
        o = convert(ctx, pet_dir, suv_type, flags=flags)
        check_json(ctx, o, pet, e, t, inputs=inputs, private_sources=private_sources, warnings=list(warnings))
        check_image(ctx, o.image, pet, suv)
        compare(ctx, "RWVM slopes x stored values", check_rwvm(ctx, o.rwvm, pet, e.factors, t), suv)
        check_pm(ctx, o.pm, pet, suv, t, transfer_syntax)
        if validate:
            dciodvfy(ctx, o.rwvm)
            dciodvfy(ctx, o.pm)
        if extra:
            extra(ctx, o, pet, e)
    return case


# Interleaved slopes: slices 0,1,5 share one, 2,4,6 another, 3,7 a third.
SLOPES3 = ["0.5", "0.5", "0.25", "0.125", "0.25", "0.5", "0.25", "0.125"]
ACQ4 = ["110000", "110000", "110500", "110500", "111000", "111000", "111500", "111500"]
GML_SLOPE = "0.0001"


def gml(suv_type, sex):
    return dict(units="GML", suv_type=suv_type, slopes=GML_SLOPE, sex=sex, weight="82", size="1.68")


def gml_rules(st, sex):
    rules = ["gml-suv-type"]
    if sex == "O":
        rules.append("sex-o-mean")
    if st == "LBMJAMES128" and sex != "F":
        rules.append("lbm-128")
    return rules


def check_none_items(ctx, o, pet, e):
    # 4 acquisition times x 1 slope: 4 items, slices paired by time.
    ctx.check(len(o.meta.get("mappings") or []) == 4, f"NONE: {len(o.meta.get('mappings') or [])} mappings, expected 4")


CASES = {}

CASES["units-bqml"] = synthetic(dict(slopes="0.75"), rules=["decay"], validate=True,
                                inputs=("Units", "DecayCorrection", "PatientWeight", "RadionuclideTotalDose",
                                        "RadionuclideHalfLife", "SeriesDate", "SeriesTime",
                                        "RadiopharmaceuticalStartDateTime"), warnings=())
CASES["units-bqml-uint16"] = synthetic(dict(pixel_representation=0, slopes="0.375"), rules=["decay"], validate=True)
CASES["units-bqml-12-bits"] = synthetic(dict(pixel_representation=0, bits_stored=12, slopes="6.5"), rules=["decay"])
CASES["slope-per-slice"] = synthetic(dict(slopes=SLOPES3), rules=["slope-per-slice"], validate=True)
CASES["gml-bw"] = synthetic(dict(units="GML", suv_type="BW", slopes=GML_SLOPE), rules=["units"],
                            inputs=("Units", "PatientWeight", "SUVType"))
CASES["gml-bw-empty-suv-type"] = synthetic(dict(units="GML", suv_type=None, slopes=GML_SLOPE), rules=["units"],
                                           inputs=("Units", "PatientWeight"), warnings=["suv type"])
for _st in ("LBM", "LBMJAMES128", "LBMJANMA", "IBW"):
    for _sex in ("M", "F", "O"):
        CASES[f"gml-{_st.lower()}-{_sex.lower()}"] = synthetic(
            gml(_st, _sex), rules=gml_rules(_st, _sex),
            inputs=("Units", "SUVType", "PatientWeight", "PatientSize", "PatientSex"))
CASES["cm2ml"] = synthetic(dict(units="CM2ML", suv_type="BSA", slopes="0.01", weight="82", size="1.68"),
                           rules=["cm2ml"], inputs=("Units", "PatientWeight", "PatientSize"))
CASES["cnts-suv-factor"] = synthetic(dict(units="CNTS", philips_suv="0.00025", slopes=SLOPES3),
                                     rules=["philips-suv", "slope-per-slice"],
                                     private_sources=[("PhilipsSUVScaleFactor", "(7053,1000)")])
CASES["cnts-suv-factor-no-creator"] = synthetic(
    dict(units="CNTS", philips_suv="0.00025", philips_creator=False), rules=["philips-suv"],
    private_sources=[("PhilipsSUVScaleFactor", "(7053,1000)")], warnings=["creator"])
CASES["cnts-activity-factor"] = synthetic(
    dict(units="CNTS", philips_ac="2.5", slopes=SLOPES3), rules=["philips-ac", "decay", "slope-per-slice"],
    private_sources=[("PhilipsActivityConcentrationScaleFactor", "(7053,1009)")])
# The creator in block 0x11: the factor is (7053,1109); a raw (7053,1009) read finds nothing.
CASES["cnts-activity-factor-block-11"] = synthetic(
    dict(units="CNTS", philips_ac="2.5", philips_block=0x11), rules=["philips-ac"],
    private_sources=[("PhilipsActivityConcentrationScaleFactor", "(7053,1009)|(7053,1109)")])
CASES["cnts-both-factors"] = synthetic(dict(units="CNTS", philips_suv="0.00025", philips_ac="2.5"),
                                       rules=["philips-suv"])
CASES["cps-dcal"] = synthetic(
    dict(units="CPS", corrected_image=("NORM", "DTIM", "ATTN", "SCAT", "DECY", "RAN", "DCAL"), slopes="0.02",
         dose_calibration_factor="3.5"),
    rules=["cps-voxel", "cps-dcal"])
CASES["cps-calibration-factor"] = synthetic(dict(units="CPS", slopes="0.02", dose_calibration_factor="3.5"),
                                            rules=["cps-voxel", "cps-calibration"],
                                            inputs=("Units", "PatientWeight", "DoseCalibrationFactor"))
CASES["weight-grams"] = synthetic(dict(weight="70000"), rules=["grams"], warnings=["gram"])
CASES["dose-mbq"] = synthetic(dict(dose="370"), rules=["mbq"], warnings=["mbq"],
                              inputs=("Units", "RadionuclideTotalDose"))
CASES["decay-start"] = synthetic(dict(series_time="113000", acquisition_times="113000"), rules=["decay"])
CASES["decay-admin"] = synthetic(dict(decay_correction="ADMIN"), rules=["admin"])
CASES["decay-none"] = synthetic(
    dict(decay_correction="NONE", corrected_image=("NORM", "DTIM", "ATTN", "SCAT", "RAN"), acquisition_times=ACQ4),
    rules=["none-per-slice"], validate=True, extra=check_none_items,
    inputs=("Units", "DecayCorrection", "ActualFrameDuration"))
CASES["series-after-acquisition"] = synthetic(
    dict(series_time="113000", acquisition_times=["110500", "110000", "110200", "110400", "110600", "110800",
                                                  "111000", "111200"]),
    rules=["series-after-acquisition"])
CASES["ge-private-time"] = synthetic(
    dict(series_time="113000", acquisition_times="110500", ge_datetime="20250101104500"),
    rules=["ge-private", "series-after-acquisition"],
    private_sources=[("GEPostInjectionDateTime", "(0009,100D)")])
# GE's time differs, but the Series Time is not after the acquisition: the Series Time wins.
CASES["ge-private-series-wins"] = synthetic(
    dict(series_time="110000", acquisition_times="110500", ge_datetime="20250101104500"), rules=["ge-over-series"])
CASES["rp-datetime-only"] = synthetic(dict(rp_time=None, rp_datetime="20250101093000"), rules=["rp-datetime"],
                                      inputs=("RadiopharmaceuticalStartDateTime",))
CASES["rp-time-only"] = synthetic(dict(rp_datetime=None, rp_time="093000"), rules=["rp-time"],
                                  inputs=("RadiopharmaceuticalStartTime",))
CASES["rp-datetime-wins"] = synthetic(dict(rp_datetime="20250101093000", rp_time="100000"),
                                      rules=["datetime-preferred"])
CASES["midnight"] = synthetic(
    dict(rp_datetime=None, rp_time="233000", study_date="20250102", study_time="003000", series_date="20250102",
         series_time="003000", acquisition_dates="20250102", acquisition_times="003000"), rules=["midnight"])
CASES["ga68"] = synthetic(dict(half_life="4062.6", radiopharmaceutical="Ga-68 DOTATATE", rp_datetime="20250101101500",
                               rp_time="101500"), rules=["half-life"], inputs=("RadionuclideHalfLife",))
for _t in ("bw", "lbm", "lbmjanma", "bsa", "ibw"):
    CASES[f"suvtype-{_t}"] = synthetic(dict(sex="M", weight="82", size="1.68"), suv_type=_t, validate=True,
                                       rules=[] if _t == "bw" else ["suv-type-normalisation"] +
                                       (["lbm-128"] if _t == "lbm" else []))
CASES["suvtype-ibw-sex-o"] = synthetic(dict(sex="O", weight="82", size="1.68"), suv_type="ibw",
                                       rules=["suv-type-normalisation", "sex-o-mean"])
CASES["nested-with-ct"] = synthetic(dict(slopes=SLOPES3), nested_with_ct=True, rules=["slope-per-slice"])
CASES["compress-deflate"] = synthetic(dict(slopes=SLOPES3), flags=["--compress", "deflate"],
                                      transfer_syntax=DEFLATED, validate=True)


# ---------------------------------------------------------------- refusals

def refused(ctx, cmd, outdir, attribute, files, exit_code=1):
    r = ctx.run(cmd)
    ctx.check(r.returncode == exit_code, f"exit {r.returncode}, expected {exit_code}")
    lines = [l for l in r.stderr.strip().splitlines() if l.strip() and not l.lower().startswith("warning")]
    ctx.check(len(lines) == 1, f"expected one error line, got {lines}")
    alternatives = attribute.split("|")
    ctx.check(any(a in r.stderr for a in alternatives), f"{attribute!r} not named in {r.stderr.strip()!r}")
    if files:
        ctx.check(any(os.path.basename(f) in r.stderr for f in files) or
                  any(os.path.dirname(f) + ":" in r.stderr for f in files),
                  f"no input file (or, for the series as a whole, directory) named in {r.stderr.strip()!r}")
    left = sorted(os.listdir(outdir)) if os.path.isdir(outdir) else []
    ctx.check(not left, f"files left in the output directory: {left}")
    return r


def bad(params, attribute, two=None, ct=False):
    """A refused series: exit 1, one line naming a file and the attribute, no output."""
    def case(ctx):
        pet_dir = ctx.path("pet")
        s = pet_synth.write_ct(pet_dir, "ct", **params) if ct else pet_synth.write_pet(pet_dir, "pet", **params)
        files = list(s.files)
        if two is not None:
            files += pet_synth.write_pet(pet_dir, "other", **two).files
        if not ct and two is None:
            try:
                model(read_pet(pet_dir, pixels=False))
                ctx.fail("self-check: the model accepts this series")
            except Refused as r:
                print(f"the model refuses it too ({r})")
        out = ctx.path("out")
        os.makedirs(out)
        cmd = [ctx.exe(TOOL), "--inputDICOMDirectory", pet_dir, "--outputRWVM", os.path.join(out, "rwvm.dcm"),
               "--outputParametricMap", os.path.join(out, "pm.dcm"), "--outputImage", os.path.join(out, "suv.nrrd"),
               "--outputMetadata", os.path.join(out, "suv.json")]
        refused(ctx, cmd, out, attribute, files)
    return case


NO_ATTN = ("NORM", "DTIM", "SCAT", "DECY", "RAN")
CASES["bad-no-weight"] = bad(dict(weight=None), "PatientWeight (0010,1030)")
CASES["bad-weight-zero"] = bad(dict(weight="0"), "PatientWeight (0010,1030)")
CASES["bad-no-dose"] = bad(dict(dose=None), "RadionuclideTotalDose (0018,1074)")
CASES["bad-intercept"] = bad(dict(intercept="1"), "RescaleIntercept (0028,1052)")
CASES["bad-units-propcps"] = bad(dict(units="PROPCPS"), "Units (0054,1001)")
CASES["bad-units-propcnts"] = bad(dict(units="PROPCNTS"), "Units (0054,1001)")
CASES["bad-ct-series"] = bad({}, "Modality (0008,0060)", ct=True)
CASES["bad-two-series"] = bad({}, "SeriesInstanceUID (0020,000E)", two={})
CASES["bad-no-attn"] = bad(dict(corrected_image=NO_ATTN), "CorrectedImage (0028,0051)")
CASES["bad-start-without-decy"] = bad(dict(corrected_image=("NORM", "DTIM", "ATTN", "SCAT", "RAN")),
                                      "CorrectedImage (0028,0051)")
CASES["bad-no-half-life"] = bad(dict(half_life=None), "RadionuclideHalfLife (0018,1075)")
CASES["bad-gml-no-sex"] = bad(dict(gml("LBMJAMES128", "M"), sex=None), "PatientSex (0010,0040)")
CASES["bad-gml-no-size"] = bad(dict(gml("IBW", "F"), size=None), "PatientSize (0010,1020)")
CASES["bad-cnts-no-factor"] = bad(dict(units="CNTS"), "(7053,1000)|(7053,1009)|Units (0054,1001)")
CASES["bad-cnts-factor-zero"] = bad(dict(units="CNTS", philips_suv="0"), "(7053,1000)|(7053,1009)|Units (0054,1001)")


# ---------------------------------------------------------------- usage

def case_usage_no_output(ctx):
    pet_dir = ctx.path("pet")
    pet_synth.write_pet(pet_dir, "pet")
    r = ctx.run([ctx.exe(TOOL), "--inputDICOMDirectory", pet_dir])
    ctx.check(r.returncode == 2, f"exit {r.returncode} without an output, expected 2")
    ctx.check(r.stderr.strip() != "", "no message on stderr")


def case_usage_help(ctx):
    r = ctx.run([ctx.exe(TOOL), "--help"], quiet=True)
    ctx.check(r.returncode == 0, f"--help: exit {r.returncode}")
    for flag in ("--inputDICOMDirectory", "--suvType", "--outputRWVM", "--outputParametricMap", "--outputImage",
                 "--outputMetadata", "--compress", "Examples:", TOOL + " "):
        ctx.check(flag in r.stdout, f"--help does not mention {flag}")


def case_usage_version(ctx):
    r = ctx.run([ctx.exe(TOOL), "--version"])
    ctx.check(r.returncode == 0 and r.stdout.startswith(f"{TOOL} (qidcm) "),
              f"--version: exit {r.returncode}, {r.stdout.strip()!r}")


CASES["usage-no-output"] = case_usage_no_output
CASES["usage-help"] = case_usage_help
CASES["usage-version"] = case_usage_version


# ---------------------------------------------------------------- the six DROs

def dro_mask(name, pet):
    path = os.path.join(DRO, name, "mask", "DRO_mask.nii.gz")
    m, why = read_nifti_on(path, pet.grid)
    if m is None:
        raise CaseFailed(f"the DRO mask is not on the PET grid: {why}")
    return m != 0


def dro_stats(ctx, what, suv, mask):
    inside = suv[mask]
    got = (float(np.min(inside)), float(np.median(inside)), float(np.max(inside)))
    ok = all(abs(g - w) <= DRO_TOL for g, w in zip(got, DRO_STATS))
    print(f"{what}: min {got[0]:.5f} median {got[1]:.5f} max {got[2]:.5f} inside the mask ({inside.size} voxels)")
    ctx.check(ok, f"{what}: min/median/max {got}, expected {DRO_STATS} +-{DRO_TOL}")
    outside = suv[~mask]
    ctx.check(np.all(outside == 0), f"{what}: {int(np.count_nonzero(outside))} non-zero voxels outside the mask")


def dro_case(name):
    def case(ctx):
        pet_dir = os.path.join(DRO, name, "PT")
        pet = read_pet(pet_dir)
        e = model(pet)
        suv = pet.stored * np.array(e.factors)[:, None, None]
        mask = dro_mask(name, pet)
        dro_stats(ctx, "model (self-check)", suv, mask)
        o = convert(ctx, pet_dir, image=".nii.gz")
        warnings = {"DRO_2_4": ["creator"], "DRO_3_0": ["mbq"]}.get(name, [])
        check_json(ctx, o, pet, e, inputs=("Units", "PatientWeight"), warnings=warnings)
        image = check_image(ctx, o.image, pet, suv)
        if image is not None:
            dro_stats(ctx, "image", image, mask)
        dro_stats(ctx, "RWVM slopes x stored values", check_rwvm(ctx, o.rwvm, pet, e.factors), mask)
        pm = check_pm(ctx, o.pm, pet, suv)
        if pm is not None:
            dro_stats(ctx, "PM read back", pm, mask)
        dciodvfy(ctx, o.rwvm)  # the RWVM IOD has no Frame of Reference
        dciodvfy(ctx, o.pm, known=[DRO_STUDY_IS_FRAME])
    return case


for _d in DROS:
    CASES["dro-" + _d[4:]] = dro_case(_d)


# ---------------------------------------------------------------- pet2suv -> SEG -> SR

# PixelMed warnings on the image library (TID 1602/1607), which tid1500writer
# builds from the PET headers; neither is about the measurement or the RWVM:
#  - the DRO's own Anatomic Region Sequence holds (T-D0010, SRT, "WHOLEBODY"),
#    CID 4031 says "Entire body" (the third-party input's code meaning);
#  - (123003, DCM) is "Radiopharmaceutical Start DateTime" in PS3.16 today (and
#    in DCMTK's dcmsr/codes/dcm.h); PixelMed's 2022 template tables still have
#    "Radiopharmaceutical Start Date Time".
PIXELMED_KNOWN = [
    r'^Warning: Template 1602 .*\(T-D0010,SRT,"WHOLEBODY"\) has different code meaning \("WHOLEBODY"\) '
    r'than code meaning in context group 4031 \("Entire body"\)$',
    r'^Warning: Template 1607 .*\(123003,DCM,"Radiopharmaceutical Start DateTime"\) has different code meaning '
    r'\("Radiopharmaceutical Start DateTime"\) than code meaning in template concept name '
    r'\("Radiopharmaceutical Start Date Time"\)$',
]


def case_sr_suvmax(ctx):
    pet_dir = os.path.join(DRO, "DRO_0_0", "PT")
    pet = read_pet(pet_dir)
    context = ctx.path("context")
    os.makedirs(context)
    rwvm = os.path.join(context, "rwvm.dcm")
    ctx.must([ctx.exe(TOOL), "--inputDICOMDirectory", pet_dir, "--outputRWVM", rwvm], TOOL)
    rw = pydicom.dcmread(rwvm)
    # SUV from the RWVM: each slice's stored values x its item's slope.
    slope = {}
    for item in rw.ReferencedImageRealWorldValueMappingSequence:
        for ref in item.ReferencedImageSequence:
            slope[str(ref.ReferencedSOPInstanceUID)] = float(item.RealWorldValueMappingSequence[0].RealWorldValueSlope)
    suv = np.stack([s.stored * slope[s.uid] for s in pet.slices])
    lesion = (suv > 3.0).astype(np.uint8)  # the hot sphere
    ctx.check(lesion.any(), "no voxel above SUV 3")
    label = ctx.path("lesion.nrrd")
    seg_common.write_nrrd(label, lesion, pet.grid)
    seg_meta = {"ContentCreatorName": "Reader^One", "SeriesDescription": "Hot sphere", "SeriesNumber": "300",
                "InstanceNumber": "1", "ClinicalTrialSeriesID": "1", "ClinicalTrialTimePointID": "1",
                "segmentAttributes": [[{
                    "labelID": 1, "SegmentLabel": "hot sphere", "SegmentAlgorithmType": "MANUAL",
                    "SegmentedPropertyCategoryCodeSequence": {"CodeValue": "49755003", "CodingSchemeDesignator": "SCT",
                                                              "CodeMeaning": "Morphologically Altered Structure"},
                    "SegmentedPropertyTypeCodeSequence": {"CodeValue": "4147007", "CodingSchemeDesignator": "SCT",
                                                          "CodeMeaning": "Mass"},
                    "recommendedDisplayRGBValue": [255, 0, 0]}]]}
    seg_json = ctx.path("seg.json")
    with open(seg_json, "w") as f:
        json.dump(seg_meta, f)
    seg = os.path.join(context, "seg.dcm")
    ctx.must([ctx.exe("itkimage2segimage"), "--inputImageList", label, "--inputMetadata", seg_json,
              "--inputDICOMDirectory", pet_dir, "--outputDICOM", seg], "itkimage2segimage")
    suvmax = float(suv[lesion != 0].max())
    ctx.check(abs(suvmax - 4.0) <= DRO_TOL, f"SUVmax of the hot sphere {suvmax}, expected 4.00")
    _, method, units, _ = CODES["bw"]
    quantity = CODES["bw"][0]
    seg_ds = pydicom.dcmread(seg, stop_before_pixels=True)
    library = sorted(os.path.basename(s.path) for s in pet.slices)
    sr_meta = {
        "SeriesDescription": "SUV measurements", "SeriesNumber": "400", "InstanceNumber": "1",
        "compositeContext": ["seg.dcm", "rwvm.dcm"], "imageLibrary": library,
        "observerContext": {"ObserverType": "PERSON", "PersonObserverName": "Reader^One"},
        "VerificationFlag": "UNVERIFIED", "CompletionFlag": "COMPLETE",
        "activitySession": "1", "timePoint": "1",
        "Measurements": [{
            "TrackingIdentifier": "hot sphere", "ReferencedSegment": 1,
            "SourceSeriesForImageSegmentation": pet.series_uid,
            "segmentationSOPInstanceUID": str(seg_ds.SOPInstanceUID),
            "rwvmMapUsedForMeasurement": str(rw.SOPInstanceUID),
            "MeasurementMethod": dict(zip(("CodeValue", "CodingSchemeDesignator", "CodeMeaning"), method)),
            "Finding": {"CodeValue": "4147007", "CodingSchemeDesignator": "SCT", "CodeMeaning": "Mass"},
            "measurementItems": [{
                "value": f"{suvmax:.6g}",
                "quantity": dict(zip(("CodeValue", "CodingSchemeDesignator", "CodeMeaning"), quantity)),
                "units": dict(zip(("CodeValue", "CodingSchemeDesignator", "CodeMeaning"), units)),
                "derivationModifier": {"CodeValue": "56851009", "CodingSchemeDesignator": "SCT",
                                       "CodeMeaning": "Maximum"}}]}]}
    sr_json = ctx.path("sr.json")
    with open(sr_json, "w") as f:
        json.dump(sr_meta, f, indent=1)
    sr = ctx.path("sr.dcm")
    ctx.must([ctx.exe("tid1500writer"), "--inputMetadata", sr_json, "--outputDICOM", sr,
              "--inputCompositeContextDirectory", context, "--inputImageLibraryDirectory", pet_dir], "tid1500writer")
    known = []
    for pattern in PIXELMED_KNOWN:
        known += ["--known", pattern]
    r = ctx.run([sys.executable, os.path.join(INTEROP, "pixelmed_sr_check.py"), sr] + known)
    ctx.check(r.returncode == 0, "PixelMed DicomSRValidator reports errors or warnings")
    tolerated = [l[len("known: "):] for l in r.stdout.splitlines() if l.startswith("known: ")]
    for pattern in PIXELMED_KNOWN:
        ctx.check(any(re.search(pattern, l) for l in tolerated),
                  f"the known PixelMed warning {pattern!r} no longer appears: drop it from PIXELMED_KNOWN")
    dciodvfy(ctx, sr)
    # The measurement group references the RWVM (126100) and holds the SUVmax NUM.
    ds = pydicom.dcmread(sr)
    found = []

    def walk(item):
        for child in item.get("ContentSequence") or []:
            name = child.ConceptNameCodeSequence[0] if child.get("ConceptNameCodeSequence") else None
            key = (str(name.CodeValue), str(name.CodingSchemeDesignator)) if name is not None else None
            if key == ("126100", "DCM"):
                found.append(("rwvm", str(child.ReferencedSOPSequence[0].ReferencedSOPInstanceUID)))
            if key == ("126401", "DCM") and child.ValueType == "NUM":
                mv = child.MeasuredValueSequence[0]
                found.append(("suv", float(mv.NumericValue), code3(mv.MeasurementUnitsCodeSequence[0])))
            walk(child)
    walk(ds)
    ctx.check(("rwvm", str(rw.SOPInstanceUID)) in found, f"no 126100 reference to the RWVM: {found}")
    ctx.check(any(f[0] == "suv" and abs(f[1] - suvmax) < 1e-4 and f[2] == units for f in found),
              f"no SUVbw NUM {suvmax} in {units[0]}: {found}")
    evidence = {str(i.ReferencedSOPInstanceUID) for study in ds.get("CurrentRequestedProcedureEvidenceSequence", [])
                for series in study.ReferencedSeriesSequence for i in series.ReferencedSOPSequence}
    ctx.check(str(rw.SOPInstanceUID) in evidence, "the RWVM is not in the evidence")


CASES["sr-suvmax"] = case_sr_suvmax


if __name__ == "__main__":
    sys.exit(seg_common.run_case(CASES, group="pet2suv"))
