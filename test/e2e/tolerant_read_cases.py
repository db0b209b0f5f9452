#!/usr/bin/python3
"""Readers never reject what real files carry; writers never write what a VR forbids.

For each reader (segimage2itkimage, paramap2itkimage, tid1500reader; and
bin2labelsegimage, which reads a SEG and writes another), a file
written by qidcm is given values that break their VR's rules, as real archives
hold them: an over-long LO (Series Description, 70 characters), SH (a Coding
Scheme Designator of 20 characters) and CS (22 characters), and a Code Meaning
of 80 characters. Each case checks that
  - the reader exits 0 and its JSON holds every such value exactly as the file
    had it (the CS of the SR case is one the JSON does not carry);
  - it warns exactly once per attribute, naming the attribute;
  - the matching writer takes that JSON back, exits 0, warns naming each JSON
    key it shortens, and writes values that fit their VR (at most 64 / 16
    characters, the start of the original) -- checked with pydicom -- and
    dciodvfy reports no error.

Usage: tolerant_read_cases.py --list | <case> --bin <build/apps> --tools <dir> --work <dir>
"""
import driver  # the common command line (test/e2e/driver.py)
import json
import warnings
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SHARED = os.path.join(os.path.dirname(ROOT), "shared", "data")
EX = os.path.join(SHARED, "dcmqi", "doc", "examples")
SEGS = os.path.join(SHARED, "dcmqi", "data", "segmentations")
CT3 = os.path.join(SEGS, "ct-3slice")
PM = os.path.join(SHARED, "dcmqi", "data", "paramaps")
MR = os.path.join(PM, "pm-example-dcm_unzipped")
SR_EXAMPLE = os.path.join(SHARED, "dcmqi", "data", "sr-example")
INTEROP = os.path.join(ROOT, "test", "interop")
sys.path.insert(0, INTEROP)
from testdeps import lazy  # noqa: E402  (test-only packages, imported on first use)

pydicom = lazy("pydicom")

LO70 = ("Series description from an archive, longer than an LO value may be: " + "x" * 70)[:70]
CS22 = "OVERLONG_CODE_STRING_X"
SH20 = "99ARCHIVE_SCHEME_XYZ"
MEANING80 = "A code meaning as some archives carry it, well beyond the sixty-four characters."
assert len(LO70) == 70 and len(CS22) == 22 and len(SH20) == 20 and len(MEANING80) == 80

problems = []


def problem(text):
    problems.append(text)
    print("FAIL: " + text)


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    print("$ " + " ".join(cmd))
    if r.stdout.strip():
        print(r.stdout.rstrip())
    if r.stderr.strip():
        print(r.stderr.rstrip())
    return r


def must(cmd):
    r = run(cmd)
    if r.returncode:
        raise SystemExit(f"FAIL: {os.path.basename(cmd[0])} exited {r.returncode}")
    return r


def check_warned_once(stderr, attribute, what):
    n = sum(1 for line in stderr.splitlines() if attribute in line and "warning" in line.lower())
    if n != 1:
        problem(f"{what}: {n} warnings naming {attribute}, 1 expected")


def check_named(stderr, key, what):
    if not any(key in line and "warning" in line.lower() for line in stderr.splitlines()):
        problem(f"{what}: no warning naming the JSON key {key}")


def check_fits(value, original, limit, what):
    value = str(value)
    if value != original[:limit].rstrip(" "):  # trailing spaces of a text value are padding
        problem(f"{what}: written as {value!r} ({len(value)} characters); the first {limit} of {original!r} expected")
    else:
        print(f"ok: {what} written as the first {len(value)} characters")


def dciodvfy(path, labelmap=False):
    r = run([os.path.join(INTEROP, "dciodvfy_check.py"), path] + (["--labelmap"] if labelmap else []))
    if r.returncode:
        problem(f"dciodvfy reports errors in {os.path.basename(path)}")


# ---------------------------------------------------------------- SEG

def quiet():
    """pydicom warns when it is given the invalid values these cases need."""
    warnings.simplefilter("ignore")


def odd_seg(ctx):
    """The liver SEG, written by qidcm, with the over-long values."""
    base = os.path.join(ctx.work, "base.dcm")
    must([ctx.tool("itkimage2segimage"), "--inputImageList", os.path.join(SEGS, "liver_seg.nrrd"),
          "--inputMetadata", os.path.join(EX, "seg-example.json"), "--inputDICOMDirectory", CT3,
          "--outputDICOM", base])
    ds = pydicom.dcmread(base)
    ds.SeriesDescription = LO70
    ds.ContentLabel = CS22
    seg0 = ds.SegmentSequence[0]
    seg0.SegmentedPropertyTypeCodeSequence[0].CodeMeaning = MEANING80
    seg0.SegmentedPropertyCategoryCodeSequence[0].CodingSchemeDesignator = SH20
    odd = os.path.join(ctx.work, "archive.dcm")
    ds.save_as(odd)
    return odd


def case_seg(ctx):
    odd = odd_seg(ctx)
    back = os.path.join(ctx.work, "read")
    r = run([ctx.tool("segimage2itkimage"), "--inputDICOM", odd, "--outputDirectory", back])
    if r.returncode:
        problem(f"segimage2itkimage exited {r.returncode} on values its VR does not allow")
        return
    for attribute in ("SeriesDescription (0008,103E)", "ContentLabel (0070,0080)", "CodeMeaning (0008,0104)",
                      "CodingSchemeDesignator (0008,0102)"):
        check_warned_once(r.stderr, attribute, "segimage2itkimage")
    meta = json.load(open(os.path.join(back, "meta.json")))
    s = meta["segmentAttributes"][0][0]
    got = (meta.get("SeriesDescription"), meta.get("ContentLabel"),
           s["SegmentedPropertyTypeCodeSequence"]["CodeMeaning"],
           s["SegmentedPropertyCategoryCodeSequence"]["CodingSchemeDesignator"])
    if got != (LO70, CS22, MEANING80, SH20):
        problem(f"the reader's JSON does not keep the values as the file had them: {got}")

    again = os.path.join(ctx.work, "again.dcm")
    images = sorted(f for f in os.listdir(back) if f.endswith(".nrrd"))
    r = run([ctx.tool("itkimage2segimage"), "--inputImageList", ",".join(os.path.join(back, i) for i in images),
             "--inputMetadata", os.path.join(back, "meta.json"), "--inputDICOMDirectory", CT3,
             "--outputDICOM", again])
    if r.returncode:
        problem(f"itkimage2segimage exited {r.returncode} on the reader's JSON")
        return
    for key in ("SeriesDescription", "ContentLabel", "SegmentedPropertyTypeCodeSequence.CodeMeaning",
                "SegmentedPropertyCategoryCodeSequence.CodingSchemeDesignator"):
        check_named(r.stderr, key, "itkimage2segimage")
    w = pydicom.dcmread(again)
    check_fits(w.SeriesDescription, LO70, 64, "SeriesDescription (LO)")
    check_fits(w.ContentLabel, CS22, 16, "ContentLabel (CS)")
    w0 = w.SegmentSequence[0]
    check_fits(w0.SegmentedPropertyTypeCodeSequence[0].CodeMeaning, MEANING80, 64, "CodeMeaning (LO)")
    check_fits(w0.SegmentedPropertyCategoryCodeSequence[0].CodingSchemeDesignator, SH20, 16,
               "CodingSchemeDesignator (SH)")
    dciodvfy(again)


def case_bin2label(ctx):
    """bin2labelsegimage reads the odd SEG (warning per attribute) and writes values that fit."""
    odd = odd_seg(ctx)
    out = os.path.join(ctx.work, "labelmap.dcm")
    r = run([ctx.tool("bin2labelsegimage"), "--inputDICOM", odd, "--outputDICOM", out])
    if r.returncode:
        problem(f"bin2labelsegimage exited {r.returncode} on values their VR does not allow")
        return
    for attribute in ("SeriesDescription (0008,103E)", "ContentLabel (0070,0080)", "CodeMeaning (0008,0104)",
                      "CodingSchemeDesignator (0008,0102)"):
        if not any(attribute in line and "kept as it is" in line for line in r.stderr.splitlines()):
            problem(f"bin2labelsegimage: no reader warning naming {attribute}")
        if not any(attribute in line and "shortened" in line for line in r.stderr.splitlines()):
            problem(f"bin2labelsegimage: no writer warning naming {attribute}")
    w = pydicom.dcmread(out)
    check_fits(w.SeriesDescription, LO70, 64, "SeriesDescription (LO)")
    check_fits(w.ContentLabel, CS22, 16, "ContentLabel (CS)")
    w1 = next(s for s in w.SegmentSequence if int(s.SegmentNumber) == 1)
    check_fits(w1.SegmentedPropertyTypeCodeSequence[0].CodeMeaning, MEANING80, 64, "CodeMeaning (LO)")
    check_fits(w1.SegmentedPropertyCategoryCodeSequence[0].CodingSchemeDesignator, SH20, 16,
               "CodingSchemeDesignator (SH)")
    dciodvfy(out, labelmap=True)


# ---------------------------------------------------------------- PM

def case_pm(ctx):
    base = os.path.join(ctx.work, "base.dcm")
    must([ctx.tool("itkimage2paramap"), "--inputImage", os.path.join(PM, "pm-example-float.nrrd"),
          "--inputMetadata", os.path.join(EX, "pm-example-float.json"), "--inputDICOMDirectory", MR,
          "--outputDICOM", base])
    ds = pydicom.dcmread(base)
    ds.SeriesDescription = LO70
    ds.ContentLabel = CS22
    shared = ds.SharedFunctionalGroupsSequence[0]
    shared.RealWorldValueMappingSequence[0].MeasurementUnitsCodeSequence[0].CodeMeaning = MEANING80
    shared.FrameAnatomySequence[0].AnatomicRegionSequence[0].CodingSchemeDesignator = SH20
    odd = os.path.join(ctx.work, "archive.dcm")
    ds.save_as(odd)

    back = os.path.join(ctx.work, "read")
    r = run([ctx.tool("paramap2itkimage"), "--inputDICOM", odd, "--outputDirectory", back])
    if r.returncode:
        problem(f"paramap2itkimage exited {r.returncode} on values its VR does not allow")
        return
    for attribute in ("SeriesDescription (0008,103E)", "ContentLabel (0070,0080)", "CodeMeaning (0008,0104)",
                      "CodingSchemeDesignator (0008,0102)"):
        check_warned_once(r.stderr, attribute, "paramap2itkimage")
    meta = json.load(open(os.path.join(back, "meta.json")))
    got = (meta.get("SeriesDescription"), meta.get("ContentLabel"),
           meta.get("MeasurementUnitsCode", {}).get("CodeMeaning"),
           meta.get("AnatomicRegionSequence", {}).get("CodingSchemeDesignator"))
    if got != (LO70, CS22, MEANING80, SH20):
        problem(f"the reader's JSON does not keep the values as the file had them: {got}")

    again = os.path.join(ctx.work, "again.dcm")
    r = run([ctx.tool("itkimage2paramap"), "--inputImage", os.path.join(back, "pmap.nrrd"),
             "--inputMetadata", os.path.join(back, "meta.json"), "--inputDICOMDirectory", MR,
             "--outputDICOM", again])
    if r.returncode:
        problem(f"itkimage2paramap exited {r.returncode} on the reader's JSON")
        return
    for key in ("SeriesDescription", "ContentLabel", "MeasurementUnitsCode.CodeMeaning",
                "AnatomicRegionSequence.CodingSchemeDesignator"):
        check_named(r.stderr, key, "itkimage2paramap")
    w = pydicom.dcmread(again)
    check_fits(w.SeriesDescription, LO70, 64, "SeriesDescription (LO)")
    check_fits(w.ContentLabel, CS22, 16, "ContentLabel (CS)")
    sh = w.SharedFunctionalGroupsSequence[0]
    check_fits(sh.RealWorldValueMappingSequence[0].MeasurementUnitsCodeSequence[0].CodeMeaning, MEANING80, 64,
               "CodeMeaning (LO)")
    check_fits(sh.FrameAnatomySequence[0].AnatomicRegionSequence[0].CodingSchemeDesignator, SH20, 16,
               "CodingSchemeDesignator (SH)")
    dciodvfy(again)


# ---------------------------------------------------------------- SR

def suv_num(items):
    """The first measurement NUM: concept (126401, DCM, "SUVbw")."""
    for item in items:
        if item.ValueType == "NUM" and item.ConceptNameCodeSequence[0].CodeValue == "126401":
            return item
        if "ContentSequence" in item:
            found = suv_num(item.ContentSequence)
            if found is not None:
                return found
    return None


def case_sr(ctx):
    base = os.path.join(ctx.work, "base.dcm")
    must([ctx.tool("tid1500writer"), "--inputMetadata", os.path.join(EX, "sr-tid1500-example.json"),
          "--outputDICOM", base, "--inputCompositeContextDirectory", SR_EXAMPLE,
          "--inputImageLibraryDirectory", CT3])
    ds = pydicom.dcmread(base)
    ds.SeriesDescription = LO70
    ds.BodyPartExamined = CS22  # a CS the SR reader reads past (the JSON has no code string)
    num = suv_num(ds.ContentSequence)
    num.ConceptNameCodeSequence[0].CodeMeaning = MEANING80
    units = num.MeasuredValueSequence[0].MeasurementUnitsCodeSequence[0]
    units.CodingSchemeDesignator = SH20
    odd = os.path.join(ctx.work, "archive.dcm")
    ds.save_as(odd)

    back = os.path.join(ctx.work, "read.json")
    r = run([ctx.tool("tid1500reader"), "--inputDICOM", odd, "--outputMetadata", back])
    if r.returncode:
        problem(f"tid1500reader exited {r.returncode} on values its VR does not allow")
        return
    for attribute in ("SeriesDescription (0008,103E)", "BodyPartExamined (0018,0015)", "CodeMeaning (0008,0104)",
                      "CodingSchemeDesignator (0008,0102)"):
        check_warned_once(r.stderr, attribute, "tid1500reader")
    meta = json.load(open(back))
    m = meta["Measurements"][0]["measurementItems"][0]
    got = (meta.get("SeriesDescription"), m["quantity"]["CodeMeaning"], m["units"]["CodingSchemeDesignator"])
    if got != (LO70, MEANING80, SH20):
        problem(f"the reader's JSON does not keep the values as the file had them: {got}")

    again = os.path.join(ctx.work, "again.dcm")
    r = run([ctx.tool("tid1500writer"), "--inputMetadata", back, "--outputDICOM", again,
             "--inputCompositeContextDirectory", SR_EXAMPLE, "--inputImageLibraryDirectory", CT3])
    if r.returncode:
        problem(f"tid1500writer exited {r.returncode} on the reader's JSON")
        return
    for key in ("SeriesDescription", "quantity.CodeMeaning", "units.CodingSchemeDesignator"):
        check_named(r.stderr, key, "tid1500writer")
    w = pydicom.dcmread(again)
    check_fits(w.SeriesDescription, LO70, 64, "SeriesDescription (LO)")
    wnum = suv_num(w.ContentSequence)
    check_fits(wnum.ConceptNameCodeSequence[0].CodeMeaning, MEANING80, 64, "CodeMeaning (LO)")
    check_fits(wnum.MeasuredValueSequence[0].MeasurementUnitsCodeSequence[0].CodingSchemeDesignator, SH20, 16,
               "CodingSchemeDesignator (SH)")
    dciodvfy(again)


CASES = {"seg": case_seg, "bin2label": case_bin2label, "pm": case_pm, "sr": case_sr}


class Ctx:
    def __init__(self, a):
        self.bin = a.bin
        self.work = driver.fresh_directory(a.work, "tolerant", a.case)

    def tool(self, name):
        return os.path.join(self.bin, name)


def main():
    a = driver.case_arguments(CASES, need_tools=False)
    quiet()
    CASES[a.case](Ctx(a))
    if problems:
        print(f"FAIL: {len(problems)} problem(s)")
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
