#!/usr/bin/python3
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
    ]


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
    for name, tool, args, code, fragment, output in rows(work):
        r = subprocess.run([os.path.join(a.bin, tool)] + args, capture_output=True, text=True)
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
        leftovers = [os.path.join(d, f) for d in (work, os.path.join(work, "pm-out")) if os.path.isdir(d)
                     for f in os.listdir(d) if f.startswith(".qidcm-staging") or f.endswith("meta.json")]
        if leftovers:
            problems.append(f"staging left behind: {leftovers}")
        status = "ok  " if not problems else "FAIL"
        print(f"{status} {name}: exit {r.returncode}: {r.stderr.strip().splitlines()[-1] if r.stderr.strip() else ''}")
        for pr in problems:
            print(f"       {pr}")
        failures += bool(problems)
    print(f"{failures} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
