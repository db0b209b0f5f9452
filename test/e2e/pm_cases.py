#!/usr/bin/python3
# Kept whole (>400 lines): reader and writer cases share load(), run() and the fixtures; a split needs a helper module.
"""End-to-end cases for itkimage2paramap and paramap2itkimage.

Each writer case runs itkimage2paramap and checks the map:
  - dciodvfy reports no error;
  - pydicom decodes every frame; placed by its Plane Position on the input
    grid, the values equal the input voxel for voxel;
  - attributes: SOP class, Modality from the source series, pixel type and
    representation, Pixel Spacing order, Real World Value Mapping (first/last
    values in the attributes matching the pixel type, slope, intercept, units,
    quantity definitions), Frame Anatomy, per-frame derivation code, frames in
    ascending position, the dimension index on Image Position (Patient);
  - dcmjs parses the file;
  - paramap2itkimage gives back the input (voxels and geometry), and its
    meta.json written back with itkimage2paramap gives an equivalent map.

Usage: pm_cases.py --list | <case> --bin <build/apps> --tools <dir> --work <dir>
"""
import driver  # the common command line (test/e2e/driver.py)
from driver import problem, problems  # the common problem list
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SHARED = os.path.join(os.path.dirname(ROOT), "shared", "data")
PM = os.path.join(SHARED, "dcmqi", "data", "paramaps")
MR = os.path.join(PM, "pm-example-dcm_unzipped")
EX = os.path.join(SHARED, "dcmqi", "doc", "examples")
INTEROP = os.path.join(ROOT, "test", "interop")
sys.path.insert(0, INTEROP)
from testdeps import lazy  # noqa: E402  (test-only packages, imported on first use)
import pixel_decode  # noqa: E402  (one declared decoder per transfer syntax)

np = lazy("numpy")
pydicom = lazy("pydicom")


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    return r


def load(tools, path, work, name):
    j, raw = os.path.join(work, name + ".json"), os.path.join(work, name + ".raw")
    r = run([os.path.join(tools, "qidcm-test-imagedump"), path, j, raw])
    if r.returncode:
        raise RuntimeError(r.stderr)
    meta = json.load(open(j))
    cols, rows, slices = meta["size"]
    data = np.fromfile(raw, dtype=np.dtype(meta["dtype"])).reshape(slices, rows, cols)
    return meta, data


def write_nrrd(path, array, grid):
    kinds = {np.dtype("float32"): "float", np.dtype("float64"): "double", np.dtype("int16"): "short",
             np.dtype("uint16"): "ushort", np.dtype("int32"): "int", np.dtype("uint8"): "uchar"}
    d, sp = grid["direction"], grid["spacing"]
    dirs = " ".join("(" + ",".join(repr(d[c][r] * sp[c]) for r in range(3)) + ")" for c in range(3))
    header = ("NRRD0004\n"
              f"type: {kinds[array.dtype]}\ndimension: 3\nspace: left-posterior-superior\n"
              f"sizes: {array.shape[2]} {array.shape[1]} {array.shape[0]}\nspace directions: {dirs}\n"
              "kinds: domain domain domain\nendian: little\nencoding: raw\n"
              f"space origin: ({','.join(repr(v) for v in grid['origin'])})\n\n")
    with open(path, "wb") as f:
        f.write(header.encode())
        f.write(array.astype(array.dtype.newbyteorder("<")).tobytes())


def floats(v):
    return np.array([float(x) for x in v])


# ---------------------------------------------------------------------------
# Preparations for synthetic cases; each returns (image, metadata, dicom args).

def synth(ctx, args):
    out = os.path.join(ctx["work"], "synth")
    r = run([os.path.join(ctx["bin"], "qidcm-synth"), "--outputDirectory", out] + args)
    if r.returncode:
        raise RuntimeError(r.stderr)
    return out


def pm_meta(ctx, name="pm-example-float.json", **changes):
    doc = json.load(open(os.path.join(EX, name)))
    doc.update(changes)
    path = os.path.join(ctx["work"], "meta-in.json")
    json.dump(doc, open(path, "w"))
    return path


def prepare_anisotropic(ctx):
    """A float map on an anisotropic, oblique grid (columns 0.5 mm, rows 0.9 mm apart)."""
    s = synth(ctx, ["--columns", "40", "--rows", "30", "--slices", "6", "--spacing", "0.5,0.9,2.0",
                    "--orientation", "oblique", "--segments", "2", "--probabilityMaps"])
    grid, _ = load(ctx["tools"], os.path.join(s, "label.nrrd"), ctx["work"], "label")
    j, raw = os.path.join(ctx["work"], "prob.json"), os.path.join(ctx["work"], "prob.raw")
    run([os.path.join(ctx["tools"], "qidcm-test-imagedump"), os.path.join(s, "prob.nii.gz"), j, raw])
    m = json.load(open(j))
    data = np.fromfile(raw, dtype=np.dtype(m["dtype"])).reshape(m["components"], 6, 30, 40)[0]
    image = os.path.join(ctx["work"], "map.nrrd")
    write_nrrd(image, (data * 0.003).astype(np.float32), grid)
    return image, pm_meta(ctx), ["--inputDICOMDirectory", os.path.join(s, "ct")]


def prepare_typed(ctx, dtype, values):
    """An integer map of a given type on a small synthetic CT grid."""
    s = synth(ctx, ["--columns", "32", "--rows", "24", "--slices", "5", "--segments", "1"])
    grid, _ = load(ctx["tools"], os.path.join(s, "label.nrrd"), ctx["work"], "label")
    rng = np.random.default_rng(7)
    data = rng.integers(values[0], values[1], size=(5, 24, 32)).astype(dtype)
    image = os.path.join(ctx["work"], "map.nrrd")
    write_nrrd(image, data, grid)
    return image, pm_meta(ctx, "pm-example.json"), ["--inputDICOMDirectory", os.path.join(s, "ct")]


def prepare_offset(ctx):
    """A map whose slices lie half a slice away from every source image."""
    s = synth(ctx, ["--columns", "32", "--rows", "24", "--slices", "5", "--segments", "1"])
    grid, _ = load(ctx["tools"], os.path.join(s, "label.nrrd"), ctx["work"], "label")
    n = np.cross(grid["direction"][0], grid["direction"][1])
    grid["origin"] = list(np.array(grid["origin"]) + 0.5 * grid["spacing"][2] * n)
    data = np.linspace(0, 1, 5 * 24 * 32, dtype=np.float32).reshape(5, 24, 32)
    image = os.path.join(ctx["work"], "map.nrrd")
    write_nrrd(image, data, grid)
    return image, pm_meta(ctx), ["--inputDICOMDirectory", os.path.join(s, "ct")]


MR_DIR = ["--inputDICOMDirectory", MR]
CASES = {
    "dcmqi-int16": dict(image=os.path.join(PM, "pm-example.nrrd"), meta=os.path.join(EX, "pm-example.json"),
                        dicom=MR_DIR, pixel="int16", references=20),
    "dcmqi-float": dict(image=os.path.join(PM, "pm-example-float.nrrd"), meta=os.path.join(EX, "pm-example-float.json"),
                        dicom=MR_DIR, pixel="float32", references=20),
    "dcmqi-3slices-256x256": dict(image=os.path.join(PM, "pm-example-3slices-256x256.nrrd"),
                                  meta=os.path.join(EX, "pm-example.json"), dicom=MR_DIR, pixel="int16"),
    # The 252x255 crop lies on the source slices (its planes coincide within
    # 1 um), so it is referenced although dcmqi's heuristic finds no source.
    "dcmqi-3slices-252x255": dict(image=os.path.join(PM, "pm-example-3slices-252x255.nrrd"),
                                  meta=os.path.join(EX, "pm-example_no_modifier.json"), dicom=MR_DIR, pixel="int16",
                                  references=3),
    "dcmqi-one-source-file": dict(image=os.path.join(PM, "pm-example.nrrd"), meta=os.path.join(EX, "pm-example.json"),
                                  dicom=["--inputDICOMList", os.path.join(PM, "pm-example-slice.dcm")],
                                  pixel="int16", references=1),
    "float64-forced": dict(image=os.path.join(PM, "pm-example-float.nrrd"),
                           meta=os.path.join(EX, "pm-example-float.json"), dicom=MR_DIR, pixel="float64",
                           flags=["--pixelType", "float64"]),
    "anisotropic-oblique": dict(prepare=prepare_anisotropic, pixel="float32"),
    "uint16": dict(prepare=lambda ctx: prepare_typed(ctx, np.uint16, (0, 60000)), pixel="uint16"),
    "int32-fits-int16": dict(prepare=lambda ctx: prepare_typed(ctx, np.int32, (-300, 300)), pixel="int16"),
    "int32-wide": dict(prepare=lambda ctx: prepare_typed(ctx, np.int32, (-100000, 100000)), pixel="float64",
                       warning="do not fit 16 bits"),
    "grid-matches-no-source": dict(prepare=prepare_offset, pixel="float32", references=0,
                                   warning="matches no source image"),
}


def check_map(ctx, path, image, meta, case, source_dir):
    ds = pydicom.dcmread(path)
    grid, data = load(ctx["tools"], image, ctx["work"], "input")
    if ds.SOPClassUID != "1.2.840.10008.5.1.4.1.1.30":
        problem(f"SOP Class {ds.SOPClassUID}")
    src = None
    for root, _, files in os.walk(source_dir):
        for f in sorted(files):
            try:
                src = pydicom.dcmread(os.path.join(root, f), stop_before_pixels=True)
                break
            except Exception:
                continue
        if src is not None:
            break
    if ds.Modality != src.Modality:
        problem(f"Modality {ds.Modality}, the source's is {src.Modality}")
    for attr in ("PatientID", "StudyInstanceUID", "FrameOfReferenceUID"):
        if ds.get(attr) != src.get(attr):
            problem(f"{attr} differs from the source's")
    pixel = case["pixel"]
    bits = {"float32": 32, "float64": 64, "int16": 16, "uint16": 16}[pixel]
    if int(ds.BitsAllocated) != bits:
        problem(f"BitsAllocated {ds.BitsAllocated}, expected {bits}")
    element = {"float32": "FloatPixelData", "float64": "DoubleFloatPixelData"}.get(pixel, "PixelData")
    if element not in ds:
        problem(f"no {element}")
    if pixel in ("int16", "uint16") and int(ds.PixelRepresentation) != (1 if pixel == "int16" else 0):
        problem(f"PixelRepresentation {ds.PixelRepresentation} for {pixel}")
    shared = ds.SharedFunctionalGroupsSequence[0]
    iop = floats(shared.PlaneOrientationSequence[0].ImageOrientationPatient)
    direction = np.array(grid["direction"])
    if not np.allclose(iop, np.concatenate([direction[0], direction[1]]), atol=1e-4):
        problem("ImageOrientationPatient differs from the image direction")
    ps = floats(shared.PixelMeasuresSequence[0].PixelSpacing)
    if not np.allclose(ps, [grid["spacing"][1], grid["spacing"][0]], rtol=1e-5):
        problem(f"PixelSpacing {ps} is not (row spacing, column spacing) = {grid['spacing'][1]}, {grid['spacing'][0]}")
    dim = ds.DimensionIndexSequence
    if len(dim) != 1 or dim[0].DimensionIndexPointer != 0x00200032 or dim[0].FunctionalGroupPointer != 0x00209113:
        problem("the dimension index is not Image Position (Patient) in the Plane Position Sequence")
    # Real World Value Mapping
    rw = shared.RealWorldValueMappingSequence[0]
    lo, hi = float(data.min()), float(data.max())
    if pixel.startswith("float"):
        got = (float(rw.DoubleFloatRealWorldValueFirstValueMapped), float(rw.DoubleFloatRealWorldValueLastValueMapped))
        if "RealWorldValueFirstValueMapped" in rw:
            problem("a float map carries the 16-bit first value mapped")
    else:
        got = (float(rw.RealWorldValueFirstValueMapped), float(rw.RealWorldValueLastValueMapped))
    if not np.allclose(got, (lo, hi), rtol=1e-6, atol=1e-12):
        problem(f"first/last value mapped {got}, the map's range is {(lo, hi)}")
    md = json.load(open(meta))
    if float(rw.RealWorldValueSlope) != float(md.get("RealWorldValueSlope", 1)):
        problem("RealWorldValueSlope differs from the metadata")
    if float(rw.RealWorldValueIntercept) != float(md.get("RealWorldValueIntercept", 0)):
        problem("RealWorldValueIntercept differs from the metadata")
    units = rw.MeasurementUnitsCodeSequence[0]
    if units.CodeValue != md["MeasurementUnitsCode"]["CodeValue"]:
        problem(f"units {units.CodeValue}")
    quantities = {}
    for item in rw.QuantityDefinitionSequence:
        concept = item.ConceptNameCodeSequence[0].CodeValue
        if item.ValueType == "CODE":
            quantities.setdefault(concept, []).append(item.ConceptCodeSequence[0].CodeValue)
        else:
            if item.MeasurementUnitsCodeSequence[0].CodeValue != "s/mm2":
                problem("b-value units are not s/mm2")
            quantities.setdefault(concept, []).append(str(item.NumericValue).strip())
    if quantities.get("246205007") != [md["QuantityValueCode"]["CodeValue"]]:
        problem(f"Quantity {quantities.get('246205007')}")
    if "MeasurementMethodCode" in md and quantities.get("370129005") != [md["MeasurementMethodCode"]["CodeValue"]]:
        problem("Measurement Method missing or wrong")
    if md.get("SourceImageDiffusionBValues") and quantities.get("113240") != md["SourceImageDiffusionBValues"]:
        problem(f"b-values {quantities.get('113240')}")
    anatomy = shared.FrameAnatomySequence[0]
    if anatomy.FrameLaterality != md.get("FrameLaterality", "U"):
        problem("Frame Laterality")
    if anatomy.AnatomicRegionSequence[0].CodeValue != md.get("AnatomicRegionSequence", {}).get("CodeValue", "85756007"):
        problem("Anatomic Region")
    # Frames: ascending positions, values equal the input, derivation per frame
    normal = np.cross(direction[0], direction[1])
    arr = np.stack(pixel_decode.frames(ds, path))
    m = (direction * np.array(grid["spacing"])[:, None]).T
    along = []
    refs = 0
    for f, item in enumerate(ds.PerFrameFunctionalGroupsSequence):
        ipp = floats(item.PlanePositionSequence[0].ImagePositionPatient)
        along.append(float(np.dot(normal, ipp)))
        idx = np.linalg.solve(m, ipp - np.array(grid["origin"]))
        k = int(round(idx[2]))
        if np.abs(idx - [0, 0, k]).max() > 1e-3:
            problem(f"frame {f + 1} is not on a slice of the input grid")
            continue
        if not np.array_equal(arr[f].astype(np.float64), data[k].astype(np.float64)):
            problem(f"frame {f + 1} differs from input slice {k}")
        if "DerivationImageSequence" in item and len(item.DerivationImageSequence):
            d = item.DerivationImageSequence[0]
            want = md.get("DerivationCode", md["QuantityValueCode"])["CodeValue"]
            if d.DerivationCodeSequence[0].CodeValue != want:
                problem(f"frame {f + 1} derivation code {d.DerivationCodeSequence[0].CodeValue}, expected {want}")
            refs += len(d.SourceImageSequence)
    if along != sorted(along):
        problem("frames are not in ascending position")
    if "references" in case and refs != case["references"]:
        problem(f"{refs} per-frame source references, expected {case['references']}")
    return ds


def main():
    a = driver.case_arguments(list(CASES) + ["third-party-float", "unsorted-frames", "transfer-syntaxes"])
    work = driver.fresh_directory(a.work, "pm-" + a.case)
    ctx = {"bin": a.bin, "tools": a.tools, "work": work}

    if a.case == "third-party-float":
        return case_third_party(ctx)
    if a.case == "unsorted-frames":
        return case_unsorted(ctx)
    if a.case == "transfer-syntaxes":
        return case_transfer_syntaxes(ctx)

    case = CASES[a.case]
    if "prepare" in case:
        image, meta, dicom = case["prepare"](ctx)
    else:
        image, meta, dicom = case["image"], case["meta"], case["dicom"]
    out = os.path.join(work, "map.dcm")
    cmd = [os.path.join(a.bin, "itkimage2paramap"), "--inputImage", image, "--inputMetadata", meta,
           "--outputDICOM", out] + dicom + case.get("flags", [])
    r = run(cmd)
    print(" ".join(cmd))
    print(r.stdout + r.stderr)
    if r.returncode:
        problem(f"exit status {r.returncode}")
        return 1
    if case.get("warning") and case["warning"] not in r.stderr:
        problem(f"no warning containing '{case['warning']}'")
    source_dir = dicom[1] if dicom[0] == "--inputDICOMDirectory" else os.path.dirname(dicom[1])
    r = run([os.path.join(INTEROP, "dciodvfy_check.py"), out])
    print(r.stdout + r.stderr)
    if r.returncode:
        problem("dciodvfy")
    check_map(ctx, out, image, meta, case, source_dir)
    r = run(["node", os.path.join(INTEROP, "dcmjs_check.js"), out, json.dumps({})])
    if r.returncode:
        problem("dcmjs: " + r.stderr.strip())
    # reader: voxels and geometry exactly, stored type kept
    back = os.path.join(work, "back")
    r = run([os.path.join(a.bin, "paramap2itkimage"), "--inputDICOM", out, "--outputDirectory", back])
    if r.returncode:
        problem("paramap2itkimage: " + r.stderr)
        return 1
    r = run([os.path.join(a.bin, "qidcm-compare"), image, os.path.join(back, "pmap.nrrd")])
    print("reader: " + r.stdout.strip())
    if r.returncode:
        problem("the map read back differs from the input: " + r.stdout.strip())
    gin, _ = load(a.tools, os.path.join(back, "pmap.nrrd"), work, "back")
    want_dtype = {"float32": "<f4", "float64": "<f8", "int16": "<i2", "uint16": "<u2"}[case["pixel"]]
    if gin["dtype"] != want_dtype:
        problem(f"the reader wrote {gin['dtype']}, the stored type is {want_dtype}")
    # meta.json round trip
    out2 = os.path.join(work, "map2.dcm")
    r = run([os.path.join(a.bin, "itkimage2paramap"), "--inputImage", os.path.join(back, "pmap.nrrd"),
             "--inputMetadata", os.path.join(back, "meta.json"), "--outputDICOM", out2] + dicom)
    if r.returncode:
        problem("itkimage2paramap on the reader's output: " + r.stderr)
    else:
        a1, a2 = pydicom.dcmread(out, stop_before_pixels=True), pydicom.dcmread(out2, stop_before_pixels=True)
        for attr in ("SeriesDescription", "SeriesNumber", "BodyPartExamined", "ImageType", "Modality",
                     "ContentLabel", "NumberOfFrames", "BitsAllocated"):
            if a1.get(attr) != a2.get(attr):
                problem(f"rewritten map: {attr} {a2.get(attr)!r} instead of {a1.get(attr)!r}")
        r1 = a1.SharedFunctionalGroupsSequence[0].RealWorldValueMappingSequence[0]
        r2 = a2.SharedFunctionalGroupsSequence[0].RealWorldValueMappingSequence[0]
        if str(r1.QuantityDefinitionSequence) != str(r2.QuantityDefinitionSequence) or \
                float(r1.RealWorldValueSlope) != float(r2.RealWorldValueSlope):
            problem("rewritten map: Real World Value Mapping differs")
    print("PASS" if not problems else f"FAIL: {len(problems)} problem(s)")
    return 1 if problems else 0


def case_third_party(ctx):
    """pydicom-data's float map (written by highdicom): values equal pydicom's."""
    path = os.path.join(SHARED, "pydicom-data", "data_store", "data", "parametric_map_float.dcm")
    back = os.path.join(ctx["work"], "back")
    r = run([os.path.join(ctx["bin"], "paramap2itkimage"), "--inputDICOM", path, "--outputDirectory", back])
    print(r.stdout + r.stderr)
    if r.returncode:
        problem("exit " + str(r.returncode))
        return 1
    grid, data = load(ctx["tools"], os.path.join(back, "pmap.nrrd"), ctx["work"], "back")
    ds = pydicom.dcmread(path)
    want = np.stack(pixel_decode.frames(ds, path)).astype(np.float32).reshape(data.shape)
    if grid["dtype"] != "<f4" or not np.array_equal(want, data):
        problem("values differ from pydicom's decode")
    ipp = floats(ds.PerFrameFunctionalGroupsSequence[0].PlanePositionSequence[0].ImagePositionPatient)
    if not np.allclose(grid["origin"], ipp, atol=1e-4):
        problem(f"origin {grid['origin']} is not the frame's position {ipp}")
    print("PASS" if not problems else "FAIL")
    return 1 if problems else 0


def case_unsorted(ctx):
    """A map whose frames are stored in reverse position order reads back sorted."""
    out = os.path.join(ctx["work"], "map.dcm")
    r = run([os.path.join(ctx["bin"], "itkimage2paramap"), "--inputImage", os.path.join(PM, "pm-example-float.nrrd"),
             "--inputMetadata", os.path.join(EX, "pm-example-float.json"), "--outputDICOM", out] + MR_DIR)
    if r.returncode:
        problem(r.stderr)
        return 1
    ds = pydicom.dcmread(out)
    frames = np.stack(pixel_decode.frames(ds, out))
    ds.PerFrameFunctionalGroupsSequence = pydicom.Sequence(list(reversed(ds.PerFrameFunctionalGroupsSequence)))
    ds.FloatPixelData = np.ascontiguousarray(frames[::-1]).astype("<f4").tobytes()
    shuffled = os.path.join(ctx["work"], "reversed.dcm")
    ds.save_as(shuffled)
    back = os.path.join(ctx["work"], "back")
    r = run([os.path.join(ctx["bin"], "paramap2itkimage"), "--inputDICOM", shuffled, "--outputDirectory", back])
    if r.returncode:
        problem(r.stderr)
        return 1
    r = run([os.path.join(ctx["bin"], "qidcm-compare"), os.path.join(PM, "pm-example-float.nrrd"),
             os.path.join(back, "pmap.nrrd")])
    print(r.stdout)
    if r.returncode:
        problem("frames stored in reverse order do not read back into the input: " + r.stdout)
    print("PASS" if not problems else "FAIL")
    return 1 if problems else 0


def case_transfer_syntaxes(ctx):
    """Deflated and big endian re-encodings (DCMTK dcmconv) of an integer and a float map."""
    for name, meta in (("pm-example.nrrd", "pm-example.json"), ("pm-example-float.nrrd", "pm-example-float.json")):
        out = os.path.join(ctx["work"], name + ".dcm")
        r = run([os.path.join(ctx["bin"], "itkimage2paramap"), "--inputImage", os.path.join(PM, name),
                 "--inputMetadata", os.path.join(EX, meta), "--outputDICOM", out] + MR_DIR)
        if r.returncode:
            problem(r.stderr)
            continue
        for flag, label in (("+td", "deflated"), ("+tb", "big-endian"), ("+ti", "implicit")):
            enc = os.path.join(ctx["work"], f"{name}.{label}.dcm")
            c = run(["dcmconv", flag, out, enc])
            if c.returncode:
                problem(f"dcmconv {flag}: {c.stderr}")
                continue
            back = os.path.join(ctx["work"], f"back-{name}-{label}")
            r = run([os.path.join(ctx["bin"], "paramap2itkimage"), "--inputDICOM", enc, "--outputDirectory", back])
            if r.returncode:
                problem(f"{label} {name}: {r.stderr.strip()}")
                continue
            r = run([os.path.join(ctx["bin"], "qidcm-compare"), os.path.join(PM, name), os.path.join(back, "pmap.nrrd")])
            print(f"{label} {name}: {r.stdout.strip()}")
            if r.returncode:
                problem(f"{label} {name} reads back differently")
    print("PASS" if not problems else "FAIL")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
