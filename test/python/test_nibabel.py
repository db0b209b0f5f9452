"""A NIfTI label image loaded with nibabel (RAS) and written with from_ras=True is the SEG that
itkimage2segimage makes from the same file, voxel for voxel and position for position."""
import os

import numpy as np

import qidcm
from conftest import dciodvfy, frames_by_segment, run, tool


def test_nibabel_from_ras(oblique_case, work):
    import nibabel as nib
    c = oblique_case
    # The labels as a NIfTI file, on the series' grid (written by nibabel from the LPS affine).
    ras = np.diag([-1.0, -1.0, 1.0, 1.0]) @ c.affine
    path = os.path.join(work, "labels.nii.gz")
    nib.save(nib.Nifti1Image(np.ascontiguousarray(c.labels.T), ras), path)
    img = nib.load(path)
    data = np.asarray(img.dataobj).T  # nibabel's (x, y, z) -> (slice, row, column)
    ours = os.path.join(work, "py.dcm")
    qidcm.write_seg(np.ascontiguousarray(data), metadata=c.meta, source=qidcm.read_series(c.ct), path=ours,
                    affine=img.affine, from_ras=True)
    dciodvfy(ours)
    theirs = os.path.join(work, "tool.dcm")
    run(tool("itkimage2segimage"), "--inputImageList", path, "--inputMetadata", c.meta_path,
        "--inputDICOMDirectory", c.ct, "--outputDICOM", theirs)
    _, a = frames_by_segment(ours)
    _, b = frames_by_segment(theirs)
    assert a and sorted(a) == sorted(b)
    for key in a:
        np.testing.assert_array_equal(a[key], b[key])
    # And without from_ras the RAS affine is a mirrored grid: refused or elsewhere, never the same SEG.
    wrong = os.path.join(work, "wrong.dcm")
    try:
        qidcm.write_seg(np.ascontiguousarray(data), metadata=c.meta, source=qidcm.read_series(c.ct), path=wrong,
                        affine=img.affine)
    except qidcm.InvalidInput:
        return
    _, w = frames_by_segment(wrong)
    assert sorted(w) != sorted(a)
