"""write_seg / read_seg: round trips of voxels and geometry, and the same SEG as itkimage2segimage's."""
import json
import os
import shutil

import numpy as np
import pytest

import qidcm
from conftest import dciodvfy, frames_by_segment, run, tool


def segments_of(meta):
    return [s for group in meta["segmentAttributes"] for s in group]


@pytest.mark.parametrize("kind", ["binary", "labelmap"])
def test_label_map_round_trip(synth_case, work, kind):
    c = synth_case
    src = qidcm.read_series(c.ct)
    assert src.shape == c.labels.shape
    np.testing.assert_allclose(src.affine, c.affine, atol=1e-6)
    out = os.path.join(work, "seg.dcm")
    summary = qidcm.write_seg(c.labels, metadata=c.meta, source=src, path=out, segmentation_type=kind)
    assert summary["segments"] == len(segments_of(c.meta))
    dciodvfy(out, labelmap=kind == "labelmap")
    s = qidcm.read_seg(out, reference=c.ct)
    assert s.segmentation_type == kind.upper()
    assert s.labels.shape == c.labels.shape and s.labels.dtype == np.uint8
    np.testing.assert_array_equal(s.labels, c.labels)
    np.testing.assert_allclose(s.affine, c.affine, atol=1e-5)
    np.testing.assert_allclose(s.spacing, np.linalg.norm(c.affine[:3, :3], axis=0), atol=1e-6)
    np.testing.assert_allclose(s.origin, c.affine[:3, 3], atol=1e-5)
    assert [x["SegmentLabel"] for x in s.segments] == [x["SegmentLabel"] for x in segments_of(c.meta)]
    # The library's buffer handed to NumPy: the array's base is the capsule that frees it.
    assert type(s.labels.base).__name__ == "PyCapsule"
    assert src.spacing == tuple(np.linalg.norm(c.affine[:3, :3], axis=0).tolist())
    np.testing.assert_allclose(src.origin, c.affine[:3, 3])
    np.testing.assert_allclose(src.direction, c.affine[:3, :3] / np.linalg.norm(c.affine[:3, :3], axis=0))
    a = s.affine
    a[0, 3] = 1e6  # a copy: the result's geometry does not change
    np.testing.assert_allclose(s.affine, c.affine, atol=1e-5)


def test_overlapping_masks_round_trip(synth_case, work):
    c = synth_case
    src = qidcm.read_series(c.ct)
    masks = np.stack([c.labels == n for n in (1, 2, 3)])
    masks[2] |= masks[0]  # segment 3 overlaps segment 1
    meta = dict(c.meta, segmentAttributes=[segments_of(c.meta)[:3]])
    out = os.path.join(work, "seg.dcm")
    qidcm.write_seg(masks, metadata=meta, source=src, path=out, segmentation_type="binary")
    dciodvfy(out)
    s = qidcm.read_seg(out, reference=c.ct, merge=False)
    assert s.labels.shape == (3,) + c.labels.shape
    for n in range(3):
        np.testing.assert_array_equal(s.labels[n] == n + 1, masks[n])
    merged = qidcm.read_seg(out, reference=c.ct)  # overlap: more than one layer even merged
    assert merged.labels.ndim == 4


def test_fractional_round_trip(synth_case, work):
    c = synth_case
    src = qidcm.read_series(c.ct)
    rng = np.random.default_rng(1)
    prob = np.stack([(c.labels == n) * rng.integers(1, 256, c.labels.shape) / 255.0 for n in (1, 2)])
    prob = prob.astype(np.float32)
    meta = dict(c.meta, segmentAttributes=[segments_of(c.meta)[:2]])
    out = os.path.join(work, "frac.dcm")
    qidcm.write_seg(prob, metadata=meta, source=src, path=out, segmentation_type="fractional")
    dciodvfy(out)
    s = qidcm.read_seg(out, reference=c.ct)
    assert s.segmentation_type == "FRACTIONAL"
    assert s.labels.shape == prob.shape and s.labels.dtype == np.float32
    # 8-bit stored fractions (Maximum Fractional Value 255): exact for multiples of 1/255.
    np.testing.assert_allclose(s.labels, prob, atol=1e-6)


def test_same_seg_as_itkimage2segimage(synth_case, work):
    """The same arrays through write_seg and through the tool give the same frames, positions and segments."""
    c = synth_case
    for kind in ("binary", "labelmap"):
        ours = os.path.join(work, f"py-{kind}.dcm")
        theirs = os.path.join(work, f"tool-{kind}.dcm")
        qidcm.write_seg(c.labels, metadata=c.meta, source=qidcm.read_series(c.ct), path=ours, segmentation_type=kind)
        run(tool("itkimage2segimage"), "--inputImageList", c.label_path, "--inputMetadata", c.meta_path,
            "--inputDICOMDirectory", c.ct, "--outputDICOM", theirs, "--segmentationType", kind)
        da, fa = frames_by_segment(ours)
        db, fb = frames_by_segment(theirs)
        assert sorted(fa) == sorted(fb)
        for key in fa:
            np.testing.assert_array_equal(fa[key], fb[key], err_msg=f"{kind} {key}")
        for n in da.segments:
            a, b = da.segments[n], db.segments[n]
            for k in ("SegmentLabel", "SegmentAlgorithmType", "RecommendedDisplayCIELabValue"):
                assert a.get(k) == b.get(k), (kind, n, k)
            assert a.SegmentedPropertyTypeCodeSequence[0].CodeValue == b.SegmentedPropertyTypeCodeSequence[0].CodeValue
        for k in ("Rows", "Columns", "BitsAllocated", "FrameOfReferenceUID", "StudyInstanceUID", "PatientID"):
            assert da.ds.get(k) == db.ds.get(k), (kind, k)


def test_own_grid_with_affine(oblique_case, work):
    """Labels on a cropped grid of an oblique series, given with their affine, land on the same voxels."""
    c = oblique_case
    src = qidcm.read_series(c.ct)
    crop = c.labels[2:12, 5:30, 4:40]
    affine = c.affine.copy()
    affine[:3, 3] = c.affine[:3, :3] @ np.array([4, 5, 2]) + c.affine[:3, 3]  # voxel (i=4, j=5, k=2)
    out = os.path.join(work, "crop.dcm")
    qidcm.write_seg(np.ascontiguousarray(crop), metadata=c.meta, source=src, path=out, affine=affine)
    dciodvfy(out)
    # Read back with the reference: the frames' own in-plane extent, across all the series' slices.
    s = qidcm.read_seg(out, reference=c.ct)
    expected = np.zeros((c.labels.shape[0],) + crop.shape[1:], np.uint8)
    expected[2:12] = crop
    np.testing.assert_array_equal(s.labels, expected)
    at_first_slice = affine.copy()
    at_first_slice[:3, 3] = c.affine[:3, :3] @ np.array([4, 5, 0]) + c.affine[:3, 3]
    np.testing.assert_allclose(s.affine, at_first_slice, atol=1e-4)
    # The frames lie on the source images they were cut from: each references one.
    import pydicom
    ds = pydicom.dcmread(out)
    refs = [f.DerivationImageSequence[0].SourceImageSequence[0].ReferencedSOPInstanceUID
            for f in ds.PerFrameFunctionalGroupsSequence]
    assert refs and all(refs)


@pytest.mark.parametrize("layout", ["fortran", "byteswapped"])
def test_masks_in_other_layouts(synth_case, work, layout):
    """Fortran-ordered or byte-swapped input: copied once into C order, the same SEG."""
    c = synth_case
    src = qidcm.read_series(c.ct)
    masks = np.stack([c.labels == n for n in (1, 2)]).astype(np.uint8)
    given = np.asfortranarray(masks) if layout == "fortran" else masks.astype(">u2")
    meta = dict(c.meta, segmentAttributes=[segments_of(c.meta)[:2]])
    out = os.path.join(work, "seg.dcm")
    if layout == "fortran":
        qidcm.write_seg(given, metadata=meta, source=src, path=out)
    else:
        labels = (c.labels * (c.labels <= 2)).astype(">u2")
        qidcm.write_seg(labels, metadata=meta, source=src, path=out, segmentation_type="labelmap")
    s = qidcm.read_seg(out, reference=c.ct)
    np.testing.assert_array_equal(s.labels, c.labels * (c.labels <= 2))


def test_chosen_series_only(synth_case, work):
    """A directory with two series of the same geometry: the SEG references the one read_series chose."""
    import pydicom
    from pydicom.uid import generate_uid
    c = synth_case
    both = os.path.join(work, "both")
    os.makedirs(os.path.join(both, "b"))
    shutil.copytree(c.ct, os.path.join(both, "a"))
    other = generate_uid()
    for f in sorted(os.listdir(c.ct)):
        ds = pydicom.dcmread(os.path.join(c.ct, f))
        ds.SeriesInstanceUID = other
        ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
        ds.save_as(os.path.join(both, "b", f))
    first = pydicom.dcmread(os.path.join(c.ct, sorted(os.listdir(c.ct))[0])).SeriesInstanceUID
    src = qidcm.read_series(both, series_instance_uid=str(first))
    assert src.series_instance_uid == first and sorted(src.series) == sorted([str(first), other])
    out = os.path.join(work, "seg.dcm")
    qidcm.write_seg(c.labels, metadata=c.meta, source=src, path=out)
    ds = pydicom.dcmread(out)
    assert [str(x.SeriesInstanceUID) for x in ds.ReferencedSeriesSequence] == [str(first)]


def test_latin1_text_reads(synth_case, work):
    import pydicom
    c = synth_case
    out = os.path.join(work, "seg.dcm")
    qidcm.write_seg(c.labels, metadata=c.meta, source=qidcm.read_series(c.ct), path=out)
    ds = pydicom.dcmread(out)
    ds.SpecificCharacterSet = "ISO_IR 100"
    ds["SeriesDescription"].value = b"Caf\xe9"
    latin = os.path.join(work, "latin1.dcm")
    ds.save_as(latin)
    s = qidcm.read_seg(latin)
    assert s.metadata["SeriesDescription"] in ("Café", "Caf\ufffd")


def test_strided_input_is_copied_not_misread(synth_case, work):
    c = synth_case
    src = qidcm.read_series(c.ct)
    padded = np.zeros(c.labels.shape[:2] + (c.labels.shape[2] * 2,), np.uint8)
    padded[:, :, ::2] = c.labels
    view = padded[:, :, ::2]
    assert not view.flags.c_contiguous
    out = os.path.join(work, "strided.dcm")
    qidcm.write_seg(view, metadata=c.meta, source=src, path=out)
    np.testing.assert_array_equal(qidcm.read_seg(out, reference=c.ct).labels, c.labels)
