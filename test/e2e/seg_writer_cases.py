#!/usr/bin/python3
"""End-to-end cases for itkimage2segimage.

Each case runs the tool, then checks the SEG it wrote three ways:
  - dciodvfy reports no error (a label map: only the listed unknown-class messages);
  - pydicom decodes every frame, and the voxels placed by their positions equal
    the input labels (test/interop/check_seg.py);
  - dcmjs parses the file and finds the same segments and frames.

Usage: seg_writer_cases.py --list
       seg_writer_cases.py <case> --bin <build/apps> --tools <build/test/tools> --work <dir>
"""
import driver  # the common command line (test/e2e/driver.py)
import json
import os
import subprocess
import sys

from seg_common import CT3, INTEROP, ex, seg  # fixture paths shared by the SEG drivers

CT3_LIST = ",".join(os.path.join(CT3, f) for f in ("01.dcm", "02.dcm", "03.dcm"))

def write_nrrd(path, array, dump_json):
    """A raw little-endian NRRD with the geometry of a qidcm-test-imagedump JSON."""
    import numpy as np
    meta = json.load(open(dump_json))
    kinds = {np.dtype("uint8"): "uchar", np.dtype("int16"): "short", np.dtype("float32"): "float"}
    d = meta["direction"]
    sp = meta["spacing"]
    dirs = " ".join("(" + ",".join(repr(d[c][r] * sp[c]) for r in range(3)) + ")" for c in range(3))
    header = ("NRRD0004\n"
              f"type: {kinds[array.dtype]}\ndimension: 3\nspace: left-posterior-superior\n"
              f"sizes: {array.shape[2]} {array.shape[1]} {array.shape[0]}\nspace directions: {dirs}\n"
              "kinds: domain domain domain\nendian: little\nencoding: raw\n"
              f"space origin: ({','.join(repr(v) for v in meta['origin'])})\n\n")
    with open(path, "wb") as f:
        f.write(header.encode())
        f.write(array.astype(array.dtype.newbyteorder("<")).tobytes())


def dump(tools, image, work, name):
    j, raw = os.path.join(work, name + ".json"), os.path.join(work, name + ".raw")
    subprocess.run([os.path.join(tools, "qidcm-test-imagedump"), image, j, raw], check=True)
    return j, raw


def prepare_all_empty(work, tools):
    import numpy as np
    j, _ = dump(tools, seg("liver_seg.nrrd"), work, "liver")
    size = json.load(open(j))["size"]
    path = os.path.join(work, "empty.nrrd")
    write_nrrd(path, np.zeros((size[2], size[1], size[0]), dtype=np.int16), j)
    return {"images": [path]}


def prepare_fractional_files(work, tools):
    """Two 3-D probability maps (components 1 and 2 of the synthetic 4-D map), one segment each."""
    import numpy as np
    j, raw = dump(tools, os.path.join(work, "prob.nii.gz"), work, "prob")
    meta = json.load(open(j))
    size = meta["size"]
    data = np.fromfile(raw, dtype=np.dtype(meta["dtype"])).reshape(meta["components"], size[2], size[1], size[0])
    images = []
    for c in range(2):
        path = os.path.join(work, f"prob{c + 1}.nrrd")
        write_nrrd(path, data[c].astype(np.float32), j)
        images.append(path)
    synth_meta = json.load(open(os.path.join(work, "meta.json")))
    segs = synth_meta["segmentAttributes"][0]
    synth_meta["segmentAttributes"] = [[dict(segs[0], labelID=1)], [dict(segs[1], labelID=1)]]
    meta_path = os.path.join(work, "prob-meta.json")
    json.dump(synth_meta, open(meta_path, "w"))
    return {"images": images, "meta": meta_path}


def prepare_two_studies(work, tools):
    """A copy of the synthetic series in another study (same patient and frame of
    reference), covering fewer slices, so that the original series is primary."""
    import pydicom
    from pydicom.uid import generate_uid
    src, dst = os.path.join(work, "ct"), os.path.join(work, "ct-other-study")
    os.makedirs(dst)
    study, series = generate_uid(prefix="2.25."), generate_uid(prefix="2.25.")
    for name in sorted(os.listdir(src))[::2]:
        ds = pydicom.dcmread(os.path.join(src, name))
        ds.StudyInstanceUID, ds.SeriesInstanceUID = study, series
        ds.SOPInstanceUID = generate_uid(prefix="2.25.")
        ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        ds.save_as(os.path.join(dst, name))
    first = os.path.join(src, sorted(os.listdir(src))[0])
    return {"dicom_args": ["--inputDICOMDirectory", work], "sources": work,
            "primary_study": pydicom.dcmread(first, stop_before_pixels=True).StudyInstanceUID,
            "source_header": first}


def prepare_shifted(work, tools):
    """Two files whose origins differ by one column: their shapes overlap in
    patient space though not at the same voxel indices."""
    import numpy as np
    j, raw = dump(tools, seg("liver_seg.nrrd"), work, "liver")
    meta = json.load(open(j))
    size = meta["size"]
    data = np.fromfile(raw, dtype=np.dtype(meta["dtype"])).reshape(size[2], size[1], size[0])
    shifted = json.loads(json.dumps(meta))
    shifted["origin"] = [meta["origin"][0] + meta["spacing"][0], meta["origin"][1], meta["origin"][2]]
    sj = os.path.join(work, "shifted.json")
    json.dump(shifted, open(sj, "w"))
    a, b = os.path.join(work, "a.nrrd"), os.path.join(work, "b.nrrd")
    write_nrrd(a, data.astype(np.int16), j)
    write_nrrd(b, (data * 2).astype(np.int16), sj)
    doc = json.load(open(ex("seg-example.json")))
    second = dict(doc["segmentAttributes"][0][0], labelID=2, SegmentLabel="Liver shifted")
    doc["segmentAttributes"].append([second])
    mp = os.path.join(work, "shifted-meta.json")
    json.dump(doc, open(mp, "w"))
    return {"images": [a, b], "meta": mp}


def prepare_non_ascii(work, tools):
    doc = json.load(open(ex("seg-example.json")))
    doc["ContentCreatorName"] = "Müller^Hans"
    doc["SeriesDescription"] = "Lebersegmentierung – Ärztin"
    doc["segmentAttributes"][0][0]["SegmentLabel"] = "Leber ä"
    doc["segmentAttributes"][0][0]["SegmentDescription"] = "Lèber, façon Zürich"
    mp = os.path.join(work, "utf8.json")
    json.dump(doc, open(mp, "w"), ensure_ascii=False)
    return {"meta": mp}


def prepare_tracking(work, tools):
    """Segment 1 with a Tracking Identifier only, segment 2 with a Tracking
    Unique Identifier only, segment 3 with both."""
    doc = json.load(open(ex("seg-example_multiple_segments.json")))
    a, b, c = doc["segmentAttributes"][0][0], doc["segmentAttributes"][1][0], doc["segmentAttributes"][2][0]
    for s in (a, b, c):
        s.pop("TrackingIdentifier", None)
        s.pop("TrackingUniqueIdentifier", None)
    a["TrackingIdentifier"] = "lesion 1"
    b["TrackingUniqueIdentifier"] = "2.25.1234567"
    c["TrackingIdentifier"], c["TrackingUniqueIdentifier"] = "lesion 3", "2.25.7654321"
    mp = os.path.join(work, "tracking.json")
    json.dump(doc, open(mp, "w"))
    return {"meta": mp}


def prepare_bad_source_value(work, tools):
    """The CT series with a Patient's Age that breaks its VR (AS)."""
    import pydicom
    dst = os.path.join(work, "ct")
    os.makedirs(dst)
    for name in sorted(os.listdir(CT3)):
        ds = pydicom.dcmread(os.path.join(CT3, name))
        ds.PatientAge = "45 years"
        ds.save_as(os.path.join(dst, name))
    return {"dicom_args": ["--inputDICOMDirectory", dst], "sources": dst,
            "source_header": os.path.join(dst, sorted(os.listdir(dst))[0])}


# Each case: images, metadata, flags, and what the output must be.
CASES = {
    "liver": dict(images=[seg("liver_seg.nrrd")], meta=ex("seg-example.json"), dicom_dir=CT3),
    "liver-skip0": dict(images=[seg("liver_seg.nrrd")], meta=ex("seg-example.json"), dicom_dir=CT3, skip=0),
    "liver-deflate": dict(images=[seg("liver_seg.nrrd")], meta=ex("seg-example.json"), dicom_dir=CT3,
                          flags=["--compress", "deflate"]),
    "liver-labelmap": dict(images=[seg("liver_seg.nrrd")], meta=ex("seg-example.json"), dicom_dir=CT3,
                           type="LABELMAP"),
    "liver-spine-labelmap": dict(images=[seg("liver_seg.nrrd"), seg("spine_seg.nrrd")],
                                 meta=ex("seg-example_liver_spine.json"), dicom_list=CT3_LIST, type="LABELMAP"),
    "liver-spine-labelmap-labelid": dict(images=[seg("liver_seg.nrrd"), seg("spine_seg.nrrd")],
                                         meta=ex("seg-example_liver_spine.json"), dicom_list=CT3_LIST,
                                         type="LABELMAP", flags=["--useLabelIDAsSegmentNumber"]),
    "liver-spine-gapped-labelmap": dict(images=[seg("liver_seg.nrrd"), seg("spine_seg_label5.nrrd")],
                                        meta=ex("seg-example_liver_spine_gapped.json"), dicom_list=CT3_LIST,
                                        type="LABELMAP", flags=["--useLabelIDAsSegmentNumber"]),
    "multiple-segments": dict(images=[seg("liver_seg.nrrd"), seg("spine_seg.nrrd"), seg("heart_seg.nrrd")],
                              meta=ex("seg-example_multiple_segments.json"), dicom_dir=CT3, overlap="YES"),
    "tracking-ids": dict(images=[seg("liver_seg.nrrd"), seg("spine_seg.nrrd"), seg("heart_seg.nrrd")],
                         meta=ex("seg-example_multiple_segments.json"), dicom_dir=CT3, overlap="YES",
                         prepare=prepare_tracking),
    "multiple-segments-reordered": dict(images=[seg("heart_seg.nrrd"), seg("liver_seg.nrrd"), seg("spine_seg.nrrd")],
                                        meta=ex("seg-example_multiple_segments_reordered.json"), dicom_dir=CT3,
                                        overlap="YES"),
    "partial-overlaps": dict(images=[seg("partial_overlaps-1.nrrd"), seg("partial_overlaps-2.nrrd"),
                                     seg("partial_overlaps-3.nrrd")],
                             meta=ex("seg-example_partial_overlaps.json"), dicom_dir=CT3,
                             flags=["--useLabelIDAsSegmentNumber"], overlap="YES"),
    "odd-23x38x3": dict(images=[seg("23x38x3/nrrd/label.nrrd")], meta=ex("seg-example.json"),
                        dicom_dir=seg("23x38x3/image"), skip=0),
    "odd-24x38x3": dict(images=[seg("24x38x3/nrrd/label.nrrd")], meta=ex("seg-example.json"),
                        dicom_dir=seg("24x38x3/image"), skip=0),
    "odd-23x38x3-labelmap": dict(images=[seg("23x38x3/nrrd/label.nrrd")], meta=ex("seg-example.json"),
                                 dicom_dir=seg("23x38x3/image"), type="LABELMAP"),
    "multiframe-source": dict(images=[seg("24x38x3/nrrd/label.nrrd")], meta=ex("seg-example.json"),
                              dicom_list=seg("24x38x3/multiframe/mf.dcm"), sources=seg("24x38x3/multiframe")),
    "no-geometry-check": dict(images=[seg("liver_seg.nrrd")], meta=ex("seg-example.json"), dicom_dir=CT3,
                              flags=["--referencesGeometryCheck", "0"], references="shared"),
    # Synthetic cases (qidcm-synth)
    "synth-axial": dict(synth=["--segments", "7"]),
    "synth-oblique-negated": dict(synth=["--orientation", "oblique-negated", "--segments", "5", "--format", "nii.gz"]),
    "synth-negated-skip0": dict(synth=["--orientation", "negated", "--segments", "3", "--slices", "12"], skip=0),
    "synth-cropped": dict(synth=["--orientation", "oblique", "--segments", "4", "--crop", "20,30,5,70,60,25",
                                 "--format", "mha"]),
    "synth-labelmap-oblique": dict(synth=["--orientation", "oblique-negated", "--segments", "9"], type="LABELMAP"),
    "synth-int32": dict(synth=["--segments", "4", "--labelType", "int32", "--format", "nii"]),
    "synth-fractional-4d": dict(synth=["--segments", "3", "--probabilityMaps", "--orientation", "oblique"],
                                image="prob.nii.gz", type="FRACTIONAL", overlap="YES"),
    "synth-fractional-files": dict(synth=["--segments", "2", "--probabilityMaps"], prepare=prepare_fractional_files,
                                   type="FRACTIONAL", flags=["--fractionalType", "occupancy"]),
    "all-empty": dict(images=[], meta=ex("seg-example.json"), dicom_dir=CT3, prepare=prepare_all_empty,
                      expect_warning="holds no voxel"),
    "synth-two-studies": dict(synth=["--segments", "3"], prepare=prepare_two_studies),
    "shifted-overlap": dict(images=[], meta=ex("seg-example.json"), dicom_dir=CT3, prepare=prepare_shifted,
                            overlap="YES"),
    "non-ascii-metadata": dict(images=[seg("liver_seg.nrrd")], meta=ex("seg-example.json"), dicom_dir=CT3,
                               prepare=prepare_non_ascii, flags=["--verbose"], expect_stderr="phase plan",
                               # dcmjs decodes text inside sequences as Latin-1, ignoring ISO_IR 192;
                               # pydicom (check_seg) compares the labels instead
                               dcmjs_labels=False),
    "no-value-checks": dict(images=[seg("liver_seg.nrrd")], meta=ex("seg-example.json"), dicom_dir=CT3,
                            prepare=prepare_bad_source_value, flags=["--noDicomValueChecks"],
                            # the invalid value is written on purpose; dciodvfy must name it
                            known=["Error - Value invalid for this VR - (0x0010,0x1010) AS Patient's Age  AS [1] = "
                                   "<45 years> - Length invalid for this VR = 8, expected == 4",
                                   "Error - Dicom dataset contains invalid data values for Value Representations"]),
    "synth-300-labelmap16": dict(synth=["--segments", "300", "--labelType", "uint16", "--columns", "96",
                                        "--rows", "96", "--slices", "30", "--minSegmentSlices", "1",
                                        "--maxSegmentSlices", "4"], type="LABELMAP", bits=16),
}


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def segment_map(meta, images, use_label_id):
    """Segment number -> (file, label), by dcmqi's numbering rules."""
    out = {}
    n = 0
    for f, segs in enumerate(meta["segmentAttributes"]):
        for s in sorted(segs, key=lambda s: s["labelID"]):
            n += 1
            number = s["labelID"] if use_label_id else n
            out[str(number)] = [f, s["labelID"]]
    return out


def order_images(images, meta):
    mapping = meta.get("segmentAttributesFileMapping")
    if not mapping:
        return images
    return [next(i for i in images if os.path.basename(i) == os.path.basename(m)) for m in mapping]


def first_dicom(dicom_args):
    """A source file of the (single) source series, for the patient/study comparison."""
    if dicom_args[0] == "--inputDICOMList":
        return dicom_args[1].split(",")[0]
    for root, _, files in sorted(os.walk(dicom_args[1])):
        for name in sorted(files):
            if name.endswith(".dcm") or name.startswith("CT") or name[0].isdigit():
                return os.path.join(root, name)
    return None


def effective_label(s):
    return s.get("SegmentLabel") or s.get("SegmentDescription") or s["SegmentedPropertyTypeCodeSequence"]["CodeMeaning"]


def main():
    a = driver.case_arguments(CASES)
    case = CASES[a.case]
    work = driver.fresh_directory(a.work, a.case)
    tool = os.path.join(a.bin, "itkimage2segimage")

    if "synth" in case:
        r = run([os.path.join(a.bin, "qidcm-synth"), "--outputDirectory", work] + case["synth"])
        if r.returncode:
            print(r.stdout, r.stderr)
            return 1
        fmt = case["synth"][case["synth"].index("--format") + 1] if "--format" in case["synth"] else "nrrd"
        images = [os.path.join(work, case.get("image", "label." + fmt))]
        meta_path = os.path.join(work, "meta.json")
        dicom_args = ["--inputDICOMDirectory", os.path.join(work, "ct")]
        sources = os.path.join(work, "ct")
    else:
        images = case["images"]
        meta_path = case["meta"]
        if "dicom_dir" in case:
            dicom_args = ["--inputDICOMDirectory", case["dicom_dir"]]
            sources = case["dicom_dir"]
        else:
            dicom_args = ["--inputDICOMList", case["dicom_list"]]
            sources = case.get("sources", CT3)
    extra = {}
    if "prepare" in case:
        extra = case["prepare"](work, a.tools)
        images = extra.get("images", images)
        meta_path = extra.get("meta", meta_path)
        dicom_args = extra.get("dicom_args", dicom_args)
        sources = extra.get("sources", sources)
    meta = json.load(open(meta_path))
    seg_type = case.get("type", "BINARY")
    skip = case.get("skip", 1)
    flags = case.get("flags", [])
    out = os.path.join(work, "out.dcm")
    cmd = [tool, "--inputImageList", ",".join(images), "--inputMetadata", meta_path, "--outputDICOM", out,
           "--skip", str(skip), "--segmentationType", seg_type.lower()] + dicom_args + flags
    r = run(cmd)
    print(" ".join(cmd))
    print(r.stdout + r.stderr)
    if r.returncode != 0:
        print(f"FAIL: exit status {r.returncode}")
        return 1
    if case.get("expect_warning") and case["expect_warning"] not in r.stderr:
        print(f"FAIL: no warning containing '{case['expect_warning']}'")
        return 1
    if case.get("expect_stderr") and case["expect_stderr"] not in r.stderr:
        print(f"FAIL: stderr lacks '{case['expect_stderr']}'")
        return 1
    leftovers = [f for f in os.listdir(work) if f.startswith(".qidcm-staging")]
    if leftovers:
        print(f"FAIL: staging left behind: {leftovers}")
        return 1

    failures = 0
    # 1. dciodvfy
    dargs = [os.path.join(INTEROP, "dciodvfy_check.py"), out]
    if seg_type == "LABELMAP":
        dargs.append("--labelmap")
    for k in case.get("known", []):
        dargs += ["--known", k]
    r = run(dargs)
    print(r.stdout + r.stderr)
    failures += r.returncode != 0

    # 2. pydicom voxel comparison
    ordered = order_images(images, meta)
    dumps = []
    for n, img in enumerate(ordered):
        j, raw = os.path.join(work, f"image{n}.json"), os.path.join(work, f"image{n}.raw")
        r = run([os.path.join(a.tools, "qidcm-test-imagedump"), img, j, raw])
        if r.returncode:
            print(r.stderr)
            return 1
        dumps.append({"json": j, "raw": raw})
    use_label_id = "--useLabelIDAsSegmentNumber" in flags
    segmap = segment_map(meta, ordered, use_label_id)
    expect = {"images": dumps, "segments": segmap, "type": seg_type, "skip": skip == 1,
              "sources": sources, "references": case.get("references", "per-frame"), "metadata": meta_path,
              "source_header": extra.get("source_header") or first_dicom(dicom_args),
              "primary_study": extra.get("primary_study")}
    if "overlap" in case:
        expect["overlap"] = case["overlap"]
    exp_path = os.path.join(work, "expect.json")
    json.dump(expect, open(exp_path, "w"))
    r = run([os.path.join(INTEROP, "check_seg.py"), out, exp_path])
    print(r.stdout + r.stderr)
    failures += r.returncode != 0

    # 3. dcmjs
    labels = []
    flat = {}
    for f, segs in enumerate(meta["segmentAttributes"]):
        for s in segs:
            flat[(f, s["labelID"])] = effective_label(s)
    for number in sorted(segmap, key=int):
        labels.append(flat[tuple(segmap[number])])
    check = {"labels": labels, "type": seg_type}
    if not case.get("dcmjs_labels", True):
        check = {"segments": len(labels), "type": seg_type}
    if seg_type == "LABELMAP":
        # every label-map case here has background pixels, described by Segment 0
        check["labels"] = ["Background"] + labels
    if case.get("bits"):
        if f"US {case['bits']}" not in run(["dcmdump", "+P", "BitsAllocated", out]).stdout:
            print(f"FAIL: BitsAllocated is not {case['bits']}")
            failures += 1
    r = run(["node", os.path.join(INTEROP, "dcmjs_check.js"), out, json.dumps(check)])
    print(r.stdout + r.stderr)
    failures += r.returncode != 0

    print("PASS" if failures == 0 else f"FAIL: {failures} check(s) failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
