#!/usr/bin/python3
"""check_seg.py's checks of a SEG's attributes: against the metadata (series,
content and segment descriptions, codes, tracking identifiers, colours), the
source's header, and the Common Instance Reference against the sources the
frames reference. Each check reports through the `error` function it is given.

lab_to_rgb is also used by bin2label_cases.py (an independent CIELab -> sRGB).
"""
from testdeps import lazy

np = lazy("numpy")
pydicom = lazy("pydicom")


def lab_to_rgb(lab):
    """DICOM CIELab (PS3.3 C.10.7.1.1) to 8-bit sRGB, D65 white; an implementation
    independent of qidcm's, to check its colour conversion."""
    L = lab[0] * 100.0 / 65535.0
    a = lab[1] * 255.0 / 65535.0 - 128.0
    b = lab[2] * 255.0 / 65535.0 - 128.0
    fy = (L + 16.0) / 116.0
    fx, fz = fy + a / 500.0, fy - b / 200.0

    def finv(t):
        return t ** 3 if t ** 3 > 216.0 / 24389.0 else (116.0 * t - 16.0) / (24389.0 / 27.0)

    x, y, z = 0.95047 * finv(fx), finv(fy), 1.08883 * finv(fz)
    m = np.linalg.inv(np.array([[0.4124564, 0.3575761, 0.1804375],
                                [0.2126729, 0.7151522, 0.0721750],
                                [0.0193339, 0.1191920, 0.9503041]]))
    rgb = m @ np.array([x, y, z])

    def gamma(c):
        c = min(max(c, 0.0), 1.0)
        return 12.92 * c if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055

    return [int(round(gamma(c) * 255)) for c in rgb]


def code_of(item):
    value = item.get("CodeValue") or item.get("LongCodeValue") or item.get("URNCodeValue")
    return {"CodeValue": value, "CodingSchemeDesignator": item.CodingSchemeDesignator, "CodeMeaning": item.CodeMeaning}


def same_code(item, want, what, error):
    got = code_of(item)
    want = {k: want[k] for k in ("CodeValue", "CodingSchemeDesignator", "CodeMeaning")}
    if got != want:
        error(f"{what}: {got} differs from the metadata {want}")


def check_attributes(ds, meta, segmap, exp, error):
    """Attribute-by-attribute comparison with the metadata and the source."""
    defaults = {"ContentCreatorName": "Reader1", "ClinicalTrialSeriesID": "Session1",
                "ClinicalTrialTimePointID": "1", "ClinicalTrialCoordinatingCenterName": "",
                "SeriesDescription": "Segmentation", "SeriesNumber": "300", "InstanceNumber": "1",
                "ContentLabel": "SEGMENTATION", "ContentDescription": "Image segmentation"}
    for key, default in defaults.items():
        want = str(meta.get(key, default))
        got = str(ds.get(key, ""))
        if got != want:
            error(f"{key} is {got!r}, the metadata says {want!r}")
    if ds.Manufacturer != "qidcm":
        error(f"Manufacturer {ds.Manufacturer}")
    for attr in ("SOPInstanceUID", "SeriesInstanceUID"):
        if not str(ds.get(attr)).startswith("2.25."):
            error(f"{attr} {ds.get(attr)} is not under the 2.25 root")
    if "PatientOrientation" not in ds:
        error("no Patient Orientation")
    if exp.get("source_header"):
        src = pydicom.dcmread(exp["source_header"], stop_before_pixels=True)
        for attr in ("PatientID", "PatientName", "StudyInstanceUID", "StudyDate", "StudyID", "AccessionNumber",
                     "FrameOfReferenceUID"):
            if str(ds.get(attr, "")) != str(src.get(attr, "")):
                error(f"{attr} {ds.get(attr)!r} differs from the source's {src.get(attr)!r}")
        if ds.SeriesInstanceUID == src.SeriesInstanceUID:
            error("the SEG reuses the source's Series Instance UID")
        want_bpe = meta.get("BodyPartExamined") or src.get("BodyPartExamined", "")
        if str(ds.get("BodyPartExamined", "")) != str(want_bpe):
            error(f"BodyPartExamined {ds.get('BodyPartExamined')!r}, expected {want_bpe!r}")
    described = {}
    for f, segs in enumerate(meta["segmentAttributes"]):
        for s in segs:
            described[(f, s["labelID"])] = s
    items = {int(i.SegmentNumber): i for i in ds.SegmentSequence}
    for number, (f, label) in segmap.items():
        s, item = described[(f, label)], items.get(number)
        if item is None:
            continue
        what = f"segment {number}"
        want_label = s.get("SegmentLabel") or s.get("SegmentDescription") or \
            s["SegmentedPropertyTypeCodeSequence"]["CodeMeaning"]
        if item.SegmentLabel != want_label:
            error(f"{what}: SegmentLabel {item.SegmentLabel!r}, expected {want_label!r}")
        if s.get("SegmentDescription") and item.get("SegmentDescription") != s["SegmentDescription"]:
            error(f"{what}: SegmentDescription {item.get('SegmentDescription')!r}")
        if item.SegmentAlgorithmType != s.get("SegmentAlgorithmType", "SEMIAUTOMATIC"):
            error(f"{what}: SegmentAlgorithmType {item.SegmentAlgorithmType}")
        if item.SegmentAlgorithmType != "MANUAL" and item.get("SegmentAlgorithmName") != s.get("SegmentAlgorithmName"):
            error(f"{what}: SegmentAlgorithmName {item.get('SegmentAlgorithmName')!r}")
        same_code(item.SegmentedPropertyCategoryCodeSequence[0], s["SegmentedPropertyCategoryCodeSequence"],
                  f"{what} category", error)
        type_item = item.SegmentedPropertyTypeCodeSequence[0]
        same_code(type_item, s["SegmentedPropertyTypeCodeSequence"], f"{what} type", error)
        if "SegmentedPropertyTypeModifierCodeSequence" in s:
            if "SegmentedPropertyTypeModifierCodeSequence" not in type_item:
                error(f"{what}: no type modifier inside the type item")
            else:
                same_code(type_item.SegmentedPropertyTypeModifierCodeSequence[0],
                          s["SegmentedPropertyTypeModifierCodeSequence"], f"{what} type modifier", error)
        if "AnatomicRegionSequence" in s:
            same_code(item.AnatomicRegionSequence[0], s["AnatomicRegionSequence"], f"{what} anatomic region", error)
        # Tracking ID and Tracking UID come together (each is Type 1C on the
        # other): a missing UID is generated, a missing ID is the segment label.
        want_id = s.get("TrackingIdentifier", "")
        want_uid = s.get("TrackingUniqueIdentifier", "")
        if want_uid and not want_id:
            want_id = str(item.get("SegmentLabel", ""))
        if str(item.get("TrackingID", "")) != want_id:
            error(f"{what}: TrackingID {item.get('TrackingID')!r}, expected {want_id!r}")
        got_uid = str(item.get("TrackingUID", ""))
        if (want_uid and got_uid != want_uid) or (not want_uid and want_id and not got_uid.startswith("2.25.")) \
                or (not want_id and got_uid):
            error(f"{what}: TrackingUID {got_uid!r} (metadata: {want_uid!r}, ID {want_id!r})")
        lab = [int(v) for v in item.RecommendedDisplayCIELabValue]
        if "RecommendedDisplayCIELabValue" in s:
            if lab != s["RecommendedDisplayCIELabValue"]:
                error(f"{what}: CIELab {lab} differs from the metadata's")
        else:
            want_rgb = s.get("recommendedDisplayRGBValue", [128, 174, 128])
            if lab_to_rgb(lab) != list(want_rgb):
                error(f"{what}: CIELab {lab} converts back to {lab_to_rgb(lab)}, not {want_rgb}")


def check_common_instance_reference(ds, referenced, series_of, primary_study, error):
    """The Common Instance Reference lists exactly the referenced instances, each
    under its own series, and instances of other studies under their study."""
    listed = {}
    primary_study = primary_study or ds.StudyInstanceUID
    for series in ds.get("ReferencedSeriesSequence", []):
        for inst in series.ReferencedInstanceSequence:
            listed[inst.ReferencedSOPInstanceUID] = (series.SeriesInstanceUID, primary_study)
    for study in ds.get("StudiesContainingOtherReferencedInstancesSequence", []):
        if study.StudyInstanceUID == primary_study:
            error("Studies Containing Other Referenced Instances lists the SEG's own study")
        for series in study.ReferencedSeriesSequence:
            for inst in series.ReferencedInstanceSequence:
                listed[inst.ReferencedSOPInstanceUID] = (series.SeriesInstanceUID, study.StudyInstanceUID)
    if set(listed) != referenced:
        error(f"Common Instance Reference lists {len(listed)} instances, frames reference {len(referenced)}")
    for uid, (series, study) in listed.items():
        if uid in series_of and series_of[uid][:2] != (series, study):
            error(f"instance {uid} listed under series {series} / study {study}, "
                  f"but belongs to {series_of[uid][0]} / {series_of[uid][1]}")
