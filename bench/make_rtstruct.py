#!/usr/bin/python3
"""A whole-body-like RT Structure Set on an existing image series, for the benchmark.

Reads the series' headers (any orientation; one file per slice), then writes
an RTSTRUCT that references it: --rois ROIs with about --contours
CLOSED_PLANAR contours in all, of about --points points each (uniform in
[0.75, 1.25] x --points), every contour on an image plane. Each ROI lives in
its own cell of a random partition of the image plane, so no two ROIs overlap
(a LABELMAP SEG can hold them); in its cell it is one to four blobs (ellipses
with a few harmonics, rotating slowly along z, an ellipsoid-like profile
across its slices), and a share of the ROIs (--holes) have a hole in every
blob: a second, inner contour on the same plane. An ROI spans as many
slices as it needs to reach its share of the contours (about
contours / rois): one blob without holes spans every slice, four blobs with
holes an eighth of them.

Every contour carries a Contour Image Sequence (its image); the referenced
series lists every image; each ROI has a display colour and an RT ROI
Observations item. The same arguments and series give the same file (UIDs are
derived from the seed and the series UID).

Contour Data is written as raw bytes: the DS values are formatted with numpy
(fixed-point, --decimals digits, at most 16 characters), so the ~18 M values
of the default cost seconds, not minutes.

Usage: make_rtstruct.py --series ct/ --output rs.dcm [--rois 100] [--contours 30000] [--points 200]
                        [--holes 0.2] [--decimals 3] [--seed 1] [--summary summary.json]
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import pydicom
from pydicom.dataelem import RawDataElement
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.tag import Tag
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

RTSTRUCT_CLASS = "1.2.840.10008.5.1.4.1.1.481.3"
STUDY_REFERENCE_CLASS = "1.2.840.10008.3.1.2.3.1"  # Detached Study Management, as RT writers put it
CONTOUR_DATA = Tag(0x3006, 0x0050)
HEADER_TAGS = ["SOPClassUID", "SOPInstanceUID", "StudyInstanceUID", "SeriesInstanceUID", "FrameOfReferenceUID",
               "ImagePositionPatient", "ImageOrientationPatient", "PixelSpacing", "Rows", "Columns", "PatientName",
               "PatientID", "PatientBirthDate", "PatientSex", "StudyDate", "StudyTime", "StudyID",
               "AccessionNumber", "ReferringPhysicianName", "StudyDescription"]


class Series:
    """The image series' geometry and identity, slices sorted along the normal."""

    def __init__(self, directory):
        headers = []
        for root, _, files in os.walk(directory):
            for name in files:
                try:
                    headers.append(pydicom.dcmread(os.path.join(root, name), stop_before_pixels=True,
                                                   specific_tags=HEADER_TAGS))
                except pydicom.errors.InvalidDicomError:
                    continue
        headers = [h for h in headers if "ImagePositionPatient" in h]
        if not headers:
            sys.exit(f"make_rtstruct: no image with Image Position (Patient) under {directory}")
        uids = {h.SeriesInstanceUID for h in headers}
        if len(uids) != 1:
            sys.exit(f"make_rtstruct: {directory} holds {len(uids)} series; give one")
        first = headers[0]
        iop = np.array([float(v) for v in first.ImageOrientationPatient])
        self.row_dir, self.col_dir = iop[:3], iop[3:]  # along the columns (i), along the rows (j)
        normal = np.cross(self.row_dir, self.col_dir)
        headers.sort(key=lambda h: float(np.dot(normal, [float(v) for v in h.ImagePositionPatient])))
        self.headers = headers
        self.first = first
        self.rows, self.columns = int(first.Rows), int(first.Columns)
        self.row_spacing, self.column_spacing = (float(v) for v in first.PixelSpacing)
        self.positions = np.array([[float(v) for v in h.ImagePositionPatient] for h in headers])

    def points(self, k, i, j):
        """Patient coordinates (n, 3) of continuous indices i (column), j (row) on slice k."""
        return (self.positions[k][None, :] + (i * self.column_spacing)[:, None] * self.row_dir[None, :] +
                (j * self.row_spacing)[:, None] * self.col_dir[None, :])


def partition(rng, count, x0, y0, x1, y1):
    """`count` rectangles covering [x0, x1) x [y0, y1): the largest is split, along its longer side, until
    there are enough."""
    cells = [(x0, y0, x1, y1)]
    while len(cells) < count:
        n = max(range(len(cells)), key=lambda c: (cells[c][2] - cells[c][0]) * (cells[c][3] - cells[c][1]))
        a, b, c, d = cells.pop(n)
        f = rng.uniform(0.3, 0.7)
        if c - a >= d - b:
            m = a + f * (c - a)
            cells += [(a, b, m, d), (m, b, c, d)]
        else:
            m = b + f * (d - b)
            cells += [(a, b, c, m), (a, m, c, d)]
    rng.shuffle(cells)
    return cells


def ds_values(values, counts, decimals):
    """Contour Data values: `values` (flat, float) split into contours of `counts` values each, as a list of
    backslash-joined DS byte strings (even length, space-padded), formatted without a Python loop per value."""
    scale = 10 ** decimals
    v = np.rint(values * scale).astype(np.int64)
    negative = v < 0
    a = np.abs(v)
    whole, fraction = a // scale, a % scale
    digits = np.ones(len(v), dtype=np.int64)
    width = 1
    while (whole >= 10 ** width).any():
        digits += whole >= 10 ** width
        width += 1
    if 1 + width + (1 + decimals if decimals else 0) > 16:
        sys.exit("make_rtstruct: a coordinate needs more than 16 characters; lower --decimals")
    # Columns: sign, `width` integer digits (right-aligned), point, `decimals` fraction digits, separator.
    columns = 1 + width + (1 + decimals if decimals else 0) + 1
    chars = np.zeros((len(v), columns), dtype=np.uint8)
    keep = np.zeros((len(v), columns), dtype=bool)
    chars[:, 0], keep[:, 0] = ord("-"), negative
    for c in range(width):
        power = width - 1 - c
        chars[:, 1 + c] = ord("0") + (whole // 10 ** power) % 10
        keep[:, 1 + c] = digits > power
    if decimals:
        chars[:, 1 + width] = ord(".")
        keep[:, 1 + width] = True
        for c in range(decimals):
            chars[:, 2 + width + c] = ord("0") + (fraction // 10 ** (decimals - 1 - c)) % 10
            keep[:, 2 + width + c] = True
    chars[:, -1], keep[:, -1] = ord("\\"), True
    ends = np.cumsum(counts)
    keep[ends - 1, -1] = False  # no separator after a contour's last value
    text = chars[keep].tobytes()
    byte_ends = np.cumsum(keep.sum(axis=1))[ends - 1]
    out, start = [], 0
    for end in byte_ends.tolist():
        value = text[start:end]
        out.append(value + b" " if len(value) % 2 else value)
        start = end
    return out


def blob(points, t, radii, turn, phase, harmonics):
    """Continuous offsets (di, dj) of a blob's outline: an ellipse modulated by a few harmonics, rotated."""
    theta = np.linspace(0.0, 2 * np.pi, points, endpoint=False)
    r = np.ones(points)
    for (order, amplitude), p in zip(harmonics, phase):
        r += amplitude * np.sin(order * theta + p + 3.0 * t)
    angle = turn + 0.6 * t
    x, y = radii[0] * r * np.cos(theta), radii[1] * r * np.sin(theta)
    return x * np.cos(angle) - y * np.sin(angle), x * np.sin(angle) + y * np.cos(angle)


def item(**attributes):
    d = Dataset()
    for k, v in attributes.items():
        setattr(d, k, v)
    return d


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--series", required=True, help="directory of the image series to reference")
    p.add_argument("--output", required=True)
    p.add_argument("--rois", type=int, default=100)
    p.add_argument("--contours", type=int, default=30000, help="about this many contours in all")
    p.add_argument("--points", type=int, default=200, help="mean points per contour")
    p.add_argument("--holes", type=float, default=0.2, help="share of the ROIs with holes")
    p.add_argument("--decimals", type=int, default=3)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--summary", help="also write the counts as JSON here")
    a = p.parse_args()
    started = time.perf_counter()
    rng = np.random.default_rng(a.seed)
    s = Series(a.series)
    slices = len(s.headers)
    first = s.first
    ct_class = str(first.SOPClassUID)

    def uid(*what):
        return generate_uid(entropy_srcs=["qidcm-bench make_rtstruct", str(a.seed), str(first.SeriesInstanceUID)] +
                            [str(w) for w in what])

    # Cells of the in-plane partition (pixel index space, a margin of 5% left free).
    mx, my = 0.05 * s.columns, 0.05 * s.rows
    cells = partition(rng, a.rois, mx, my, s.columns - mx, s.rows - my)
    share = a.contours / a.rois

    ds = Dataset()
    ds.SpecificCharacterSet = "ISO_IR 100"
    ds.InstanceCreationDate, ds.InstanceCreationTime = "20260101", "120000"
    ds.SOPClassUID = RTSTRUCT_CLASS
    ds.SOPInstanceUID = uid("sop")
    ds.StudyDate, ds.StudyTime = first.get("StudyDate", ""), first.get("StudyTime", "")
    ds.AccessionNumber = first.get("AccessionNumber", "")
    ds.Modality = "RTSTRUCT"
    ds.Manufacturer = "qidcm bench (make_rtstruct.py)"
    ds.ReferringPhysicianName = first.get("ReferringPhysicianName", "")
    ds.StudyDescription = first.get("StudyDescription", "")
    ds.SeriesDescription = "Synthetic whole-body structure set"
    ds.OperatorsName = ""
    ds.PatientName = first.get("PatientName", "")
    ds.PatientID = first.get("PatientID", "")
    ds.PatientBirthDate = first.get("PatientBirthDate", "")
    ds.PatientSex = first.get("PatientSex", "")
    ds.StudyInstanceUID = first.StudyInstanceUID
    ds.SeriesInstanceUID = uid("series")
    ds.StudyID = first.get("StudyID", "")
    ds.FrameOfReferenceUID = first.FrameOfReferenceUID
    ds.PositionReferenceIndicator = ""
    ds.SeriesNumber = 900
    ds.InstanceNumber = 1
    ds.StructureSetLabel = "WHOLEBODY"
    ds.StructureSetName = "synthetic whole body"
    ds.StructureSetDate, ds.StructureSetTime = "20260101", "120000"
    images = [item(ReferencedSOPClassUID=ct_class, ReferencedSOPInstanceUID=h.SOPInstanceUID) for h in s.headers]
    ds.ReferencedFrameOfReferenceSequence = Sequence([item(
        FrameOfReferenceUID=first.FrameOfReferenceUID,
        RTReferencedStudySequence=Sequence([item(
            ReferencedSOPClassUID=STUDY_REFERENCE_CLASS, ReferencedSOPInstanceUID=first.StudyInstanceUID,
            RTReferencedSeriesSequence=Sequence([item(SeriesInstanceUID=first.SeriesInstanceUID,
                                                      ContourImageSequence=Sequence(images))]))]))])

    rois, roi_contours, observations = [], [], []
    all_items = []
    totals = dict(contours=0, points=0, holes_rois=0, roi_slices=0)
    for n in range(a.rois):
        number = n + 1
        x0, y0, x1, y1 = cells[n]
        blobs = int(rng.choice([1, 2, 3, 4], p=[0.55, 0.25, 0.1, 0.1]))
        blobs = max(1, min(blobs, int(max(x1 - x0, y1 - y0) // 12)))  # a blob's sub-cell: 12 pixels at least
        holes = bool(rng.random() < a.holes)
        per_slice = blobs * (2 if holes else 1)
        span = int(min(slices, max(3, round(share / per_slice))))
        k0 = int(rng.integers(0, slices - span + 1))
        # Blobs side by side along the cell's longer side, each in its sub-cell.
        horizontal = (x1 - x0) >= (y1 - y0)
        step = ((x1 - x0) if horizontal else (y1 - y0)) / blobs
        shapes = []
        for b in range(blobs):
            bx0, by0 = (x0 + b * step, y0) if horizontal else (x0, y0 + b * step)
            w, h = (step, y1 - y0) if horizontal else (x1 - x0, step)
            # Radii such that the rotated, modulated outline (at most 1.25 x) stays in the sub-cell.
            radius = 0.5 * min(w, h) / 1.3
            shapes.append(dict(centre=(bx0 + w / 2, by0 + h / 2),
                               radii=(radius * rng.uniform(0.55, 1.0), radius * rng.uniform(0.45, 1.0)),
                               turn=rng.uniform(0, np.pi), phase=rng.uniform(0, 2 * np.pi, 3),
                               harmonics=[(2, rng.uniform(0.0, 0.12)), (3, rng.uniform(0.0, 0.08)),
                                          (5, rng.uniform(0.0, 0.05))]))
        contours, coordinates, counts = [], [], []
        for k in range(k0, k0 + span):
            t = (k - k0 + 0.5) / span * 2 - 1  # -1..1 across the ROI's slices
            profile = 0.3 + 0.7 * np.sqrt(max(0.0, 1 - t * t))
            for shape in shapes:
                radii = (shape["radii"][0] * profile, shape["radii"][1] * profile)
                for scale in ((1.0, 0.45) if holes else (1.0,)):
                    count = int(rng.integers(round(0.75 * a.points), round(1.25 * a.points) + 1))
                    di, dj = blob(count, t, (radii[0] * scale, radii[1] * scale), shape["turn"],
                                  shape["phase"], shape["harmonics"])
                    xyz = s.points(k, shape["centre"][0] + di, shape["centre"][1] + dj)
                    coordinates.append(xyz.ravel())
                    counts.append(3 * count)
                    c = item(ContourImageSequence=Sequence([item(ReferencedSOPClassUID=ct_class,
                                                                 ReferencedSOPInstanceUID=s.headers[k].SOPInstanceUID)]),
                             ContourGeometricType="CLOSED_PLANAR", NumberOfContourPoints=count,
                             ContourNumber=len(contours) + 1)
                    contours.append(c)
        texts = ds_values(np.concatenate(coordinates), np.array(counts), a.decimals)
        for c, text in zip(contours, texts):
            c[CONTOUR_DATA] = RawDataElement(CONTOUR_DATA, "DS", len(text), text, 0, False, True)
        all_items += contours
        totals["contours"] += len(contours)
        totals["points"] += sum(counts) // 3
        totals["holes_rois"] += holes
        totals["roi_slices"] += span
        name = f"structure_{number:03d}"
        rois.append(item(ROINumber=number, ReferencedFrameOfReferenceUID=first.FrameOfReferenceUID, ROIName=name,
                         ROIGenerationAlgorithm="AUTOMATIC", ROIGenerationDescription="make_rtstruct.py"))
        roi_contours.append(item(ROIDisplayColor=[int(v) for v in rng.integers(40, 256, 3)],
                                 ReferencedROINumber=number, ContourSequence=Sequence(contours)))
        observations.append(item(ObservationNumber=number, ReferencedROINumber=number, RTROIInterpretedType="ORGAN",
                                 ROIInterpreter=""))
    ds.StructureSetROISequence = Sequence(rois)
    ds.ROIContourSequence = Sequence(roi_contours)
    ds.RTROIObservationsSequence = Sequence(observations)
    ds.ApprovalStatus = "UNAPPROVED"

    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = RTSTRUCT_CLASS
    meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta = meta
    ds.preamble = b"\0" * 128
    # Written as built: without this, pydicom would decode every raw Contour Data value to check its VR.
    ds.is_little_endian, ds.is_implicit_VR = True, False
    for d in [ds] + all_items:
        d.is_little_endian, d.is_implicit_VR = True, False
    for d in _datasets(ds):
        d.set_original_encoding(False, True, d._character_set)
    ds.save_as(a.output, write_like_original=False)

    summary = dict(rows=s.rows, columns=s.columns, slices=slices, rois=a.rois, contours=totals["contours"],
                   points=totals["points"], rois_with_holes=totals["holes_rois"], roi_slices=totals["roi_slices"],
                   bytes=os.path.getsize(a.output), seconds=round(time.perf_counter() - started, 1))
    print(f"rtstruct: {a.output} ({summary['bytes']} bytes): {a.rois} ROIs ({summary['rois_with_holes']} with holes), "
          f"{summary['contours']} contours, {summary['points']} points, {summary['roi_slices']} ROI-slice pairs, "
          f"on {s.columns} x {s.rows} x {slices}; {summary['seconds']} s")
    if a.summary:
        with open(a.summary, "w") as f:
            json.dump(summary, f, indent=1)


def _datasets(d):
    """`d` and every item below it, without decoding raw elements."""
    out, todo = [], [d]
    while todo:
        x = todo.pop()
        out.append(x)
        for tag in x.keys():
            e = x.get_item(tag)
            if not getattr(e, "is_raw", False) and e.VR == "SQ":
                todo += list(e.value)
    return out


if __name__ == "__main__":
    main()
