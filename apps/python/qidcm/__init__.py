"""qidcm: DICOM SEG, Parametric Map, TID 1500 SR and SUV from NumPy arrays and back.

The same C++ library as the qidcm command-line tools (doc/python.md).

    import qidcm
    src = qidcm.read_series("ct/")
    qidcm.write_seg(labels, metadata=meta, source=src, path="seg.dcm", segmentation_type="labelmap")
    s = qidcm.read_seg("seg.dcm", reference="ct/")
"""
from ._core import (  # noqa: F401
    Error, InvalidInput, UsageError, IOError, InternalError,
    Series, Segmentation, ParametricMap, Suv,
    read_series, write_seg, read_seg, write_pm, read_pm, pet_suv, read_sr, write_sr,
    __version__,
)

# IOError is qidcm.IOError; it is left out of __all__ so that `from qidcm import *` does not shadow the
# built-in name.
__all__ = ["Error", "InvalidInput", "UsageError", "InternalError", "Series", "Segmentation",
           "ParametricMap", "Suv", "read_series", "write_seg", "read_seg", "write_pm", "read_pm", "pet_suv",
           "read_sr", "write_sr", "__version__"]
