"""qidcm: DICOM SEG, Parametric Map, TID 1500 SR and SUV from NumPy arrays and back (doc/python.md).

Arrays are (slice, row, column), as SimpleITK's GetArrayFromImage gives them. Geometry is a 4 x 4
affine in LPS millimetres mapping the index (column, row, slice, 1) to a point; from_ras=True takes
nibabel's RAS affine (with the array transposed to (slice, row, column)).
"""
import os
from typing import Any, Dict, List, Literal, Optional, Sequence, Tuple, Union

import numpy as np
import numpy.typing as npt

__version__: str

PathLike = Union[str, os.PathLike]
Affine = npt.ArrayLike  # 4 x 4


class Error(Exception):
    """Any qidcm error; str() is the tools' one-line message (file, key or attribute, what is wrong)."""


class InvalidInput(Error, ValueError):
    """Bad input: an array (dtype, shape, values), a metadata key, a DICOM file. The tools' exit code 1."""


class UsageError(Error, ValueError):
    """A bad option value or combination. The tools' exit code 2."""


class IOError(Error, OSError):  # noqa: A001
    """An output that cannot be written. The tools' exit code 3."""


class InternalError(Error, RuntimeError):
    """A bug in qidcm or a library failure. The tools' exit code 4."""


class Series:
    """A source series: headers and geometry, no pixels (read_series)."""
    series_instance_uid: str
    study_instance_uid: str
    frame_of_reference_uid: str
    patient_id: str
    patient_name: str
    modality: str
    files: List[str]
    shape: Tuple[int, int, int]
    """(slices, rows, columns) of an array on the series' grid."""
    affine: npt.NDArray[np.float64]
    spacing: Tuple[float, float, float]
    """(column, row, slice) spacing in mm."""
    origin: Tuple[float, float, float]
    direction: npt.NDArray[np.float64]
    """3 x 3, columns: the unit vectors of the column, row and slice axes (LPS)."""
    series: List[str]
    """Every series UID found where the series was read."""


class Segmentation:
    """A SEG read by read_seg."""
    labels: npt.NDArray[Any]
    """(slices, rows, columns) label map, pixel value = Segment Number (uint8, or uint16 past 255); with
    overlapping segments, or fractional ones, one layer per first axis (see segments[i]['layer'])."""
    segments: List[Dict[str, Any]]
    """One dict per segment: the metadata JSON keys (labelID = Segment Number, SegmentLabel, ...) and 'layer'."""
    metadata: Dict[str, Any]
    segmentation_type: str
    transfer_syntax: str
    frames: int
    affine: npt.NDArray[np.float64]
    spacing: Tuple[float, float, float]
    origin: Tuple[float, float, float]
    direction: npt.NDArray[np.float64]


class ParametricMap:
    """A parametric map read by read_pm."""
    array: npt.NDArray[Any]
    metadata: Dict[str, Any]
    frames: int
    transfer_syntax: str
    affine: npt.NDArray[np.float64]
    spacing: Tuple[float, float, float]
    origin: Tuple[float, float, float]
    direction: npt.NDArray[np.float64]


class Suv:
    """SUV of a PET series (pet_suv)."""
    array: npt.NDArray[np.float32]
    factors: List[float]
    """SUV = stored value x factor, one per slice along the slice normal."""
    report: Dict[str, Any]
    """Every header value used and where it came from, the branch, decay, factors, warnings."""
    series_instance_uid: str
    affine: npt.NDArray[np.float64]


def read_series(path: Union[PathLike, Sequence[PathLike]], series_instance_uid: str = "") -> Series:
    """Scans a directory (recursively) or files for an image series: headers and geometry, no pixels.
    With several series, the one with the most frames unless series_instance_uid names one."""


def write_seg(labels: npt.NDArray[Any], metadata: Dict[str, Any], source: Series, path: PathLike,
              segmentation_type: Literal["binary", "fractional", "labelmap"] = "binary",
              compress: Literal["none", "rle", "deflate", "difc", "jpegls", "jpeg2000"] = "none",
              affine: Optional[Affine] = None, from_ras: bool = False, skip_empty_slices: bool = True,
              use_label_id_as_segment_number: bool = False) -> Dict[str, Any]:
    """Writes a DICOM Segmentation, atomically.

    labels: (slices, rows, columns) uint8/uint16 label map (binary or labelmap); (segments, slices, rows,
    columns) bool/uint8 masks (binary, may overlap); float32 probabilities in [0, 1] (fractional: 3-D for
    one segment, 4-D for several). Not copied when C-contiguous.
    metadata: the dict itkimage2segimage reads, checked against seg-schema.json; its segments, flattened,
    pair with the labels' label values (label map) or first axis (masks, probabilities).
    affine: None when the labels are on the source's grid; else the labels' own 4 x 4 (LPS, or RAS with
    from_ras), matched to the source slices as itkimage2segimage matches them.
    Returns sop_instance_uid, series_instance_uid, segments, frames, bytes, path.
    Raises InvalidInput (dtype, shape, NaN, metadata, geometry), UsageError, IOError."""


def read_seg(path: PathLike, reference: Optional[PathLike] = None, merge: bool = True,
             probabilities: bool = True) -> Segmentation:
    """Reads a DICOM Segmentation (binary, fractional or label map; any common transfer syntax).
    reference: the source series' directory, so that the labels span its whole grid. merge: segments that
    do not overlap share one label map. probabilities: fractional values as float32 in [0, 1]."""


def write_pm(array: npt.NDArray[Any], metadata: Dict[str, Any], source: Series, path: PathLike,
             affine: Optional[Affine] = None, from_ras: bool = False,
             pixel_type: Literal["auto", "float32", "float64", "int16", "uint16"] = "auto",
             compress: Literal["none", "deflate", "rle", "jpegls", "jpeg2000", "difc"] = "none") -> Dict[str, Any]:
    """Writes a DICOM Parametric Map from a (slices, rows, columns) array; metadata as itkimage2paramap reads it."""


def read_pm(path: PathLike, real_world_values: bool = False) -> ParametricMap:
    """Reads a DICOM Parametric Map; real_world_values: stored * slope + intercept as floating point."""


def pet_suv(path: Union[PathLike, Sequence[PathLike]],
            suv_type: Literal["bw", "lbm", "lbmjanma", "bsa", "ibw"] = "bw") -> Suv:
    """Standardized Uptake Values of the one PET series under path (the rules of doc/pet2suv.md)."""


def read_sr(path: PathLike) -> Dict[str, Any]:
    """Reads a TID 1500 measurement report into the dict tid1500reader writes."""


def write_sr(report: Dict[str, Any], path: PathLike, context: Optional[PathLike] = None,
             image_library: Optional[PathLike] = None) -> Dict[str, Any]:
    """Writes a TID 1500 report from the dict tid1500writer reads (sr-tid1500-schema.json).
    context: directory of the compositeContext files (the SEGs); image_library: that of the imageLibrary files."""
