#!/usr/bin/python3
"""End-to-end cases for tid1500reader on others' SRs, and inputs refused by
tid1500reader and tid1500writer.

Reader cases read third-party SRs and compare the number of groups and
measurements with an independent pydicom count, or check that a document
that is not TID 1500 is refused by name. Bad-input cases check the one-line
error, the exit code, and that no output is left.

The writer's cases: sr_write_cases.py; what the two drivers share is in sr_common.py.

Usage: sr_read_refuse_cases.py --list | <case> --bin <build/apps> --tools <dir> --work <dir>
"""
import functools
import json
import os
import sys

from driver import problem  # the common problem list (test/e2e/driver.py)
from sr_common import (  # helpers shared by the SR drivers
    CT3, INTEROP, SHARED, SR_EXAMPLE, children, example, find, groups_of, nums_of, run, run_case)

sys.path.insert(0, INTEROP)
from testdeps import lazy  # noqa: E402  (test-only packages, imported on first use)

pydicom = lazy("pydicom")


# Third-party SRs: (path, expected outcome); groups and measurements are
# counted independently with pydicom.
READ_CASES = {
    "dcmqi-sr": os.path.join(SR_EXAMPLE, "sr.dcm"),
    "tid1500-fhir": os.path.join(SHARED, "tid1500-fhir", "examples", "dcmqi", "result.dcm"),
    "highdicom": os.path.join(SHARED, "highdicom", "data", "test_files", "sr_document.dcm"),
    "dcmjs": os.path.join(SHARED, "dcmjs", "test", "sample-sr.dcm"),
}
REFUSE_CASES = {
    # (file, fragment of the one-line error)
    "pydicom-not-tid1500": (os.path.join(SHARED, "pydicom", "src", "pydicom", "data", "test_files", "test-SR.dcm"),
                            "not a TID 1500 Imaging Measurement Report"),
    "seg-not-sr": (os.path.join(SR_EXAMPLE, "seg.dcm"), "is not a structured report"),
}


def count_independently(path):
    ds = pydicom.dcmread(path)
    groups = groups_of(ds)
    return len(groups), sum(len(nums_of(g)) for g in groups)


def case_read(ctx, name):
    path = READ_CASES[name]
    groups, measurements = count_independently(path)
    out = os.path.join(ctx.work, "read.json")
    r = run([ctx.tool("tid1500reader"), "--inputDICOM", path, "--outputMetadata", out])
    print(r.stdout + r.stderr)
    if r.returncode:
        problem(f"tid1500reader exit {r.returncode}")
        return
    meta = json.load(open(out, encoding="utf-8"))
    got_m = sum(len(g["measurementItems"]) for g in meta["Measurements"])
    if len(meta["Measurements"]) != groups or got_m != measurements:
        problem(f"reader: {len(meta['Measurements'])} groups / {got_m} measurements; "
                f"pydicom counts {groups} / {measurements}")
    # The first measurement's value, quantity and units, against pydicom.
    ds = pydicom.dcmread(path)
    first_group = groups_of(ds)[0]
    num = nums_of(first_group)[0]
    m = meta["Measurements"][0]["measurementItems"][0]
    if float(m["value"]) != float(num.MeasuredValueSequence[0].NumericValue):
        problem(f"first value {m['value']} vs {num.MeasuredValueSequence[0].NumericValue}")
    if m["quantity"]["CodeValue"] != num.ConceptNameCodeSequence[0].CodeValue:
        problem("first quantity")
    if m["units"]["CodeValue"] != num.MeasuredValueSequence[0].MeasurementUnitsCodeSequence[0].CodeValue:
        problem("first units")
    tid = find(children(first_group), "112039")
    if tid and meta["Measurements"][0].get("TrackingIdentifier") != tid[0].TextValue:
        problem("first Tracking Identifier")
    seg = find(children(first_group), "121191")
    if seg and meta["Measurements"][0].get("segmentationSOPInstanceUID") != seg[0].ReferencedSOPSequence[0].ReferencedSOPInstanceUID:
        problem("first segmentation reference")
    if str(ds.get("SeriesNumber", "")) and meta.get("SeriesNumber") != str(ds.SeriesNumber):
        problem("SeriesNumber")


def case_refuse(ctx, name):
    path, fragment = REFUSE_CASES[name]
    out = os.path.join(ctx.work, "refused.json")
    r = run([ctx.tool("tid1500reader"), "--inputDICOM", path, "--outputMetadata", out])
    print(r.stdout + r.stderr)
    lines = [l for l in r.stderr.splitlines() if "error" in l]
    if r.returncode == 0:
        problem("a document that is not TID 1500 was accepted")
    if len(lines) != 1 or fragment not in lines[0] or path not in lines[0]:
        problem(f"expected one error line naming {path} and '{fragment}'")
    if os.path.exists(out):
        problem("output written for a refused document")


def bad_rows(work):
    good = example("sr-tid1500-example.json")

    def variant(name, change):
        meta = json.loads(json.dumps(good))
        change(meta)
        path = os.path.join(work, name + ".json")
        json.dump(meta, open(path, "w"))
        return path

    dirs = ["--inputCompositeContextDirectory", SR_EXAMPLE, "--inputImageLibraryDirectory", CT3]
    rows = [
        # (name, metadata path, extra args, exit code, message fragment)
        ("schema-type", variant("schema-type", lambda m: m.update(VerificationFlag="YES")), dirs, 1,
         "VerificationFlag"),
        ("schema-missing-observer", variant("schema-missing-observer", lambda m: m.pop("observerContext")), dirs, 1,
         "observerContext"),
        ("empty-code-meaning", variant("empty-code-meaning",
                                       lambda m: m["Measurements"][0]["Finding"].update(CodeMeaning="")), dirs, 1,
         "Measurements[0].Finding.CodeMeaning"),
        ("missing-file", variant("missing-file", lambda m: m["imageLibrary"].append("04.dcm")), dirs, 1,
         "imageLibrary[3]: file"),
        ("unknown-uid", variant("unknown-uid", lambda m: m["compositeContext"].__setitem__(0, "1.2.3.4.5")), dirs, 1,
         "compositeContext[0]"),
        ("not-a-number", variant("not-a-number",
                                 lambda m: m["Measurements"][0]["measurementItems"][0].update(value="1,96")), dirs, 1,
         "measurementItems[0].value"),
        ("writer-required", variant("writer-required", lambda m: m["Measurements"][0].pop("Finding")), dirs, 1,
         "Measurements[0].Finding"),
        ("verified-partial", variant("verified-partial", lambda m: m.update(CompletionFlag="PARTIAL")), dirs, 1,
         "VerificationFlag"),
        ("not-json", None, dirs, 1, "not-json.json"),
    ]
    with open(os.path.join(work, "not-json.json"), "w") as f:
        f.write("{ \"observerContext\": ")
    return [(n, p or os.path.join(work, "not-json.json"), a, c, f) for n, p, a, c, f in rows]


def case_bad_inputs(ctx):
    for name, meta, args, code, fragment in bad_rows(ctx.work):
        out = os.path.join(ctx.work, "out-" + name + ".dcm")
        r = run([ctx.tool("tid1500writer"), "--inputMetadata", meta, "--outputDICOM", out] + args)
        lines = [l for l in r.stderr.splitlines() if "error" in l]
        print(f"{name}: exit {r.returncode}: {lines}")
        if r.returncode != code:
            problem(f"{name}: exit {r.returncode}, expected {code}")
        if len(lines) != 1 or fragment not in lines[0] or os.path.basename(meta) not in lines[0] and \
                "04.dcm" not in lines[0]:
            problem(f"{name}: expected one error line naming the file and '{fragment}', got {lines}")
        if os.path.exists(out):
            problem(f"{name}: output left behind")
        leftovers = [f for f in os.listdir(ctx.work) if f.startswith(".qidcm")]
        if leftovers:
            problem(f"{name}: staging left behind: {leftovers}")


def build_cases():
    cases = {"read-" + n: functools.partial(case_read, name=n) for n in READ_CASES}
    cases.update({"refuse-" + n: functools.partial(case_refuse, name=n) for n in REFUSE_CASES})
    cases["bad-inputs"] = case_bad_inputs
    return cases


if __name__ == "__main__":
    sys.exit(run_case(build_cases()))
