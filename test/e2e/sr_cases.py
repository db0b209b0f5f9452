#!/usr/bin/python3
"""End-to-end cases for tid1500writer and tid1500reader.

Writer cases (every dcmqi SR example, plus qidcm's own variations) run
tid1500writer and check the report:
  - dciodvfy reports no error; PixelMed's DicomSRValidator reports no error and
    no warning (the only tolerated warnings are listed, with their reason);
  - attributes, read with pydicom: SOP class, template, language, flags,
    series attributes, Patient and Study from the segmentation, evidence;
  - the content tree, walked with pydicom: each group's tracking identifier,
    referenced segment, source series, finding, finding site, laterality and
    measurement method; each measurement's value, quantity, units,
    derivation, modifiers, algorithm, parameters and properties, compared
    with the JSON (values DICOM cannot hold are skipped);
  - dcmjs counts the same groups and measurements;
  - tid1500reader gives JSON whose references are UIDs; tid1500writer fed that
    JSON and the same directories writes the same content tree.
Reader cases read third-party SRs and compare the number of groups and
measurements with an independent pydicom count, or check that a document
that is not TID 1500 is refused by name. Bad-input cases check the one-line
error, the exit code, and that no output is left.

Usage: sr_cases.py --list | <case> --bin <build/apps> --tools <dir> --work <dir>
"""
import driver  # the common command line (test/e2e/driver.py)
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SHARED = os.path.join(os.path.dirname(ROOT), "shared", "data")
EX = os.path.join(SHARED, "dcmqi", "doc", "examples")
SR_EXAMPLE = os.path.join(SHARED, "dcmqi", "data", "sr-example")
SEGS = os.path.join(SHARED, "dcmqi", "data", "segmentations")
CT3 = os.path.join(SEGS, "ct-3slice")
INTEROP = os.path.join(ROOT, "test", "interop")
sys.path.insert(0, INTEROP)
from testdeps import lazy  # noqa: E402  (test-only packages, imported on first use)

pydicom = lazy("pydicom")

ENHANCED_SR = "1.2.840.10008.5.1.4.1.1.88.22"

# PixelMed's template tables (pixelmed-apps 2022 in Debian 12) predate the
# qualitative evaluation rows of TID 1411 (CONTAINS CODE / CONTAINS TEXT in
# the Measurement Group), so it flags those items as "not in template".
QUALITATIVE_KNOWN = r'^Warning: [0-9.]+: .*/CONTAINER \(125007,DCM,"Measurement Group"\)/(CODE|TEXT) \(123,99TEST,"Tremendousness"\): Content Item not in template$'

problems = []


def problem(text):
    problems.append(text)
    print("FAIL: " + text)


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def example(name):
    return json.load(open(os.path.join(EX, name)))


# ---------------------------------------------------------------------------
# Independent reading of the content tree (pydicom)

def concept(item):
    c = item.ConceptNameCodeSequence[0] if "ConceptNameCodeSequence" in item and len(item.ConceptNameCodeSequence) else None
    return (c.CodeValue, c.CodingSchemeDesignator) if c is not None else (None, None)


def children(item):
    return list(item.ContentSequence) if "ContentSequence" in item else []


def code_of(item):
    c = item.ConceptCodeSequence[0]
    return {"CodeValue": c.CodeValue, "CodingSchemeDesignator": c.CodingSchemeDesignator, "CodeMeaning": c.CodeMeaning}


def canonical(item, depth=0):
    """The content tree as lines, without the values that change per run
    (Tracking UIDs are kept: the reader carries them over)."""
    vt = item.ValueType
    c = concept(item)
    line = f"{'  ' * depth}{getattr(item, 'RelationshipType', 'ROOT')} {vt} {c}"
    if vt == "NUM":
        mv = item.MeasuredValueSequence[0]
        u = mv.MeasurementUnitsCodeSequence[0]
        line += f" = {mv.NumericValue} {u.CodeValue}"
    elif vt == "CODE":
        line += " = " + json.dumps(code_of(item), sort_keys=True)
    elif vt in ("TEXT", "UIDREF", "PNAME", "DATE", "TIME"):
        line += " = " + str(item.get({"TEXT": "TextValue", "UIDREF": "UID", "PNAME": "PersonName", "DATE": "Date",
                                      "TIME": "Time"}[vt]))
    elif vt in ("IMAGE", "COMPOSITE"):
        ref = item.ReferencedSOPSequence[0]
        line += f" = {ref.ReferencedSOPInstanceUID} {ref.get('ReferencedSegmentNumber', '')}"
    lines = [line]
    for child in children(item):
        lines += canonical(child, depth + 1)
    return lines


def groups_of(ds):
    """(groups, measurement NUMs per group) counted straight from the dataset."""
    out = []
    for container in children(ds):
        if concept(container) == ("126010", "DCM"):
            for g in children(container):
                if concept(g) == ("125007", "DCM"):
                    out.append(g)
    return out


def nums_of(group):
    return [i for i in children(group) if i.ValueType == "NUM" and i.RelationshipType == "CONTAINS"]


def find(items, value, scheme="DCM"):
    return [i for i in items if concept(i) == (value, scheme)]


def same_code(item_code, json_code):
    return all(item_code[k] == json_code[k] for k in ("CodeValue", "CodingSchemeDesignator", "CodeMeaning"))


def check_measurement(num, m, group_algorithm, where):
    mv = num.MeasuredValueSequence[0]
    if abs(float(mv.NumericValue) - float(m["value"])) > 1e-9 * max(1.0, abs(float(m["value"]))):
        problem(f"{where}: value {mv.NumericValue}, JSON {m['value']}")
    if not same_code({"CodeValue": num.ConceptNameCodeSequence[0].CodeValue,
                      "CodingSchemeDesignator": num.ConceptNameCodeSequence[0].CodingSchemeDesignator,
                      "CodeMeaning": num.ConceptNameCodeSequence[0].CodeMeaning}, m["quantity"]):
        problem(f"{where}: quantity differs")
    u = mv.MeasurementUnitsCodeSequence[0]
    if u.CodeValue != m["units"]["CodeValue"] or u.CodingSchemeDesignator != m["units"]["CodingSchemeDesignator"]:
        problem(f"{where}: units {u.CodeValue}")
    kids = children(num)
    deriv = find(kids, "121401")
    if "derivationModifier" in m:
        if len(deriv) != 1 or not same_code(code_of(deriv[0]), m["derivationModifier"]):
            problem(f"{where}: Derivation missing or wrong")
    elif deriv:
        problem(f"{where}: unexpected Derivation")
    for mod in m.get("measurementModifiers", []):
        hits = [k for k in kids if concept(k) == (mod["modifier"]["CodeValue"], mod["modifier"]["CodingSchemeDesignator"])
                and k.RelationshipType == "HAS CONCEPT MOD"]
        if len(hits) != 1 or not same_code(code_of(hits[0]), mod["modifierValue"]):
            problem(f"{where}: modifier {mod['modifier']['CodeMeaning']} missing or wrong")
    algorithm = m.get("measurementAlgorithmIdentification", group_algorithm)
    names = [k.TextValue for k in find(kids, "111001")]
    versions = [k.TextValue for k in find(kids, "111003")]
    params = [k.TextValue for k in find(kids, "111002")]
    if algorithm:
        if names != [algorithm["AlgorithmName"]] or versions != [algorithm["AlgorithmVersion"]] or \
                params != algorithm.get("AlgorithmParameters", []):
            problem(f"{where}: algorithm {names} {versions} {params}, expected {algorithm}")
    elif names or versions or params:
        problem(f"{where}: unexpected algorithm items")
    inferred = [k for k in kids if k.ValueType == "NUM" and k.RelationshipType == "INFERRED FROM"]
    if any(k.ValueType == "NUM" and k.RelationshipType == "HAS PROPERTIES" for k in kids):
        problem(f"{where}: NUM properties must be INFERRED FROM (TID 1419), not HAS PROPERTIES")
    want = [(p["derivationParameter"]["CodeValue"], float(p["derivationParameterValue"]))
            for p in m.get("measurementDerivationParameters", [])]
    want += [(p["numProperty"]["CodeValue"], float(p["numPropertyValue"])) for p in m.get("measurementNumProperties", [])]
    got = [(k.ConceptNameCodeSequence[0].CodeValue, float(k.MeasuredValueSequence[0].NumericValue)) for k in inferred]
    if got != want:
        problem(f"{where}: inferred-from NUMs {got}, expected {want}")
    pop = [k.TextValue for k in find(kids, "121405")]
    if pop != ([m["measurementPopulationDescription"]] if "measurementPopulationDescription" in m else []):
        problem(f"{where}: population description {pop}")


def check_report(ds, meta, case, seg_path):
    if ds.SOPClassUID != ENHANCED_SR:
        problem(f"SOP class {ds.SOPClassUID}, expected Enhanced SR")
    if ds.Modality != "SR":
        problem("Modality is not SR")
    tmpl = ds.ContentTemplateSequence[0]
    if tmpl.TemplateIdentifier != "1500" or tmpl.MappingResource != "DCMR":
        problem("root template is not TID 1500 (DCMR)")
    if concept(ds) != ("126000", "DCM"):
        problem("root concept is not Imaging Measurement Report")
    language = find(children(ds), "121049")
    if len(language) != 1 or code_of(language[0])["CodeValue"] != "en-US" or \
            code_of(language[0])["CodingSchemeDesignator"] != "RFC5646":
        problem("language is not (en-US, RFC5646)")
    for key, attr, default in (("SeriesDescription", "SeriesDescription", "Measurements"),
                               ("SeriesNumber", "SeriesNumber", "400"), ("InstanceNumber", "InstanceNumber", "1")):
        if str(ds.get(attr)) != str(meta.get(key, default)):
            problem(f"{attr} {ds.get(attr)}, JSON {meta.get(key)}")
    if ds.CompletionFlag != meta.get("CompletionFlag", "PARTIAL"):
        problem("CompletionFlag")
    if ds.VerificationFlag != meta.get("VerificationFlag", "UNVERIFIED"):
        problem("VerificationFlag")
    if seg_path:
        seg = pydicom.dcmread(seg_path, stop_before_pixels=True)
        for attr in ("PatientID", "PatientName", "StudyInstanceUID", "StudyDate"):
            if str(ds.get(attr)) != str(seg.get(attr)):
                problem(f"{attr} {ds.get(attr)} is not the segmentation's {seg.get(attr)}")
    # Evidence: every composite context and image library instance.
    listed = set()
    for study in ds.get("CurrentRequestedProcedureEvidenceSequence", []):
        for series in study.ReferencedSeriesSequence:
            for inst in series.ReferencedSOPSequence:
                listed.add(inst.ReferencedSOPInstanceUID)
    expected = set()
    for name, directory in [(n, case["context"]) for n in meta.get("compositeContext", [])] + \
                           [(n, case["library"]) for n in meta.get("imageLibrary", [])]:
        expected.add(pydicom.dcmread(os.path.join(directory, name), stop_before_pixels=True).SOPInstanceUID)
    if listed != expected:
        problem(f"evidence lists {len(listed)} instances, {len(expected)} expected")
    # Observer
    obs = meta["observerContext"]
    otype = find(children(ds), "121005")
    if not otype or code_of(otype[0])["CodeValue"] != ("121006" if obs["ObserverType"] == "PERSON" else "121007"):
        problem("Observer Type")
    if obs["ObserverType"] == "PERSON":
        names = [str(i.PersonName) for i in find(children(ds), "121008")]
        if names != [obs["PersonObserverName"]]:
            problem(f"Person Observer Name {names}")
    else:
        uids = [i.UID for i in find(children(ds), "121012")]
        if uids != [obs["DeviceObserverUID"]]:
            problem(f"Device Observer UID {uids}")
    # Image library
    library = find(children(ds), "111028")
    entries = [i for g in (children(library[0]) if library else []) for i in children(g) if i.ValueType == "IMAGE"]
    if len(entries) != len(meta.get("imageLibrary", [])):
        problem(f"{len(entries)} image library entries, {len(meta.get('imageLibrary', []))} expected")
    # Groups and measurements
    groups = groups_of(ds)
    if len(groups) != len(meta["Measurements"]):
        problem(f"{len(groups)} groups, JSON has {len(meta['Measurements'])}")
    stored = 0
    for gi, (g, gj) in enumerate(zip(groups, meta["Measurements"])):
        where = f"group {gi}"
        kids = children(g)
        tid = [i.TextValue for i in find(kids, "112039")]
        if tid != [gj["TrackingIdentifier"]]:
            problem(f"{where}: Tracking Identifier {tid}")
        tuid = [i.UID for i in find(kids, "112040")]
        if len(tuid) != 1 or ("TrackingUniqueIdentifier" in gj and tuid[0] != gj["TrackingUniqueIdentifier"]):
            problem(f"{where}: Tracking Unique Identifier {tuid}")
        seg_ref = find(kids, "121191")
        if len(seg_ref) != 1:
            problem(f"{where}: Referenced Segment missing")
        else:
            ref = seg_ref[0].ReferencedSOPSequence[0]
            numbers = ref.ReferencedSegmentNumber
            numbers = [int(n) for n in numbers] if isinstance(numbers, (list, pydicom.multival.MultiValue)) else [int(numbers)]
            if ref.ReferencedSOPInstanceUID != gj["segmentationSOPInstanceUID"] or numbers != [gj["ReferencedSegment"]]:
                problem(f"{where}: Referenced Segment {ref.ReferencedSOPInstanceUID} {ref.ReferencedSegmentNumber}")
        if [i.UID for i in find(kids, "121232")] != [gj["SourceSeriesForImageSegmentation"]]:
            problem(f"{where}: Source series for segmentation")
        rwvm = find(kids, "126100")
        if "rwvmMapUsedForMeasurement" in gj and (len(rwvm) != 1 or rwvm[0].ReferencedSOPSequence[0].ReferencedSOPInstanceUID != gj["rwvmMapUsedForMeasurement"]):
            problem(f"{where}: Real World Value Map reference")
        finding = find(kids, "121071")
        if len(finding) != 1 or not same_code(code_of(finding[0]), gj["Finding"]):
            problem(f"{where}: Finding")
        method = gj.get("MeasurementMethod", meta.get("measurementMethod"))
        got_method = find(kids, "370129005", "SCT")
        if method and (len(got_method) != 1 or not same_code(code_of(got_method[0]), method)):
            problem(f"{where}: Measurement Method missing or wrong")
        if not method and got_method:
            problem(f"{where}: unexpected Measurement Method")
        site = find(kids, "363698007", "SCT")
        if "FindingSite" in gj:
            if len(site) != 1 or not same_code(code_of(site[0]), gj["FindingSite"]):
                problem(f"{where}: Finding Site")
            elif "Laterality" in gj:
                lat = find(children(site[0]), "272741003", "SCT")
                if len(lat) != 1 or not same_code(code_of(lat[0]), gj["Laterality"]):
                    problem(f"{where}: Laterality")
        session = [i.TextValue for i in find(kids, "C67447", "NCIt")]
        if session != [gj.get("activitySession", meta.get("activitySession", "1"))]:
            problem(f"{where}: Activity Session {session}")
        time_point = [i.TextValue for i in find(kids, "C2348792", "UMLS")]
        if time_point != [gj.get("timePoint", meta.get("timePoint", "1"))]:
            problem(f"{where}: Time Point {time_point}")
        if any(concept(i)[0] in ("111001", "111002", "111003") for i in kids):
            problem(f"{where}: algorithm identification at group level (not in TID 1411)")
        wanted = [m for m in gj["measurementItems"] if str(m["value"]).lower() not in ("nan", "inf", "-inf")]
        nums = nums_of(g)
        if len(nums) != len(wanted):
            problem(f"{where}: {len(nums)} measurements, {len(wanted)} storable in the JSON")
        for mi, (num, m) in enumerate(zip(nums, wanted)):
            check_measurement(num, m, gj.get("measurementAlgorithmIdentification"), f"{where} measurement {mi}")
        stored += len(nums)
        quals = [i for i in kids if i.RelationshipType == "CONTAINS" and i.ValueType in ("CODE", "TEXT")
                 and concept(i) != ("121071", "DCM")]
        want_q = gj.get("qualitativeEvaluations", [])
        if len(quals) != len(want_q):
            problem(f"{where}: {len(quals)} qualitative evaluations, {len(want_q)} in the JSON")
        for q, qj in zip(quals, want_q):
            if isinstance(qj["conceptValue"], dict):
                if q.ValueType != "CODE" or not same_code(code_of(q), qj["conceptValue"]):
                    problem(f"{where}: qualitative CODE evaluation")
            elif q.ValueType != "TEXT" or q.TextValue != qj["conceptValue"]:
                problem(f"{where}: qualitative TEXT evaluation")
    return stored


# ---------------------------------------------------------------------------
# Cases

def base(name, context, library, **kw):
    return dict(json=name, context=context, library=library, **kw)


WRITE_CASES = {
    # dcmqi's examples, with the files dcmqi's own tests use
    "example": base("sr-tid1500-example.json", SR_EXAMPLE, CT3),
    "example-nan": base("sr-tid1500-example-nan.json", SR_EXAMPLE, CT3, skipped=1),
    "qualitative": base("sr-tid1500-qualitative.json", SR_EXAMPLE, CT3, known=[QUALITATIVE_KNOWN]),
    "ct-liver": base("sr-tid1500-ct-liver-example.json", SEGS, CT3, seg="liver.dcm"),
}


def variant_device_utf8(meta):
    meta["observerContext"] = {"ObserverType": "DEVICE", "DeviceObserverUID": "2.25.1234567890",
                               "DeviceObserverName": "Segmentierer Größe", "DeviceObserverManufacturer": "qidcm tests"}
    meta["Measurements"][0]["TrackingIdentifier"] = "Läsion 1"
    return meta


def variant_root_method(meta):
    meta["measurementMethod"] = meta["Measurements"][0].pop("MeasurementMethod")
    meta["Measurements"].append(json.loads(json.dumps(meta["Measurements"][0])))
    meta["Measurements"][1]["TrackingIdentifier"] = "second group"
    meta["Measurements"][1]["MeasurementMethod"] = {"CodeValue": "126410", "CodingSchemeDesignator": "DCM",
                                                   "CodeMeaning": "SUV lean body mass calculation method"}
    meta["Measurements"][1]["activitySession"] = "2"
    meta["Measurements"][1]["measurementItems"][0]["value"] = 3.14159265358979323846  # a JSON number
    return meta


WRITE_CASES["device-observer-utf8"] = base("sr-tid1500-example.json", SR_EXAMPLE, CT3, variant=variant_device_utf8)
WRITE_CASES["root-measurement-method"] = base("sr-tid1500-example.json", SR_EXAMPLE, CT3, variant=variant_root_method)

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


def case_write(ctx, name):
    case = WRITE_CASES[name]
    meta = example(case["json"])
    if "variant" in case:
        meta = case["variant"](meta)
    meta_path = os.path.join(ctx.work, "input.json")
    json.dump(meta, open(meta_path, "w", encoding="utf-8"), ensure_ascii=False)
    out = os.path.join(ctx.work, "report.dcm")
    args = ["--inputMetadata", meta_path, "--outputDICOM", out, "--inputCompositeContextDirectory",
            case["context"], "--inputImageLibraryDirectory", case["library"]]
    r = run([ctx.tool("tid1500writer")] + args)
    print(r.stdout + r.stderr)
    if r.returncode:
        problem(f"tid1500writer exit {r.returncode}")
        return
    if case.get("skipped") and "cannot be stored in DICOM; measurement skipped" not in r.stderr:
        problem("no warning naming the skipped measurement")
    r2 = run([os.path.join(INTEROP, "dciodvfy_check.py"), out])
    print(r2.stdout + r2.stderr)
    if r2.returncode:
        problem("dciodvfy")
    known = []
    for k in case.get("known", []):
        known += ["--known", k]
    r2 = run([os.path.join(INTEROP, "pixelmed_sr_check.py"), out] + known)
    print(r2.stdout + r2.stderr)
    if r2.returncode:
        problem("PixelMed DicomSRValidator")
    if case.get("known") and "known:" not in r2.stdout:
        problem("the known PixelMed warnings no longer appear: drop them from the list")
    ds = pydicom.dcmread(out)
    seg = os.path.join(case["context"], case.get("seg", "seg.dcm"))
    stored = check_report(ds, meta, case, seg)
    if name == "device-observer-utf8":
        if ds.SpecificCharacterSet != "ISO_IR 192":
            problem(f"Specific Character Set {ds.SpecificCharacterSet} for non-ASCII text")
        if [i.TextValue for i in find(children(groups_of(ds)[0]), "112039")] != ["Läsion 1"]:
            problem("non-ASCII tracking identifier not decoded back")
    values = [str(n.MeasuredValueSequence[0].NumericValue) for g in groups_of(ds) for n in nums_of(g)]
    r2 = run(["node", os.path.join(INTEROP, "dcmjs_sr_check.js"), out,
              json.dumps({"groups": len(meta["Measurements"]), "measurements": stored, "values": values,
                          "sopClass": ENHANCED_SR})])
    print(r2.stdout + r2.stderr)
    if r2.returncode:
        problem("dcmjs")
    # Reader, then writer again from the reader's JSON (references as UIDs).
    back = os.path.join(ctx.work, "back.json")
    r2 = run([ctx.tool("tid1500reader"), "--inputDICOM", out, "--outputMetadata", back])
    print(r2.stdout + r2.stderr)
    if r2.returncode:
        problem("tid1500reader")
        return
    got = json.load(open(back, encoding="utf-8"))
    uids = {pydicom.dcmread(os.path.join(case["context"], n), stop_before_pixels=True).SOPInstanceUID
            for n in meta.get("compositeContext", [])}
    if set(got.get("compositeContext", [])) != uids:
        problem(f"reader compositeContext {got.get('compositeContext')} is not the UIDs of {meta.get('compositeContext')}")
    lib = [pydicom.dcmread(os.path.join(case["library"], n), stop_before_pixels=True).SOPInstanceUID
           for n in meta.get("imageLibrary", [])]
    if got.get("imageLibrary", []) != lib:
        problem("reader imageLibrary is not the UIDs of the library files, in order")
    if "measurementMethod" in got["Measurements"][0]:
        problem("reader wrote dcmqi's lower-case measurementMethod key")
    again = os.path.join(ctx.work, "again.dcm")
    r2 = run([ctx.tool("tid1500writer"), "--inputMetadata", back, "--outputDICOM", again,
              "--inputCompositeContextDirectory", case["context"], "--inputImageLibraryDirectory", case["library"]])
    print(r2.stdout + r2.stderr)
    if r2.returncode:
        problem("tid1500writer on the reader's JSON")
        return
    first, second = canonical(ds), canonical(pydicom.dcmread(again))
    # Tracking UIDs the first run generated are carried by the reader, so the trees must match exactly.
    if first != second:
        for a, b in zip(first, second):
            if a != b:
                problem(f"round trip differs: {a!r} vs {b!r}")
                break
        if len(first) != len(second):
            problem(f"round trip: {len(first)} vs {len(second)} content items")
    ds2 = pydicom.dcmread(again)
    for attr in ("PatientID", "StudyInstanceUID", "SeriesDescription", "SeriesNumber", "CompletionFlag",
                 "VerificationFlag"):
        if ds.get(attr) != ds2.get(attr):
            problem(f"round trip: {attr} {ds.get(attr)} vs {ds2.get(attr)}")


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


class Ctx:
    def __init__(self, a):
        self.bin = a.bin
        self.work = a.work

    def tool(self, name):
        return os.path.join(self.bin, name)


def main():
    names = ["write-" + n for n in WRITE_CASES] + ["read-" + n for n in READ_CASES] + \
            ["refuse-" + n for n in REFUSE_CASES] + ["bad-inputs"]
    a = driver.case_arguments(names)
    a.work = driver.fresh_directory(a.work, "sr", a.case)
    ctx = Ctx(a)
    if a.case.startswith("write-"):
        case_write(ctx, a.case[len("write-"):])
    elif a.case.startswith("read-"):
        case_read(ctx, a.case[len("read-"):])
    elif a.case.startswith("refuse-"):
        case_refuse(ctx, a.case[len("refuse-"):])
    else:
        case_bad_inputs(ctx)
    if problems:
        print(f"{len(problems)} problem(s)")
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
