#!/usr/bin/python3
"""Small synthetic PET series for pet2suv's cases (pet2suv_cases.py): one
file per slice, Explicit VR Little Endian, every header the SUV rules read
given as a parameter.

Not a driver. write_pet(directory, name, **params) writes a series and
returns a Series (files, UIDs, geometry, stored values); write_ct() writes a
CT series on the same geometry (a "wrong modality" input). Two calls with
different names into one directory give two series in one directory.

Parameters (DEFAULTS below): per-slice values (slopes, acquisition_times,
acquisition_dates) are a single value or a list indexed by k, the slice's
rank in ascending position along the normal; instance numbers and file
names run the other way (instance 1 is the highest slice, the files are
written in a shuffled order), so a tool has to sort by position.

A value of None leaves the attribute out; strings are written as given
(DS, TM, DA and DT keep their exact text), numbers are formatted.
Private elements: GE (0009,100D) "PET scan_datetime" (DT) under the creator
GEMS_PETD_01, Philips (7053,1000) SUV Scale Factor and (7053,1009) Activity
Concentration Scale Factor (DS) under "Philips PET Private Group", each with
or without its creator element, and in the block the creator reserves
(philips_block, ge_block: 0x10 is the usual one).

Everything is deterministic (UIDs derived from the name).

Run as a program to look at one: pet_synth.py DIR [NAME [key=value ...]].
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "interop"))
from testdeps import lazy  # noqa: E402  (numpy and pydicom imported on first use)

np = lazy("numpy")
pydicom = lazy("pydicom")

PET_IMAGE = "1.2.840.10008.5.1.4.1.1.128"
CT_IMAGE = "1.2.840.10008.5.1.4.1.1.2"
UID_ROOT = "1.2.826.0.1.3680043.8.498."  # pydicom's root, with entropy sources: deterministic
GE_CREATOR = "GEMS_PETD_01"
PHILIPS_CREATOR = "Philips PET Private Group"

DEFAULTS = dict(
    rows=16, columns=16, slices=8,
    pixel_representation=1,            # 1: int16 (SS), 0: uint16 (US)
    bits_stored=16,
    pixel_spacing=("2.0", "2.5"),      # (between rows, between columns), mm
    slice_thickness="3.0",
    slice_spacing=3.0,
    origin=(-20.0, -17.5, -30.0),      # Image Position (Patient) of slice k = 0
    orientation=("1", "0", "0", "0", "1", "0"),
    modality="PT",
    # patient and study
    patient_name="SYNTH^PET", patient_id="PET-SYNTH", birth_date="19700101",
    sex="M", weight="70", size="1.75",
    study_date="20250101", study_time="090000",
    # PET series
    units="BQML", decay_correction="START", suv_type=None,
    corrected_image=("NORM", "DTIM", "ATTN", "SCAT", "DECY", "RAN"),
    series_type=("WHOLE BODY", "IMAGE"),
    series_date="20250101", series_time="110000",
    acquisition_dates="20250101", acquisition_times="110000",
    frame_duration="300000", frame_reference_time="150000",
    decay_factor="1.0",
    dose_calibration_factor=None,
    # Radiopharmaceutical Information Sequence, first item
    radiopharmaceutical="Fluorodeoxyglucose",
    dose="370000000", half_life="6586.2",
    rp_datetime="20250101100000", rp_time="100000",
    # pixels
    slopes="1", intercept="0",
    stored=None,                       # None: the pattern of stored_pattern(); or an array (slices, rows, columns)
    # private elements
    ge_datetime=None, ge_creator=True, ge_block=0x10,
    philips_suv=None, philips_ac=None, philips_creator=True, philips_block=0x10,
    # anything else: keyword -> value (None deletes)
    extra=None,
)


class Series:
    """What write_pet()/write_ct() wrote: directory, files and sop_uids (by k,
    ascending position), series_uid, study_uid, frame_uid, positions (by k),
    grid (a qidcm-test-imagedump grid dict), stored (slices, rows, columns),
    params (the parameters used)."""


def uid(*parts):
    return pydicom.uid.generate_uid(prefix=UID_ROOT, entropy_srcs=["qidcm-pet-synth"] + [str(p) for p in parts])


def text(v):
    if isinstance(v, str):
        return v
    if isinstance(v, float):
        return f"{v:.10g}"
    return str(v)


def fmt(v):
    """A decimal with at most 6 decimals, no trailing zeros, no "-0"."""
    s = f"{float(v):.6f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def per_slice(value, k):
    return value[k] if isinstance(value, (list, tuple)) else value


def stored_pattern(slices, rows, columns, pixel_representation, bits_stored=16):
    """A known pattern: 0 at the first voxel, every slice different, reaching near the
    top of the Bits Stored range (non-negative)."""
    k, j, i = np.meshgrid(np.arange(slices), np.arange(rows), np.arange(columns), indexing="ij")
    top = (1 << (bits_stored - pixel_representation)) - 1
    step = (top - 3 * slices) // 96
    return (((7 * i + 13 * j + 29 * k) % 97) * step + 3 * k).astype(np.int16 if pixel_representation else np.uint16)


def _item(**kw):
    d = pydicom.dataset.Dataset()
    for k, v in kw.items():
        setattr(d, k, v)
    return d


def _set(ds, keyword, value):
    if value is None:
        if keyword in ds:
            delattr(ds, keyword)
        return
    if isinstance(value, (list, tuple)):
        value = [text(v) if not isinstance(v, int) else v for v in value]
    elif not isinstance(value, (int, bytes, pydicom.sequence.Sequence)):
        value = text(value)
    setattr(ds, keyword, value)


def _geometry(p):
    o = [float(v) for v in p["orientation"]]
    row, col = np.array(o[:3]), np.array(o[3:])
    normal = np.cross(row, col)
    origin = np.array(p["origin"], float)
    positions = [[float(f"{v:.6f}") for v in origin + k * p["slice_spacing"] * normal] for k in range(p["slices"])]
    ps = [float(v) for v in p["pixel_spacing"]]
    grid = {"size": [p["columns"], p["rows"], p["slices"]], "origin": positions[0],
            "spacing": [ps[1], ps[0], float(p["slice_spacing"])],
            "direction": [row.tolist(), col.tolist(), normal.tolist()]}
    return positions, grid


def _params(name, overrides):
    unknown = set(overrides) - set(DEFAULTS)
    if unknown:
        raise ValueError(f"unknown pet_synth parameters {sorted(unknown)}")
    p = dict(DEFAULTS)
    p.update(overrides)
    p["name"] = name
    return p


def _file(path, sop_class, sop_instance, ds):
    meta = pydicom.dataset.FileMetaDataset()
    meta.MediaStorageSOPClassUID = sop_class
    meta.MediaStorageSOPInstanceUID = sop_instance
    meta.TransferSyntaxUID = pydicom.uid.ExplicitVRLittleEndian
    meta.ImplementationClassUID = UID_ROOT + "1"
    f = pydicom.dataset.FileDataset(path, {}, file_meta=meta, preamble=b"\0" * 128)
    f.is_little_endian, f.is_implicit_VR = True, False
    for element in ds:
        f.add(element)
    f.save_as(path, write_like_original=False)


def _common(p, series_uid, study_uid, frame_uid, k, position, sop_class, sop_uid):
    ds = pydicom.dataset.Dataset()
    ds.SpecificCharacterSet = "ISO_IR 100"
    ds.ImageType = ["ORIGINAL", "PRIMARY"]
    ds.SOPClassUID, ds.SOPInstanceUID = sop_class, sop_uid
    _set(ds, "StudyDate", p["study_date"])
    _set(ds, "SeriesDate", p["series_date"])
    _set(ds, "AcquisitionDate", per_slice(p["acquisition_dates"], k))
    _set(ds, "StudyTime", p["study_time"])
    _set(ds, "SeriesTime", p["series_time"])
    _set(ds, "AcquisitionTime", per_slice(p["acquisition_times"], k))
    ds.AccessionNumber = ""
    ds.Modality = p["modality"]
    ds.Manufacturer = "qidcm test synthetic PET"
    ds.ReferringPhysicianName = ""
    ds.SeriesDescription = f"synthetic {p['modality']} {p['name']}"
    _set(ds, "PatientName", p["patient_name"])
    _set(ds, "PatientID", p["patient_id"])
    _set(ds, "PatientBirthDate", p["birth_date"])
    _set(ds, "PatientSex", p["sex"])
    _set(ds, "PatientSize", p["size"])
    _set(ds, "PatientWeight", p["weight"])
    ds.BodyPartExamined = "WHOLEBODY"
    _set(ds, "SliceThickness", p["slice_thickness"])
    ds.PatientPosition = "HFS"
    ds.StudyInstanceUID, ds.SeriesInstanceUID = study_uid, series_uid
    ds.StudyID = "1"
    ds.SeriesNumber = "1" if p["modality"] == "PT" else "2"
    ds.InstanceNumber = str(p["slices"] - k)
    ds.ImagePositionPatient = [fmt(v) for v in position]
    ds.ImageOrientationPatient = list(p["orientation"])
    ds.FrameOfReferenceUID = frame_uid
    ds.PositionReferenceIndicator = ""
    o = [float(v) for v in p["orientation"]]
    ds.SliceLocation = fmt(float(np.dot(position, np.cross(o[:3], o[3:]))))
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.Rows, ds.Columns = p["rows"], p["columns"]
    ds.PixelSpacing = list(p["pixel_spacing"])
    ds.BitsAllocated = 16
    ds.BitsStored = p["bits_stored"]
    ds.HighBit = p["bits_stored"] - 1
    ds.PixelRepresentation = p["pixel_representation"]
    return ds


def _private(ds, group, creator, block, element, vr, value, with_creator):
    if with_creator:
        ds.add_new((group, block), "LO", creator)
        ds.add_new((group, (block << 8) | element), vr, value)
    else:
        ds.add_new((group, 0x1000 | element), vr, value)


def _pixels(p):
    if p["stored"] is not None:
        a = np.asarray(p["stored"])
    else:
        a = stored_pattern(p["slices"], p["rows"], p["columns"], p["pixel_representation"], p["bits_stored"])
    return a.astype("<i2" if p["pixel_representation"] else "<u2")


def _order(n, name):
    """A shuffled file order, fixed by the name."""
    rng = np.random.default_rng(sum(ord(c) for c in name))
    return list(rng.permutation(n))


def write_pet(directory, name, **overrides):
    """Writes a PET series (one file per slice) into directory; returns a Series."""
    p = _params(name, overrides)
    os.makedirs(directory, exist_ok=True)
    positions, grid = _geometry(p)
    s = Series()
    s.directory, s.params, s.grid, s.positions = directory, p, grid, positions
    s.series_uid, s.study_uid, s.frame_uid = uid(name, "series"), uid(name, "study"), uid(name, "frame")
    if p["extra"] and "StudyInstanceUID" in p["extra"]:
        s.study_uid = p["extra"]["StudyInstanceUID"]
    s.sop_uids = [uid(name, "image", k) for k in range(p["slices"])]
    s.stored = _pixels(p)
    sop_class = PET_IMAGE if p["modality"] == "PT" else CT_IMAGE
    s.files = [None] * p["slices"]
    for n, k in enumerate(_order(p["slices"], name)):
        ds = _common(p, s.series_uid, s.study_uid, s.frame_uid, k, positions[k], sop_class, s.sop_uids[k])
        if p["modality"] == "PT":
            _set(ds, "ActualFrameDuration", p["frame_duration"])
            _set(ds, "CorrectedImage", list(p["corrected_image"]) if p["corrected_image"] is not None else None)
            ds.NumberOfSlices = p["slices"]
            _set(ds, "SeriesType", list(p["series_type"]))
            _set(ds, "Units", p["units"])
            _set(ds, "SUVType", p["suv_type"])
            ds.CountsSource = "EMISSION"
            _set(ds, "DecayCorrection", p["decay_correction"])
            ds.ReconstructionMethod = "OSEM"
            _set(ds, "FrameReferenceTime", p["frame_reference_time"])
            _set(ds, "DecayFactor", p["decay_factor"])
            _set(ds, "DoseCalibrationFactor", p["dose_calibration_factor"])
            ds.ImageIndex = k + 1
            ds.PatientGantryRelationshipCodeSequence = pydicom.sequence.Sequence()
            rp = _item()
            _set(rp, "Radiopharmaceutical", p["radiopharmaceutical"])
            _set(rp, "RadiopharmaceuticalStartTime", p["rp_time"])
            _set(rp, "RadionuclideTotalDose", p["dose"])
            _set(rp, "RadionuclideHalfLife", p["half_life"])
            _set(rp, "RadiopharmaceuticalStartDateTime", p["rp_datetime"])
            ds.RadiopharmaceuticalInformationSequence = pydicom.sequence.Sequence([rp])
            _set(ds, "RescaleIntercept", p["intercept"])
            _set(ds, "RescaleSlope", per_slice(p["slopes"], k))
            ds.RescaleType = "BQML"
            if p["ge_datetime"] is not None:
                _private(ds, 0x0009, GE_CREATOR, p["ge_block"], 0x0D, "DT", p["ge_datetime"], p["ge_creator"])
            for value, element in ((p["philips_suv"], 0x00), (p["philips_ac"], 0x09)):
                if value is not None:
                    _private(ds, 0x7053, PHILIPS_CREATOR, p["philips_block"], element, "DS", text(value),
                             p["philips_creator"])
        else:
            ds.KVP = "120"
            ds.RescaleIntercept, ds.RescaleSlope, ds.RescaleType = "-1024", "1", "HU"
        for keyword, value in (p["extra"] or {}).items():
            _set(ds, keyword, value)
        ds.PixelData = s.stored[k].tobytes()
        path = os.path.join(directory, f"{name}_{n:03d}.dcm")
        _file(path, sop_class, s.sop_uids[k], ds)
        s.files[k] = path
    return s


def write_ct(directory, name, **overrides):
    """A CT series on the same geometry (Modality CT, CT Image Storage)."""
    return write_pet(directory, name, modality="CT", **overrides)


if __name__ == "__main__":
    args = sys.argv[1:]
    if not args:
        print(__doc__)
        sys.exit(2)
    kw = {}
    for a in args[2:]:
        k, v = a.split("=", 1)
        kw[k] = v
    out = write_pet(args[0], args[1] if len(args) > 1 else "look", **kw)
    print(f"{out.directory}: {len(out.files)} files, series {out.series_uid}")
