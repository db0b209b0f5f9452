#!/usr/bin/python3
"""rtstruct2segimage end to end: third-party structure sets (the SUV DROs,
pydicom's) converted, checked with an independent decoder (seg_decode.py) and
dciodvfy, and the refusals.

The per-slice voxel counts of the DRO's ROI are plastimatch 1.9.4's
(convert --referenced-ct PT --xor-contours, region_1.nrrd summed per slice):
the rules match (doc/rtstruct-rasterization.md).
"""
import json
import os
import sys

import seg_common
from seg_common import CaseFailed, SHARED, PYDICOM_FILES, INTEROP, np, pydicom

DRO = os.path.join(SHARED, "suv_computation", "DRO")
TOOL = "rtstruct2segimage"
# z (mm) -> voxels; z = 4 k on the DRO's 4 mm grid.
PLASTIMATCH = {4 * k: n for k, n in enumerate([0, 0, 10817, 10945, 10944, 10945, 10922, 10912, 10921, 10930, 10934,
                                                10931, 10915, 10929, 10945, 10938, 10945, 10817, 0, 0]) if n}


def rs(name):
    return os.path.join(DRO, name, "RS", f"RS_dro_{name[4:]}.dcm")


def series_uid(directory):
    first = sorted(os.listdir(directory))[0]
    return str(pydicom.dcmread(os.path.join(directory, first), stop_before_pixels=True).SeriesInstanceUID)


def check_counts(ctx, seg_path, seg_type):
    d = seg_common.seg_decode.decode(seg_path)
    ctx.check(d.seg_type == seg_type, f"SegmentationType {d.seg_type}, expected {seg_type}")
    by_z = {}
    for f in d.frames:
        value = 1 if seg_type == "LABELMAP" else f.number
        n = int(np.count_nonzero(f.pixels == value)) if seg_type == "LABELMAP" else int(np.count_nonzero(f.pixels))
        if n:
            by_z[round(f.position[2], 3)] = by_z.get(round(f.position[2], 3), 0) + n
    ctx.check(by_z == PLASTIMATCH, f"voxels per slice {by_z} differ from plastimatch's {PLASTIMATCH}")
    labels = [str(s.SegmentLabel) for s in d.ds.SegmentSequence if int(s.SegmentNumber) != 0]
    ctx.check(labels == ["region_1"], f"segment labels {labels}")
    return d


# The DROs' PET series carry a Study Instance UID equal to their Frame of
# Reference UID; a SEG in the same study and frame of reference inherits both.
DRO_KNOWN = ["Error - StudyInstanceUID has same value as FrameOfReferenceUID "
             "<1.2.826.0.1.3680043.8.498.9552046624551246673304>"]


def dciodvfy(ctx, path, labelmap=False):
    cmd = [sys.executable, os.path.join(INTEROP, "dciodvfy_check.py"), path] + (["--labelmap"] if labelmap else [])
    for message in DRO_KNOWN:
        cmd += ["--known", message]
    ctx.must(cmd, "dciodvfy_check")


def convert(ctx, rtstruct, directory, name, *flags):
    out = ctx.path(name)
    ctx.must([ctx.exe(TOOL), "--inputRTSTRUCT", rtstruct, "--inputDICOMDirectory", directory, "--outputDICOM", out,
              *flags])
    return out


RT_STRUCT_STORAGE = "1.2.840.10008.5.1.4.1.1.481.3"


def check_references(ctx, ds, rtstruct, image_dir):
    """The SEG references its image series and, as a derivation source, the
    structure set: in every frame's Derivation Image item and in the Common
    Instance Reference module."""
    rs_ds = pydicom.dcmread(rtstruct, stop_before_pixels=True)
    series = {str(s.SeriesInstanceUID): {(str(i.ReferencedSOPClassUID), str(i.ReferencedSOPInstanceUID))
                                         for i in s.ReferencedInstanceSequence}
              for s in ds.ReferencedSeriesSequence}
    image_series = series_uid(image_dir)
    ctx.check(image_series in series, f"image series {image_series} not in ReferencedSeriesSequence {list(series)}")
    ctx.check(series.get(str(rs_ds.SeriesInstanceUID)) == {(RT_STRUCT_STORAGE, str(rs_ds.SOPInstanceUID))},
              f"the structure set is not referenced in its series: {series}")
    for n, frame in enumerate(ds.PerFrameFunctionalGroupsSequence):
        sources = [(str(s.ReferencedSOPClassUID), str(s.ReferencedSOPInstanceUID))
                   for item in frame.DerivationImageSequence for s in item.SourceImageSequence]
        ctx.check((RT_STRUCT_STORAGE, str(rs_ds.SOPInstanceUID)) in sources,
                  f"frame {n + 1}: the structure set is not a derivation source ({sources})")
        ctx.check(any(uid in series[image_series] for uid in sources), f"frame {n + 1}: no source image")
    return image_series


def case_dro_binary(ctx):
    out = convert(ctx, rs("DRO_0_0"), os.path.join(DRO, "DRO_0_0", "PT"), "binary.dcm")
    d = check_counts(ctx, out, "BINARY")
    check_references(ctx, d.ds, rs("DRO_0_0"), os.path.join(DRO, "DRO_0_0", "PT"))
    dciodvfy(ctx, out)


def case_dro_labelmap(ctx):
    out = convert(ctx, rs("DRO_0_0"), os.path.join(DRO, "DRO_0_0", "PT"), "labelmap.dcm",
                  "--segmentationType", "labelmap", "--compress", "deflate")
    check_counts(ctx, out, "LABELMAP")
    dciodvfy(ctx, out, labelmap=True)


def case_dro_series_by_uid(ctx):
    # All six DRO series share one Frame of Reference, and DRO_1_0's contours
    # name DRO_0_0's images: the RT Referenced Series UID decides.
    out = convert(ctx, rs("DRO_1_0"), DRO, "series.dcm")
    d = check_counts(ctx, out, "BINARY")
    refs = {str(s.SeriesInstanceUID) for s in d.ds.ReferencedSeriesSequence}
    ctx.check(series_uid(os.path.join(DRO, "DRO_0_0", "PT")) not in refs, f"references DRO_0_0's series: {refs}")
    check_references(ctx, d.ds, rs("DRO_1_0"), os.path.join(DRO, "DRO_1_0", "PT"))


def refused(ctx, cmd, out, *needles):
    r = ctx.run(cmd)
    ctx.check(r.returncode == 1, f"exit {r.returncode}, expected 1")
    lines = [l for l in r.stderr.strip().splitlines() if not l.startswith("warning")]
    ctx.check(len(lines) == 1, f"expected one error line, got {lines}")
    for n in needles:
        ctx.check(n in r.stderr, f"{n!r} not in {r.stderr.strip()!r}")
    ctx.check(not os.path.exists(out), "an output file was left")


def case_missing_series(ctx):
    out = ctx.path("missing.dcm")
    refused(ctx, [ctx.exe(TOOL), "--inputRTSTRUCT", os.path.join(PYDICOM_FILES, "rtstruct.dcm"),
                  "--inputDICOMDirectory", os.path.join(DRO, "DRO_0_0", "PT"), "--outputDICOM", out],
            out, "rtstruct.dcm", "1.2.826.0.1.3680043.8.498.2010020400001.2.1.1", "is not in")


def case_not_rtstruct(ctx):
    out = ctx.path("seg.dcm")
    refused(ctx, [ctx.exe(TOOL), "--inputRTSTRUCT", os.path.join(SHARED, "dcmqi", "data", "sr-example", "seg.dcm"),
                  "--inputDICOMDirectory", os.path.join(DRO, "DRO_0_0", "PT"), "--outputDICOM", out],
            out, "SOPClassUID (0008,0016)", "not an RT Structure Set")


# --- structure sets made from the DRO's by editing it (pydicom) -------------

PT = os.path.join(DRO, "DRO_0_0", "PT")


def variant(ctx, name, mutate):
    """RS_dro_0_0.dcm changed by `mutate(ds)`, saved in the case's directory."""
    ds = pydicom.dcmread(rs("DRO_0_0"))
    mutate(ds)
    path = ctx.path(name)
    ds.save_as(path)
    return path


def add_roi(ds, number, name, shift, interpreted, colour=None):
    """A copy of the DRO's ROI, its contours moved by `shift` (mm)."""
    import copy
    roi = copy.deepcopy(ds.StructureSetROISequence[0])
    roi.ROINumber, roi.ROIName = number, name
    ds.StructureSetROISequence.append(roi)
    contours = copy.deepcopy(ds.ROIContourSequence[0])
    contours.ReferencedROINumber = number
    if colour:
        contours.ROIDisplayColor = colour
    for c in contours.ContourSequence:
        p = np.array(c.ContourData, float).reshape(-1, 3) + np.array(shift, float)
        c.ContourData = [f"{v:.4f}" for v in p.ravel()]
    ds.ROIContourSequence.append(contours)
    obs = copy.deepcopy(ds.RTROIObservationsSequence[0])
    obs.ObservationNumber, obs.ReferencedROINumber, obs.ROIObservationLabel = number, number, name
    obs.RTROIInterpretedType = interpreted
    ds.RTROIObservationsSequence.append(obs)


def three_rois(ds):
    # region_1 (NONE); gtv overlaps it (moved 40 mm); organ does not
    # (moved 500 mm, so partly off the 1024 mm wide grid: clipped, not dropped).
    add_roi(ds, 4, "gtv", (40, 0, 0), "GTV", [255, 0, 0])
    add_roi(ds, 7, "organ", (0, 500, 0), "ORGAN")


def segments(ds):
    return {int(s.SegmentNumber): s for s in ds.SegmentSequence}


def code(seq):
    return (str(seq[0].CodeValue), str(seq[0].CodingSchemeDesignator))


def read_nifti(path):
    import nibabel
    img = nibabel.load(path)
    return np.asarray(img.dataobj), img.affine


def three_rois_and_points(ds):
    three_rois(ds)
    # an ROI of POINT contours only (a marker): skipped, and the ROI left out
    add_roi(ds, 12, "marker", (0, 0, 0), "MARKER")
    for c in ds.ROIContourSequence[-1].ContourSequence:
        c.ContourGeometricType = "POINT"
        c.ContourData = c.ContourData[:3]
        c.NumberOfContourPoints = 1


def case_rois_binary(ctx):
    rtstruct = variant(ctx, "three.dcm", three_rois_and_points)
    out, directory = ctx.path("three-seg.dcm"), ctx.path("labels")
    r = ctx.must([ctx.exe(TOOL), "--inputRTSTRUCT", rtstruct, "--inputDICOMDirectory", PT, "--outputDICOM", out,
                  "--outputDirectory", directory, "-t", "nifti"])
    for needle in ('ROI 12 ("marker"): POINT contours are skipped', 'ROI 12 ("marker") has no closed contour',
                   "it is left out"):
        ctx.check(needle in r.stderr, f"{needle!r} not warned: {r.stderr}")
    d = seg_common.seg_decode.decode(out)
    segs = segments(d.ds)
    ctx.check([str(segs[n].SegmentLabel) for n in sorted(segs)] == ["region_1", "gtv", "organ"],
              f"segments {[(n, str(segs[n].SegmentLabel)) for n in sorted(segs)]}: ROI order")
    # GTV: CID 9580 RT Target + CID 9534 GTV; NONE and ORGAN: the generic Tissue pair.
    ctx.check(code(segs[2].SegmentedPropertyCategoryCodeSequence) == ("130041", "DCM"), "gtv category")
    ctx.check(code(segs[2].SegmentedPropertyTypeCodeSequence) == ("228791009", "SCT"), "gtv type")
    for n in (1, 3):
        ctx.check(code(segs[n].SegmentedPropertyTypeCodeSequence) == ("85756007", "SCT"), f"segment {n} type")
    # Per segment voxels: gtv equals region_1 moved 10 voxels in x; organ clipped at the grid's edge.
    counts = {}
    for f in d.frames:
        counts[f.number] = counts.get(f.number, 0) + int(np.count_nonzero(f.pixels))
    ctx.check(counts.get(1) == 174690 and counts.get(2) == 174690, f"voxels per segment {counts}")
    ctx.check(0 < counts.get(3, 0) < 174690, f"organ, partly off the grid, has {counts.get(3)} voxels")
    check_references(ctx, d.ds, rtstruct, PT)
    dciodvfy(ctx, out)
    # meta.json: provenance and the curator's note where the codes are generic.
    with open(os.path.join(directory, "meta.json")) as f:
        meta = json.load(f)
    flat = [s for image in meta["segmentAttributes"] for s in image]
    ctx.check([s["ROINumber"] for s in flat] == [3, 4, 7], f"ROINumber {[s.get('ROINumber') for s in flat]}")
    ctx.check([s["RTROIInterpretedType"] for s in flat] == ["NONE", "GTV", "ORGAN"], "RTROIInterpretedType")
    ctx.check(["codingNote" in s for s in flat] == [True, False, True], f"codingNote {flat}")
    ctx.check("ORGAN" in flat[2]["codingNote"], f"note {flat[2].get('codingNote')}")
    # Round trip: segimage2itkimage on the SEG gives the same voxels and geometry.
    back = ctx.path("back")
    ctx.must([ctx.exe("segimage2itkimage"), "--inputDICOM", out, "--outputDirectory", back,
              "--referenceDICOMDirectory", PT, "-t", "nifti"])
    names = sorted(n for n in os.listdir(directory) if n.endswith(".nii.gz"))
    ctx.check(names == sorted(n for n in os.listdir(back) if n.endswith(".nii.gz")) and len(names) == 3,
              f"images {names} vs {sorted(os.listdir(back))}")
    for n in names:
        ours, ours_affine = read_nifti(os.path.join(directory, n))
        theirs, their_affine = read_nifti(os.path.join(back, n))
        ctx.check(ours.shape == theirs.shape and np.array_equal(ours, theirs), f"{n}: voxels differ")
        ctx.check(np.allclose(ours_affine, their_affine, atol=1e-4), f"{n}: geometry differs")
    with open(os.path.join(back, "meta.json")) as f:
        back_meta = json.load(f)
    back_flat = [s for image in back_meta["segmentAttributes"] for s in image]
    for a, b in zip(flat, back_flat):
        for key in ("labelID", "SegmentLabel", "SegmentedPropertyCategoryCodeSequence",
                    "SegmentedPropertyTypeCodeSequence", "SegmentAlgorithmType"):
            ctx.check(a.get(key) == b.get(key), f"meta.json {key}: {a.get(key)} vs {b.get(key)}")


def case_rois_labelmap_overlap(ctx):
    rtstruct = variant(ctx, "three.dcm", three_rois)
    out = ctx.path("labelmap.dcm")
    refused(ctx, [ctx.exe(TOOL), "--inputRTSTRUCT", rtstruct, "--inputDICOMDirectory", PT, "--outputDICOM", out,
                  "--segmentationType", "labelmap"],
            out, "ROI 4 (\"gtv\") overlaps ROI 3 (\"region_1\")", "LABELMAP")


def case_labelmap_directory(ctx):
    def two(ds):
        add_roi(ds, 9, "apart", (0, 500, 0), "CAVITY")
    rtstruct = variant(ctx, "two.dcm", two)
    out, directory, back = ctx.path("lm.dcm"), ctx.path("labels"), ctx.path("back")
    ctx.must([ctx.exe(TOOL), "--inputRTSTRUCT", rtstruct, "--inputDICOMDirectory", PT, "--outputDICOM", out,
              "--segmentationType", "labelmap", "--outputDirectory", directory, "-t", "nifti"])
    ctx.must([ctx.exe("segimage2itkimage"), "--inputDICOM", out, "--outputDirectory", back,
              "--referenceDICOMDirectory", PT, "-t", "nifti"])
    ours, _ = read_nifti(os.path.join(directory, "1.nii.gz"))
    theirs, _ = read_nifti(os.path.join(back, "1.nii.gz"))
    ctx.check(np.array_equal(ours, theirs), "label map voxels differ from segimage2itkimage's")
    ctx.check(set(np.unique(ours)) == {0, 1, 2}, f"values {np.unique(ours)}")
    segs = segments(pydicom.dcmread(out))
    ctx.check(code(segs[2].SegmentedPropertyTypeCodeSequence) == ("91806002", "SCT"), "CAVITY: Body Cavity")
    dciodvfy(ctx, out, labelmap=True)


def case_input_metadata(ctx):
    rtstruct = variant(ctx, "three.dcm", three_rois)
    liver = {"CodeValue": "10200004", "CodingSchemeDesignator": "SCT", "CodeMeaning": "Liver"}
    organ = {"CodeValue": "91723000", "CodingSchemeDesignator": "SCT", "CodeMeaning": "Anatomical Structure"}
    meta = {"SeriesDescription": "From RTSTRUCT", "segmentAttributes": [[
        # matched by name
        {"labelID": 1, "SegmentLabel": "organ", "SegmentedPropertyCategoryCodeSequence": organ,
         "SegmentedPropertyTypeCodeSequence": liver, "SegmentAlgorithmType": "MANUAL"},
        # no label: matched by ROI Number 3
        {"labelID": 3, "SegmentedPropertyCategoryCodeSequence": organ,
         "SegmentedPropertyTypeCodeSequence": liver, "SegmentAlgorithmType": "MANUAL",
         "recommendedDisplayRGBValue": [10, 20, 30]},
        # matches nothing: warned
        {"labelID": 99, "SegmentLabel": "absent", "SegmentedPropertyCategoryCodeSequence": organ,
         "SegmentedPropertyTypeCodeSequence": liver, "SegmentAlgorithmType": "MANUAL"}]]}
    path = ctx.path("meta.json")
    with open(path, "w") as f:
        json.dump(meta, f)
    out = ctx.path("seg.dcm")
    r = ctx.must([ctx.exe(TOOL), "--inputRTSTRUCT", rtstruct, "--inputDICOMDirectory", PT, "--outputDICOM", out,
                  "--inputMetadata", path])
    ctx.check("\"absent\"" in r.stderr and "matches no ROI" in r.stderr, f"no warning for the unused segment: {r.stderr}")
    ds = pydicom.dcmread(out)
    segs = segments(ds)
    ctx.check(str(ds.SeriesDescription) == "From RTSTRUCT", f"SeriesDescription {ds.SeriesDescription}")
    ctx.check(code(segs[3].SegmentedPropertyTypeCodeSequence) == ("10200004", "SCT"), "organ by name")
    ctx.check(str(segs[3].SegmentLabel) == "organ", "label kept")
    ctx.check(code(segs[1].SegmentedPropertyTypeCodeSequence) == ("10200004", "SCT"), "region_1 by number")
    ctx.check(str(segs[1].SegmentLabel) == "region_1", "the ROI name is the label when the JSON has none")
    ctx.check(code(segs[2].SegmentedPropertyTypeCodeSequence) == ("228791009", "SCT"), "gtv keeps its codes")


def case_contour_image_checks(ctx):
    def edit(ds):
        contours = ds.ROIContourSequence[0].ContourSequence
        del contours[0].ContourImageSequence        # missing: geometry decides, warned
        contours[1].ContourImageSequence[0].ReferencedSOPInstanceUID = \
            contours[5].ContourImageSequence[0].ReferencedSOPInstanceUID  # names another slice
        # a copy of contour 3 moved 1.6 mm (0.4 slice): on the same slice only by rounding
        import copy
        extra = copy.deepcopy(contours[2])
        p = np.array(extra.ContourData, float).reshape(-1, 3)
        p[:, 2] += 1.6
        extra.ContourData = [f"{v:.4f}" for v in p.ravel()]
        contours.append(extra)
    rtstruct = variant(ctx, "cis.dcm", edit)
    out = ctx.path("seg.dcm")
    r = ctx.must([ctx.exe(TOOL), "--inputRTSTRUCT", rtstruct, "--inputDICOMDirectory", PT, "--outputDICOM", out])
    for needle in ("1 contour(s) without a Contour Image Sequence", "disagrees with the geometry",
                   "lies between slices", "round to slice"):
        ctx.check(needle in r.stderr, f"{needle!r} not warned: {r.stderr}")


def enhanced_series(ctx):
    """DRO_0_0's PET slices as one Enhanced PET multi-frame instance (same
    series UID), and the DRO's structure set with its Contour Image Sequence
    naming that instance's frames."""
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.sequence import Sequence
    files = [pydicom.dcmread(os.path.join(PT, n)) for n in sorted(os.listdir(PT))]
    files.sort(key=lambda d: float(d.ImagePositionPatient[2]))
    first = files[0]
    mf = Dataset()
    for keyword in ("PatientName", "PatientID", "StudyInstanceUID", "SeriesInstanceUID", "FrameOfReferenceUID",
                    "StudyDate", "StudyTime", "Modality", "Rows", "Columns", "BitsAllocated", "BitsStored",
                    "HighBit", "PixelRepresentation", "SamplesPerPixel", "PhotometricInterpretation"):
        if keyword in first:
            setattr(mf, keyword, getattr(first, keyword))
    mf.SOPClassUID = "1.2.840.10008.5.1.4.1.1.130"
    mf.SOPInstanceUID = pydicom.uid.generate_uid()
    mf.NumberOfFrames = len(files)
    shared = Dataset()
    orientation, measures = Dataset(), Dataset()
    orientation.ImageOrientationPatient = first.ImageOrientationPatient
    measures.PixelSpacing = first.PixelSpacing
    measures.SliceThickness = first.SliceThickness
    shared.PlaneOrientationSequence = Sequence([orientation])
    shared.PixelMeasuresSequence = Sequence([measures])
    mf.SharedFunctionalGroupsSequence = Sequence([shared])
    frames = []
    for f in files:
        item, position = Dataset(), Dataset()
        position.ImagePositionPatient = f.ImagePositionPatient
        item.PlanePositionSequence = Sequence([position])
        frames.append(item)
    mf.PerFrameFunctionalGroupsSequence = Sequence(frames)
    mf.PixelData = b"".join(f.PixelData for f in files)
    mf.file_meta = FileMetaDataset()
    mf.file_meta.MediaStorageSOPClassUID = mf.SOPClassUID
    mf.file_meta.MediaStorageSOPInstanceUID = mf.SOPInstanceUID
    mf.file_meta.TransferSyntaxUID = pydicom.uid.ExplicitVRLittleEndian
    directory = ctx.path("enhanced")
    os.makedirs(directory, exist_ok=True)
    mf.save_as(os.path.join(directory, "pet.dcm"), write_like_original=False)
    frame_of = {str(f.SOPInstanceUID): n + 1 for n, f in enumerate(files)}

    def to_frames(ds):
        for c in ds.ROIContourSequence[0].ContourSequence:
            image = c.ContourImageSequence[0]
            image.ReferencedFrameNumber = frame_of[str(image.ReferencedSOPInstanceUID)]
            image.ReferencedSOPClassUID = mf.SOPClassUID
            image.ReferencedSOPInstanceUID = mf.SOPInstanceUID
    return directory, variant(ctx, "rs-enhanced.dcm", to_frames), mf.SOPInstanceUID


def case_enhanced_series(ctx):
    directory, rtstruct, uid = enhanced_series(ctx)
    out = ctx.path("seg.dcm")
    r = ctx.must([ctx.exe(TOOL), "--inputRTSTRUCT", rtstruct, "--inputDICOMDirectory", directory, "--outputDICOM", out])
    ctx.check("Contour Image Sequence" not in r.stderr, f"frame references not matched: {r.stderr}")
    d = check_counts(ctx, out, "BINARY")
    # each frame derives from the multi-frame instance's frame on its plane
    for frame, f in zip(d.ds.PerFrameFunctionalGroupsSequence, d.frames):
        sources = [s for item in frame.DerivationImageSequence for s in item.SourceImageSequence
                   if str(s.ReferencedSOPInstanceUID) == uid]
        ctx.check(len(sources) == 1 and int(sources[0].ReferencedFrameNumber) == round(f.position[2] / 4) + 1,
                  f"frame at z {f.position[2]}: sources {sources}")


def other_series_uid(ds):
    for frame in ds.ReferencedFrameOfReferenceSequence:
        for study in frame.RTReferencedStudySequence:
            for series in study.RTReferencedSeriesSequence:
                series.SeriesInstanceUID = "1.2.3.999"


def case_series_by_frame(ctx):
    # The referenced series UID is not there, but one series in the directory
    # is on the structure set's Frame of Reference: it is used, with a warning.
    rtstruct = variant(ctx, "renamed.dcm", other_series_uid)
    out = ctx.path("seg.dcm")
    r = ctx.must([ctx.exe(TOOL), "--inputRTSTRUCT", rtstruct, "--inputDICOMDirectory", PT, "--outputDICOM", out])
    ctx.check("1.2.3.999 is not in" in r.stderr and "the only one on the structure set's Frame of Reference" in r.stderr,
              f"no warning: {r.stderr}")
    check_counts(ctx, out, "BINARY")


def case_series_by_frame_ambiguous(ctx):
    # All six DRO series share one Frame of Reference: none is chosen.
    rtstruct = variant(ctx, "renamed.dcm", other_series_uid)
    out = ctx.path("seg.dcm")
    refused(ctx, [ctx.exe(TOOL), "--inputRTSTRUCT", rtstruct, "--inputDICOMDirectory", DRO, "--outputDICOM", out],
            out, "1.2.3.999 is not in", "6 series share its Frame of Reference")


def case_metadata_round_trip(ctx):
    # --outputDirectory's meta.json, edited by a curator (a label renamed,
    # codes filled in), fed back: matched by ROINumber, not by the label.
    rtstruct = variant(ctx, "three.dcm", three_rois)
    first, labels = ctx.path("first.dcm"), ctx.path("labels")
    ctx.must([ctx.exe(TOOL), "--inputRTSTRUCT", rtstruct, "--inputDICOMDirectory", PT, "--outputDICOM", first,
              "--outputDirectory", labels])
    with open(os.path.join(labels, "meta.json")) as f:
        meta = json.load(f)
    organ = [s for image in meta["segmentAttributes"] for s in image if s.get("ROINumber") == 7][0]
    organ["SegmentLabel"] = "Liver (renamed)"
    organ["SegmentedPropertyTypeCodeSequence"] = {"CodeValue": "10200004", "CodingSchemeDesignator": "SCT",
                                                  "CodeMeaning": "Liver"}
    del organ["codingNote"]
    edited = ctx.path("edited.json")
    with open(edited, "w") as f:
        json.dump(meta, f)
    out = ctx.path("seg.dcm")
    r = ctx.must([ctx.exe(TOOL), "--inputRTSTRUCT", rtstruct, "--inputDICOMDirectory", PT, "--outputDICOM", out,
                  "--inputMetadata", edited])
    ctx.check("matches no ROI" not in r.stderr, f"a segment was not matched: {r.stderr}")
    segs = segments(pydicom.dcmread(out))
    ctx.check(str(segs[3].SegmentLabel) == "Liver (renamed)", f"label {segs[3].SegmentLabel}")
    ctx.check(code(segs[3].SegmentedPropertyTypeCodeSequence) == ("10200004", "SCT"), "organ's codes")
    ctx.check(code(segs[2].SegmentedPropertyTypeCodeSequence) == ("228791009", "SCT"), "gtv's codes")


def case_contour_image_frame_one(ctx):
    # Referenced Frame Number 1 on single-frame images (some planning systems write it): no warning.
    def edit(ds):
        for c in ds.ROIContourSequence[0].ContourSequence:
            c.ContourImageSequence[0].ReferencedFrameNumber = 1
    rtstruct = variant(ctx, "frame1.dcm", edit)
    out = ctx.path("seg.dcm")
    r = ctx.must([ctx.exe(TOOL), "--inputRTSTRUCT", rtstruct, "--inputDICOMDirectory", PT, "--outputDICOM", out])
    ctx.check("Contour Image Sequence" not in r.stderr, f"warned: {r.stderr}")
    check_counts(ctx, out, "BINARY")


def not_a_number(ds):
    c = ds.ROIContourSequence[0].ContourSequence[3]
    values = [str(v) for v in c.ContourData]
    values[4] = "nan"
    c["ContourData"].value = "\\".join(values)


def bad_variant(name, mutate, *needles):
    def case(ctx):
        rtstruct = variant(ctx, name + ".dcm", mutate)
        out = ctx.path("out.dcm")
        refused(ctx, [ctx.exe(TOOL), "--inputRTSTRUCT", rtstruct, "--inputDICOMDirectory", PT, "--outputDICOM", out,
                      "--outputDirectory", ctx.path("labels")], out, name + ".dcm", *needles)
        ctx.check(not os.path.exists(ctx.path("labels")) or not os.listdir(ctx.path("labels")),
                  "label images were left")
    return case


def no_roi_contours(ds):
    del ds.ROIContourSequence


def other_frame(ds):
    ds.StructureSetROISequence[0].ReferencedFrameOfReferenceUID = "1.2.3.4.5"


def two_points(ds):
    c = ds.ROIContourSequence[0].ContourSequence[3]
    c.ContourData = c.ContourData[:6]
    c.NumberOfContourPoints = 2


def odd_coordinates(ds):
    c = ds.ROIContourSequence[0].ContourSequence[3]
    c.ContourData = c.ContourData[:-1]


def declared_too_many(ds):
    ds.ROIContourSequence[0].ContourSequence[3].NumberOfContourPoints = 10**7


CASES = {
    "dro-binary": case_dro_binary,
    "dro-labelmap": case_dro_labelmap,
    "dro-series-by-uid": case_dro_series_by_uid,
    "missing-series": case_missing_series,
    "not-rtstruct": case_not_rtstruct,
    "rois-binary": case_rois_binary,
    "rois-labelmap-overlap": case_rois_labelmap_overlap,
    "labelmap-directory": case_labelmap_directory,
    "input-metadata": case_input_metadata,
    "contour-image-checks": case_contour_image_checks,
    "enhanced-series": case_enhanced_series,
    "series-by-frame": case_series_by_frame,
    "series-by-frame-ambiguous": case_series_by_frame_ambiguous,
    "bad-no-roi-contours": bad_variant("no-contours", no_roi_contours, "ROIContourSequence (3006,0039)"),
    "bad-other-frame": bad_variant("other-frame", other_frame, "ReferencedFrameOfReferenceUID (3006,0024)",
                                   "1.2.3.4.5"),
    "bad-two-points": bad_variant("two-points", two_points, "ContourData (3006,0050)", "contour 4"),
    "bad-odd-coordinates": bad_variant("odd", odd_coordinates, "ContourData (3006,0050)"),
    "bad-declared-points": bad_variant("declared", declared_too_many, "NumberOfContourPoints", "10000000"),
    "bad-not-a-number": bad_variant("nan", not_a_number, "ContourData (3006,0050)", "contour 4",
                                    "value 5 is not a decimal number"),
    "metadata-round-trip": case_metadata_round_trip,
    "contour-image-frame-one": case_contour_image_frame_one,
}

if __name__ == "__main__":
    sys.exit(seg_common.run_case(CASES, group="rtstruct"))
