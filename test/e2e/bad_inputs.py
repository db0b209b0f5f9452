#!/usr/bin/python3
# Kept whole (>400 lines): one test (cli.bad_inputs) over one row table and its inputs; a split would divide the table.
"""Bad inputs: each row gives the tool, its arguments, the expected exit code
and a fragment of the expected one-line message. Every row must also leave
no output file and no staging directory behind.

Usage: bad_inputs.py --bin <build/apps> --tools <dir> --work <dir>
"""
import argparse
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SHARED = os.path.join(os.path.dirname(ROOT), "shared", "data")
SEGS = os.path.join(SHARED, "dcmqi", "data", "segmentations")
EX = os.path.join(SHARED, "dcmqi", "doc", "examples")
CT3 = os.path.join(SEGS, "ct-3slice")
LIVER = os.path.join(SEGS, "liver_seg.nrrd")
META = os.path.join(EX, "seg-example.json")


def make_inputs(work, bin_dir):
    """Inputs the rows need: a truncated NIfTI, a 4-D probability map, and the
    CT series with a Patient's Age that breaks its VR."""
    import pydicom
    synth = os.path.join(work, "synth")
    subprocess.run([os.path.join(bin_dir, "qidcm-synth"), "--outputDirectory", synth, "--segments", "2",
                    "--probabilityMaps", "--format", "nii", "--noSeries"], check=True, capture_output=True)
    whole = open(os.path.join(synth, "label.nii"), "rb").read()
    with open(os.path.join(work, "truncated.nii"), "wb") as f:
        f.write(whole[: len(whole) // 2])
    badct = os.path.join(work, "badct")
    os.makedirs(badct)
    for name in sorted(os.listdir(CT3)):
        ds = pydicom.dcmread(os.path.join(CT3, name))
        ds.PatientAge = "45 years"
        ds.save_as(os.path.join(badct, name))
    make_hardening_inputs(work, bin_dir)


def make_hardening_inputs(work, bin_dir):
    """Broken SEGs derived from dcmqi's liver.dcm, label images with NaN and
    negative labels, sources in two frames of reference."""
    import numpy as np
    import pydicom
    from pydicom.dataelem import DataElement

    def seg(name, change):
        ds = pydicom.dcmread(os.path.join(SEGS, "liver.dcm"))
        change(ds)
        ds.save_as(os.path.join(work, name), write_like_original=True)

    def no_plane_position(ds):
        for item in ds.PerFrameFunctionalGroupsSequence:
            del item.PlanePositionSequence
    seg("seg-no-position.dcm", no_plane_position)

    def unknown_segment(ds):
        ds.PerFrameFunctionalGroupsSequence[1].SegmentIdentificationSequence[0].ReferencedSegmentNumber = 7
    seg("seg-unknown-segment.dcm", unknown_segment)

    def short_pixels(ds):
        ds.Rows = 1024  # Rows x Columns x frames no longer fits the pixel data
    seg("seg-short-pixels.dcm", short_pixels)

    def zero_frames(ds):
        ds.NumberOfFrames = 0
        ds.PerFrameFunctionalGroupsSequence = []
        ds.PixelData = b""
    seg("seg-zero-frames.dcm", zero_frames)

    def zero_length_us(ds):
        ds["Columns"] = DataElement(0x00280011, "US", None)
    seg("seg-empty-columns.dcm", zero_length_us)

    def absurd(ds):
        ds.Rows = 65535
        ds.Columns = 65535
        ds.NumberOfFrames = 1000000
    seg("seg-absurd-size.dcm", absurd)

    def far_apart(ds):
        # Frames 10^6 slice spacings apart: the rebuilt grid would need petabytes.
        ds.PerFrameFunctionalGroupsSequence[2].PlanePositionSequence[0].ImagePositionPatient[2] = 1.0e6
    seg("seg-far-apart.dcm", far_apart)

    # Label images: NaN in a float label image, a negative label.
    grid_json, raw = os.path.join(work, "g.json"), os.path.join(work, "g.raw")
    subprocess.run([os.path.join(os.path.dirname(bin_dir), "test", "qidcm-test-imagedump"), LIVER, grid_json, raw],
                   check=True, capture_output=True)
    g = json.load(open(grid_json))
    cols, rws, slices = g["size"]
    labels = np.fromfile(raw, dtype=np.dtype(g["dtype"])).reshape(slices, rws, cols)
    d, sp = g["direction"], g["spacing"]
    dirs = " ".join("(" + ",".join(repr(d[c][r] * sp[c]) for r in range(3)) + ")" for c in range(3))

    def nrrd(name, array, kind):
        with open(os.path.join(work, name), "wb") as f:
            f.write(("NRRD0004\n" f"type: {kind}\ndimension: 3\nspace: left-posterior-superior\n"
                     f"sizes: {cols} {rws} {slices}\nspace directions: {dirs}\nkinds: domain domain domain\n"
                     "endian: little\nencoding: raw\n"
                     f"space origin: ({','.join(repr(v) for v in g['origin'])})\n\n").encode())
            f.write(array.tobytes())
    with_nan = labels.astype("<f4")
    with_nan[1, 100, 100] = np.nan
    nrrd("label-nan.nrrd", with_nan, "float")
    negative = labels.astype("<i2")
    negative[0, 10, 10] = -3
    nrrd("label-negative.nrrd", negative, "short")

    # The CT series with its frames of reference split in two.
    twofor = os.path.join(work, "two-for")
    os.makedirs(twofor)
    for n, name in enumerate(sorted(os.listdir(CT3))):
        ds = pydicom.dcmread(os.path.join(CT3, name))
        if n == 2:
            ds.FrameOfReferenceUID = "2.25.1234567890123456789"
        ds.save_as(os.path.join(twofor, name))


def rows(work):
    out = os.path.join(work, "out.dcm")
    base = ["--inputMetadata", META, "--inputDICOMDirectory", CT3, "--outputDICOM", out]

    def writes(name, doc):
        path = os.path.join(work, name)
        with open(path, "w") as f:
            f.write(doc if isinstance(doc, str) else json.dumps(doc))
        return path

    example = json.load(open(META))
    no_meaning = json.loads(json.dumps(example))
    del no_meaning["segmentAttributes"][0][0]["SegmentedPropertyTypeCodeSequence"]["CodeMeaning"]
    wrong_label = json.loads(json.dumps(example))
    wrong_label["segmentAttributes"][0][0]["labelID"] = 2
    two_lists = json.loads(json.dumps(example))
    two_lists["segmentAttributes"].append(two_lists["segmentAttributes"][0])
    empty_code = json.loads(json.dumps(example))
    empty_code["segmentAttributes"][0][0]["SegmentedPropertyCategoryCodeSequence"]["CodingSchemeDesignator"] = ""
    backslash = json.loads(json.dumps(example))
    backslash["ContentCreatorName"] = "Doe\\John"

    PMAPS = os.path.join(SHARED, "dcmqi", "data", "paramaps")
    PMMETA = os.path.join(EX, "pm-example.json")
    pm_doc = json.load(open(PMMETA))
    no_quantity = {k: v for k, v in pm_doc.items() if k != "QuantityValueCode"}
    no_units = {k: v for k, v in pm_doc.items() if k != "MeasurementUnitsCode"}
    pm_base = ["--inputDICOMDirectory", os.path.join(PMAPS, "pm-example-dcm_unzipped"), "--outputDICOM", out]
    P = "itkimage2paramap"
    R = "paramap2itkimage"
    rout = os.path.join(work, "pm-out")
    T = "itkimage2segimage"
    return [
        ("PM: vector image", P, ["--inputImage", os.path.join(work, "synth", "prob.nii.gz"),
                                 "--inputMetadata", PMMETA] + pm_base, 1,
         "prob.nii.gz: has 2 components; a parametric map needs a scalar image", out),
        ("PM: metadata without the quantity", P, ["--inputImage", os.path.join(PMAPS, "pm-example.nrrd"),
                                                  "--inputMetadata", writes("noquantity.json", no_quantity)] + pm_base,
         1, "noquantity.json: (top level): missing QuantityValueCode", out),
        ("PM: metadata without units", P, ["--inputImage", os.path.join(PMAPS, "pm-example.nrrd"),
                                           "--inputMetadata", writes("nounits.json", no_units)] + pm_base,
         1, "nounits.json: (top level): missing MeasurementUnitsCode", out),
        ("PM: float values forced to int16", P, ["--inputImage", os.path.join(PMAPS, "pm-example-float.nrrd"),
                                                 "--inputMetadata", PMMETA, "--pixelType", "int16"] + pm_base, 1,
         "not all integers, do not fit --pixelType int16", out),
        ("PM: no source", P, ["--inputImage", os.path.join(PMAPS, "pm-example.nrrd"), "--inputMetadata", PMMETA,
                              "--outputDICOM", out], 2, "no source DICOM given", out),
        ("PM reader: a SEG is not a parametric map", R, ["--inputDICOM", os.path.join(SEGS, "liver.dcm"),
                                                         "--outputDirectory", rout], 1,
         "liver.dcm: SOPClassUID (0008,0016): is 1.2.840.10008.5.1.4.1.1.66.4, not a Parametric Map",
         os.path.join(rout, "pmap.nrrd")),
        ("PM reader: not DICOM", R, ["--inputDICOM", os.path.join(PMAPS, "pm-example.nrrd"),
                                     "--outputDirectory", rout], 1, "pm-example.nrrd: not a readable DICOM file",
         os.path.join(rout, "pmap.nrrd")),
        ("SEG reader: a parametric map is not a SEG", "segimage2itkimage",
         ["--inputDICOM", os.path.join(PMAPS, "pm-example-slice.dcm"), "--outputDirectory", rout], 1,
         "is 1.2.840.10008.5.1.4.1.1.4 (MRImageStorage), not a Segmentation", os.path.join(rout, "1.nrrd")),
        # (name, tool, args, exit code, message fragment, output that must not exist)
        ("missing label image", T, ["--inputImageList", os.path.join(work, "nope.nrrd")] + base, 1,
         "nope.nrrd: file not found", out),
        ("label image is not an image", T, ["--inputImageList", META] + base, 1,
         "seg-example.json: not a readable image", out),
        ("label image is a DICOM file", T, ["--inputImageList", os.path.join(CT3, "01.dcm")] + base, 1,
         "01.dcm: not a readable image", out),
        ("metadata file missing", T, ["--inputImageList", LIVER, "--inputMetadata", os.path.join(work, "none.json"),
                                      "--inputDICOMDirectory", CT3, "--outputDICOM", out], 1,
         "none.json: cannot open file", out),
        ("metadata is not JSON", T, ["--inputImageList", LIVER, "--inputMetadata",
                                     writes("broken.json", "{\"SeriesNumber\": \"1\",\n  oops }"),
                                     "--inputDICOMDirectory", CT3, "--outputDICOM", out], 1,
         "broken.json: invalid JSON at line 2, column 3", out),
        ("metadata breaks the schema", T, ["--inputImageList", LIVER, "--inputMetadata",
                                           writes("nomeaning.json", no_meaning),
                                           "--inputDICOMDirectory", CT3, "--outputDICOM", out], 1,
         "nomeaning.json: segmentAttributes[0][0].SegmentedPropertyTypeCodeSequence: missing CodeMeaning", out),
        ("code with an empty field", T, ["--inputImageList", LIVER, "--inputMetadata",
                                         writes("emptycode.json", empty_code),
                                         "--inputDICOMDirectory", CT3, "--outputDICOM", out], 1,
         "segmentAttributes[0][0].SegmentedPropertyCategoryCodeSequence.CodingSchemeDesignator: empty value", out),
        ("metadata does not match the labels", T, ["--inputImageList", LIVER, "--inputMetadata",
                                                   writes("wronglabel.json", wrong_label),
                                                   "--inputDICOMDirectory", CT3, "--outputDICOM", out], 1,
         "liver_seg.nrrd: label 1 (first at voxel", out),
        ("more segment lists than images", T, ["--inputImageList", LIVER, "--inputMetadata",
                                               writes("twolists.json", two_lists),
                                               "--inputDICOMDirectory", CT3, "--outputDICOM", out], 1,
         "segmentAttributes: lists segments for 2 input file(s), but 1 image(s) were given", out),
        ("truncated label image", T, ["--inputImageList", os.path.join(work, "truncated.nii")] + base, 1,
         "truncated.nii: truncated", out),
        ("4-D image as a label image", T, ["--inputImageList", os.path.join(work, "synth", "prob.nii.gz")] + base, 1,
         "prob.nii.gz: has 2 components; label images must be scalar", out),
        ("backslash in a single-valued attribute", T, ["--inputImageList", LIVER, "--inputMetadata",
                                                       writes("backslash.json", backslash),
                                                       "--inputDICOMDirectory", CT3, "--outputDICOM", out], 1,
         "backslash.json: ContentCreatorName -> ContentCreatorName (0070,0084): invalid value", out),
        ("source value breaking its VR", T, ["--inputImageList", LIVER, "--inputMetadata", META,
                                             "--inputDICOMDirectory", os.path.join(work, "badct"),
                                             "--outputDICOM", out], 1,
         "PatientAge (0010,1010): invalid value '45 years'", out),
        ("label grid fits no source", T, ["--inputImageList", LIVER, "--inputMetadata", META,
                                          "--inputDICOMDirectory", os.path.join(SEGS, "23x38x3", "image"),
                                          "--outputDICOM", out], 1,
         "the image grid fits no source series", out),
        ("sources from two patients", T, ["--inputImageList", LIVER, "--inputMetadata", META, "--inputDICOMList",
                                          os.path.join(CT3, "01.dcm") + "," +
                                          os.path.join(SHARED, "pydicom/src/pydicom/data/test_files/CT_small.dcm"),
                                          "--outputDICOM", out], 1,
         "sources belong to more than one patient", out),
        ("no source found", T, ["--inputImageList", LIVER, "--inputMetadata", META, "--inputDICOMDirectory",
                                os.path.join(SHARED, "pynrrd"), "--outputDICOM", out], 1,
         "no DICOM image with plane geometry found", out),
        ("source directory missing", T, ["--inputImageList", LIVER, "--inputMetadata", META,
                                         "--inputDICOMDirectory", os.path.join(work, "nodir"),
                                         "--outputDICOM", out], 1, "nodir: directory not found", out),
        ("overlapping label map", T, ["--inputImageList", ",".join(os.path.join(SEGS, n) for n in
                                                                    ("liver_seg.nrrd", "spine_seg.nrrd",
                                                                     "heart_seg.nrrd")),
                                      "--inputMetadata", os.path.join(EX, "seg-example_multiple_segments.json"),
                                      "--inputDICOMDirectory", CT3, "--outputDICOM", out,
                                      "--segmentationType", "labelmap"], 1,
         "overlaps segment 1 (\"Liver\")", out),
        ("output directory missing", T, ["--inputImageList", LIVER, "--inputMetadata", META,
                                         "--inputDICOMDirectory", CT3, "--outputDICOM",
                                         os.path.join(work, "no", "such", "out.dcm")], 3,
         "output directory does not exist", os.path.join(work, "no", "such", "out.dcm")),
        ("output not writable", T, ["--inputImageList", LIVER, "--inputMetadata", META,
                                    "--inputDICOMDirectory", CT3, "--outputDICOM", "/proc/qidcm-out.dcm"], 3,
         "cannot write to directory", "/proc/qidcm-out.dcm"),
        ("missing required flag", T, ["--inputImageList", LIVER, "--inputDICOMDirectory", CT3,
                                      "--outputDICOM", out], 2, "--inputMetadata is required", out),
        ("unknown flag", T, ["--inputImageList", LIVER, "--bogus"] + base, 2, "bogus", out),
        ("bad enumeration value", T, ["--inputImageList", LIVER, "--segmentationType", "voxels"] + base, 2,
         "--segmentationType", out),
        ("bare --skip (dcmqi needs a value)", T, ["--inputImageList", LIVER, "--skip"] + base, 2, "--skip", out),
    ] + hardening_rows(work)


def hardening_rows(work):
    """Rows of the hardening issue: malformed third-party files, broken SEGs,
    bad JSON and label images, split sources, unwritable and full outputs.
    A row may carry options: 'existing' (the output path holds a file before
    the run, which must be left as it was) and 'fsize' (a file size limit in
    bytes, as ulimit -f sets it)."""
    S = "segimage2itkimage"
    T = "itkimage2segimage"
    P = "paramap2itkimage"
    R = "tid1500reader"
    rout = os.path.join(work, "seg-out")
    first = os.path.join(rout, "1.nrrd")
    out = os.path.join(work, "out.dcm")
    base = ["--inputMetadata", META, "--inputDICOMDirectory", CT3, "--outputDICOM", out]
    PY = os.path.join(SHARED, "pydicom", "src", "pydicom", "data", "test_files")
    nrrd_as_dcm = os.path.join(SHARED, "QuantitativeReporting", "Prototype", "TestData", "DICOM.SEG", "slicer.seg.dcm")

    def reader(path):
        return ["--inputDICOM", path, "--outputDirectory", rout]

    def writes(name, text):
        path = os.path.join(work, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    example = json.load(open(META))
    wrong_type = json.loads(json.dumps(example))
    wrong_type["SeriesNumber"] = {"value": 3}
    unknown_enum = json.loads(json.dumps(example))
    unknown_enum["segmentAttributes"][0][0]["SegmentAlgorithmType"] = "MAGIC"
    huge = json.loads(json.dumps(example))
    huge["SeriesDescription"] = "x" * 5_000_000
    rows = [
        # malformed files in ../shared/data
        ("SEG reader: truncated pixel data (MR_truncated)", S, reader(os.path.join(PY, "MR_truncated.dcm")), 1,
         "MR_truncated.dcm", first),
        ("SEG reader: a NRRD named .dcm", S, reader(nrrd_as_dcm), 1, "slicer.seg.dcm: not a readable DICOM file", first),
        ("SEG reader: no file meta group length, no SOP class", S,
         reader(os.path.join(PY, "no_meta_group_length.dcm")), 1, "no_meta_group_length.dcm", first),
        ("SEG reader: bad VR (badVR.dcm)", S, reader(os.path.join(PY, "badVR.dcm")), 1, "badVR.dcm", first),
        ("SEG reader: frame count inconsistent with the functional groups", S,
         reader(os.path.join(PY, "liver_1frame.dcm")), 1, "liver_1frame.dcm", first),
        ("SEG reader: a non-image SOP class (SR)", S,
         reader(os.path.join(SHARED, "dcmqi", "data", "sr-example", "sr.dcm")), 1, "not a Segmentation", first),
        ("PM reader: truncated pixel data", P, reader(os.path.join(PY, "MR_truncated.dcm")), 1, "MR_truncated.dcm",
         os.path.join(rout, "pmap.nrrd")),
        ("SR reader: bad VR", R, ["--inputDICOM", os.path.join(PY, "badVR.dcm"), "--outputMetadata",
                                  os.path.join(work, "sr.json")], 1, "badVR.dcm", os.path.join(work, "sr.json")),
        ("SR reader: a NRRD named .dcm", R, ["--inputDICOM", nrrd_as_dcm, "--outputMetadata",
                                             os.path.join(work, "sr.json")], 1, "slicer.seg.dcm",
         os.path.join(work, "sr.json")),
        # broken SEGs
        ("SEG without Plane Position", S, reader(os.path.join(work, "seg-no-position.dcm")), 1,
         "seg-no-position.dcm", first),
        ("SEG frame naming a segment not in the Segment Sequence", S,
         reader(os.path.join(work, "seg-unknown-segment.dcm")), 1, "seg-unknown-segment.dcm", first),
        ("SEG with Rows x Columns x frames beyond its pixel data", S,
         reader(os.path.join(work, "seg-short-pixels.dcm")), 1, "seg-short-pixels.dcm: PixelData (7FE0,0010)", first),
        ("SEG with 0 frames", S, reader(os.path.join(work, "seg-zero-frames.dcm")), 1, "seg-zero-frames.dcm", first),
        ("SEG with a zero-length US element (Columns)", S, reader(os.path.join(work, "seg-empty-columns.dcm")), 1,
         "seg-empty-columns.dcm: Columns (0028,0011)", first),
        ("SEG declaring 65535 x 65535 x 10^6", S, reader(os.path.join(work, "seg-absurd-size.dcm")), 1,
         "seg-absurd-size.dcm", first),
        ("SEG whose frames lie 10^6 slices apart", S, reader(os.path.join(work, "seg-far-apart.dcm")), 1,
         "seg-far-apart.dcm", first),
        # JSON
        ("metadata with a wrong type", T, ["--inputImageList", LIVER, "--inputMetadata",
                                           writes("wrongtype.json", json.dumps(wrong_type))] + base[2:], 1,
         "wrongtype.json: SeriesNumber", out),
        ("metadata with an unknown enumerated value", T, ["--inputImageList", LIVER, "--inputMetadata",
                                                          writes("enum.json", json.dumps(unknown_enum))] + base[2:],
         1, "enum.json: segmentAttributes[0][0].SegmentAlgorithmType", out),
        ("metadata with a 5 MB string", T, ["--inputImageList", LIVER, "--inputMetadata",
                                            writes("huge.json", json.dumps(huge))] + base[2:], 1,
         "huge.json: SeriesDescription", out),
        ("empty metadata file", T, ["--inputImageList", LIVER, "--inputMetadata", writes("empty.json", "")] + base[2:],
         1, "empty.json", out),
        # label images
        ("label image with NaN", T, ["--inputImageList", os.path.join(work, "label-nan.nrrd")] + base, 1,
         "label-nan.nrrd", out),
        ("label image with a negative label", T, ["--inputImageList", os.path.join(work, "label-negative.nrrd")] + base,
         1, "label-negative.nrrd", out),
        # sources
        ("sources in two frames of reference", T, ["--inputImageList", LIVER, "--inputMetadata", META,
                                                   "--inputDICOMDirectory", os.path.join(work, "two-for"),
                                                   "--outputDICOM", out], 1, "FrameOfReferenceUID (0020,0052)", out),
        # outputs
        ("failed conversion leaves an existing output untouched", T,
         ["--inputImageList", os.path.join(work, "label-nan.nrrd")] + base, 1, "label-nan.nrrd", None,
         {"existing": out}),
        ("file size limit reached while writing (disk full)", T,
         ["--inputImageList", LIVER] + base, 3, "out.dcm", None, {"existing": out, "fsize": 5000}),
        ("reader output over the file size limit (disk full)", S,
         reader(os.path.join(SEGS, "liver.dcm")) + ["-t", "nrrd"], 3, "seg-out", None,
         {"existing": os.path.join(rout, "1.nrrd"), "fsize": 1000}),
    ]
    return rows


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bin", required=True)
    p.add_argument("--tools")
    p.add_argument("--work", required=True)
    a = p.parse_args()
    work = os.path.join(a.work, "bad-inputs")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    make_inputs(work, a.bin)
    failures = 0
    for row in rows(work):
        name, tool, args, code, fragment, output = row[:6]
        options = row[6] if len(row) > 6 else {}
        existing = options.get("existing")
        before = None
        if existing:
            os.makedirs(os.path.dirname(existing), exist_ok=True)
            before = b"an earlier file that must survive\n" * 100
            with open(existing, "wb") as f:
                f.write(before)
        limit = options.get("fsize")

        def set_limit():
            import resource
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
        r = subprocess.run([os.path.join(a.bin, tool)] + args, capture_output=True, text=True,
                           preexec_fn=set_limit if limit else None)
        err_lines = [l for l in r.stderr.splitlines() if l.strip() and not l.startswith("warning:")]
        problems = []
        if r.returncode != code:
            problems.append(f"exit {r.returncode}, expected {code}")
        if len(err_lines) != 1:
            problems.append(f"{len(err_lines)} error lines, expected 1")
        if fragment not in r.stderr:
            problems.append(f"message lacks '{fragment}'")
        if not any(l.startswith(f"{tool}: error: ") for l in err_lines):
            problems.append("message does not start with '<tool>: error: '")
        if output and os.path.exists(output):
            problems.append(f"output {output} exists")
        if existing:
            if not os.path.exists(existing) or open(existing, "rb").read() != before:
                problems.append(f"the earlier file at {existing} was changed or removed")
            os.remove(existing)
        leftovers = [os.path.join(d, f) for d in (work, os.path.join(work, "pm-out"), os.path.join(work, "seg-out"))
                     if os.path.isdir(d)
                     for f in os.listdir(d) if f.startswith(".qidcm-staging") or f.endswith("meta.json")]
        if leftovers:
            problems.append(f"staging left behind: {leftovers}")
        status = "ok  " if not problems else "FAIL"
        print(f"{status} {name}: exit {r.returncode}: {r.stderr.strip().splitlines()[-1] if r.stderr.strip() else ''}")
        for pr in problems:
            print(f"       {pr}")
        failures += bool(problems)
    print(f"{failures} failure(s) in {len(rows(work))} rows")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
