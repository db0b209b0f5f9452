#!/usr/bin/python3
"""End-to-end cases for tid1500writer (and tid1500reader on what it writes).

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
The reader's cases on others' SRs and the refusals: sr_read_refuse_cases.py;
what the two drivers share is in sr_common.py.

Usage: sr_write_cases.py --list | <case> --bin <build/apps> --tools <dir> --work <dir>
"""
import functools
import json
import os
import sys

from driver import problem  # the common problem list (test/e2e/driver.py)
from sr_common import (  # helpers shared by the SR drivers
    CT3, INTEROP, SEGS, SR_EXAMPLE, children, code_of, concept, example, find, groups_of, nums_of, run, run_case)

sys.path.insert(0, INTEROP)
from testdeps import lazy  # noqa: E402  (test-only packages, imported on first use)

pydicom = lazy("pydicom")

ENHANCED_SR = "1.2.840.10008.5.1.4.1.1.88.22"

# PixelMed's template tables (pixelmed-apps 2022 in Debian 12) predate the
# qualitative evaluation rows of TID 1411 (CONTAINS CODE / CONTAINS TEXT in
# the Measurement Group), so it flags those items as "not in template".
QUALITATIVE_KNOWN = r'^Warning: [0-9.]+: .*/CONTAINER \(125007,DCM,"Measurement Group"\)/(CODE|TEXT) \(123,99TEST,"Tremendousness"\): Content Item not in template$'


# ---------------------------------------------------------------------------
# Checks of the written report against its JSON (pydicom)

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


FULL_PRECISION = ["0.0028931492429888645", "16149.4954427", "-1.2345678901234567e-05"]


def variant_full_precision(meta):
    """Values longer than DS's 16 characters (pyradiomics writes 17 significant digits), one that fits."""
    items = meta["Measurements"][0]["measurementItems"]
    items[:] = [dict(json.loads(json.dumps(items[0])), value=value) for value in FULL_PRECISION]
    return meta


WRITE_CASES["full-precision"] = base("sr-tid1500-example.json", SR_EXAMPLE, CT3, variant=variant_full_precision)
WRITE_CASES["device-observer-utf8"] = base("sr-tid1500-example.json", SR_EXAMPLE, CT3, variant=variant_device_utf8)
WRITE_CASES["root-measurement-method"] = base("sr-tid1500-example.json", SR_EXAMPLE, CT3, variant=variant_root_method)


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
    if name == "full-precision":
        # Each value exactly, as Floating Point Value where the 16-character Numeric Value rounds it.
        items = meta["Measurements"][0]["measurementItems"]
        for n, num in enumerate(nums_of(groups_of(ds)[0])):
            mv, want = num.MeasuredValueSequence[0], float(items[n]["value"])
            ds_text = str(mv.NumericValue.original_string if hasattr(mv.NumericValue, "original_string")
                          else mv.NumericValue)
            if len(ds_text) > 16:
                problem(f"Numeric Value {ds_text!r} is longer than 16 characters")
            if float(ds_text) == want:
                if "FloatingPointValue" in mv:
                    problem(f"{items[n]['value']}: Floating Point Value written though the string holds it")
            elif "FloatingPointValue" not in mv or float(mv.FloatingPointValue) != want:
                problem(f"{items[n]['value']}: Floating Point Value {mv.get('FloatingPointValue')} is not the exact value")
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
    if name == "full-precision":
        wrote = [float(i["value"]) for i in meta["Measurements"][0]["measurementItems"]]
        read = [float(i["value"]) for i in got["Measurements"][0]["measurementItems"]]
        if read != wrote:
            problem(f"reader values {read} are not the exact values written {wrote}")
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


if __name__ == "__main__":
    sys.exit(run_case({"write-" + n: functools.partial(case_write, name=n) for n in WRITE_CASES}))
