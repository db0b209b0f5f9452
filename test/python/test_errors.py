"""Bad input raises the exception of its kind, with the tools' one-line message; nothing crashes."""
import os

import numpy as np
import pytest

import qidcm


def segs(meta, n=None):
    s = [x for g in meta["segmentAttributes"] for x in g]
    return s if n is None else s[:n]


@pytest.fixture
def src(synth_case):
    return qidcm.read_series(synth_case.ct)


def write(case, src, work, labels, **kw):
    kw.setdefault("metadata", case.meta)
    return qidcm.write_seg(labels, source=src, path=os.path.join(work, "x.dcm"), **kw)


def test_exception_classes():
    assert issubclass(qidcm.InvalidInput, qidcm.Error) and issubclass(qidcm.InvalidInput, ValueError)
    assert issubclass(qidcm.IOError, qidcm.Error) and issubclass(qidcm.IOError, OSError)
    assert issubclass(qidcm.UsageError, qidcm.Error) and issubclass(qidcm.InternalError, RuntimeError)


def test_wrong_dtype(synth_case, src, work):
    with pytest.raises(qidcm.InvalidInput, match=r"labels: has dtype float64; a labelmap SEG takes a uint8 or uint16"):
        write(synth_case, src, work, synth_case.labels.astype(np.float64), segmentation_type="labelmap")
    with pytest.raises(qidcm.InvalidInput, match="has dtype complex128"):
        write(synth_case, src, work, synth_case.labels.astype(np.complex128))
    with pytest.raises(qidcm.InvalidInput, match="is not a NumPy array"):
        write(synth_case, src, work, [[1, 2], [3, 4]])
    assert not os.path.exists(os.path.join(work, "x.dcm"))


def test_two_dimensional(synth_case, src, work):
    with pytest.raises(qidcm.InvalidInput, match=r"labels: has shape \(48, 64\); expected \(slices, rows, columns\)"):
        write(synth_case, src, work, synth_case.labels[0])
    with pytest.raises(qidcm.InvalidInput, match="it is empty"):
        write(synth_case, src, work, np.zeros((0, 48, 64), np.uint8))


def test_shape_not_the_source(synth_case, src, work):
    with pytest.raises(qidcm.InvalidInput, match=r"is not the source series' \(slices, rows, columns\)"):
        write(synth_case, src, work, np.ascontiguousarray(synth_case.labels[:, :, :10]))


def test_nan_in_fractional(synth_case, src, work):
    p = (synth_case.labels == 1).astype(np.float32)
    p[3, 10, 10] = np.nan
    with pytest.raises(qidcm.InvalidInput, match=r"labels: value nan at voxel .* is outside \[0, 1\]"):
        write(synth_case, src, work, p, metadata=dict(synth_case.meta, segmentAttributes=[segs(synth_case.meta, 1)]),
              segmentation_type="fractional")


def test_mismatched_metadata(synth_case, src, work):
    masks = np.stack([synth_case.labels == n for n in (1, 2)])
    with pytest.raises(qidcm.InvalidInput, match=r"metadata: segmentAttributes: describes 4 segments, but labels holds 2"):
        write(synth_case, src, work, masks)
    with pytest.raises(qidcm.InvalidInput, match=r"metadata"):
        write(synth_case, src, work, synth_case.labels, metadata={"segmentAttributes": "no"})
    with pytest.raises(qidcm.InvalidInput, match=r"metadata: /ContentCreatorName: is not a finite number"):
        write(synth_case, src, work, synth_case.labels, metadata=dict(synth_case.meta, ContentCreatorName=float("nan")))


def test_missing_source(synth_case, work):
    with pytest.raises(qidcm.InvalidInput, match="a SEG needs its source series"):
        qidcm.write_seg(synth_case.labels, metadata=synth_case.meta, source=None, path=os.path.join(work, "x.dcm"))
    with pytest.raises(qidcm.InvalidInput, match="nothing"):
        qidcm.read_series(os.path.join(work, "nothing"))


def test_argument_types(synth_case, src, work):
    with pytest.raises(qidcm.UsageError, match="segmentation_type: must be a string"):
        write(synth_case, src, work, synth_case.labels, segmentation_type=None)
    with pytest.raises(qidcm.UsageError, match="from_ras: must be True or False"):
        write(synth_case, src, work, synth_case.labels, from_ras="yes")
    with pytest.raises(qidcm.InvalidInput, match="source: is a str, not a qidcm.Series"):
        qidcm.write_seg(synth_case.labels, metadata=synth_case.meta, source=synth_case.ct,
                        path=os.path.join(work, "x.dcm"))
    with pytest.raises(qidcm.InvalidInput, match="path: is a int, not a path"):
        qidcm.write_seg(synth_case.labels, metadata=synth_case.meta, source=src, path=5)
    for bad in (None, 5):
        with pytest.raises(qidcm.InvalidInput, match="path: is a"):
            qidcm.read_series(bad)
    with pytest.raises(qidcm.InvalidInput):
        qidcm.read_series("/tmp/" + "x" * 300)
    with pytest.raises(qidcm.UsageError, match="suv_type: must be a string"):
        qidcm.pet_suv(synth_case.ct, suv_type=None)


def test_metadata_that_holds_itself(synth_case, src, work):
    meta = dict(synth_case.meta)
    meta["ContentDescription"] = meta
    with pytest.raises(qidcm.InvalidInput, match="nested deeper than 256"):
        write(synth_case, src, work, synth_case.labels, metadata=meta)
    deep = []
    for _ in range(100000):
        deep = [deep]
    with pytest.raises(qidcm.InvalidInput, match="nested deeper than 256"):
        write(synth_case, src, work, synth_case.labels, metadata=dict(synth_case.meta, X=deep))


def test_bad_affine(synth_case, src, work):
    with pytest.raises(qidcm.InvalidInput, match="affine: must be a 4 x 4"):
        write(synth_case, src, work, synth_case.labels, affine=np.eye(3))
    sheared = np.eye(4)
    sheared[0, 1] = 0.5
    with pytest.raises(qidcm.InvalidInput, match="not orthogonal"):
        write(synth_case, src, work, synth_case.labels, affine=sheared)
    with pytest.raises(qidcm.InvalidInput, match="bottom row is not 0 0 0 1"):
        write(synth_case, src, work, synth_case.labels, affine=src.affine.T)


def test_usage_and_output_errors(synth_case, src, work):
    with pytest.raises(qidcm.UsageError, match="segmentation_type 'lab'"):
        write(synth_case, src, work, synth_case.labels, segmentation_type="lab")
    with pytest.raises(qidcm.IOError):
        qidcm.write_seg(synth_case.labels, metadata=synth_case.meta, source=src,
                        path=os.path.join(work, "missing-dir", "x.dcm"))


def test_reading_what_is_not_a_seg(synth_case, work):
    ct = os.path.join(synth_case.ct, sorted(os.listdir(synth_case.ct))[0])
    with pytest.raises(qidcm.InvalidInput, match="SOPClassUID"):
        qidcm.read_seg(ct)
    with pytest.raises(qidcm.InvalidInput):
        qidcm.read_pm(os.path.join(work, "none.dcm"))
