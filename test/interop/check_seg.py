#!/usr/bin/python3
"""Independent check of a DICOM SEG written by qidcm, with pydicom and numpy.

Decodes every frame with pydicom, places it by its Plane Position on the grid
of the input label image(s) (dumped by qidcm-test-imagedump), and compares the
result with the input voxel by voxel. Also checks geometry attributes,
dimension index values and per-frame source references.

Usage: check_seg.py <seg.dcm> <expectations.json>

Expectations (JSON):
  images:    [{"json": dump.json, "raw": dump.raw}, ...]   the input images, in file order
  segments:  {"<number>": [file, label]}                    segment number -> input file and label
                                                            (FRACTIONAL: label = component, 1-based)
  type:      BINARY | LABELMAP | FRACTIONAL
  skip:      true | false                                   frames omitted where a segment is absent
  overlap:   YES | NO (optional)
  sources:   directory of the source images (optional): every frame must reference exactly
             the sources whose plane position equals the frame's
  references: "per-frame" (default) | "shared" | "none"
"""
import json
import os
import sys

import pixel_decode
from check_seg_attributes import check_attributes, check_common_instance_reference
from testdeps import lazy

np = lazy("numpy")
pydicom = lazy("pydicom")

TOL = 1e-3
errors = []


def error(msg):
    errors.append(msg)


class Grid:
    def __init__(self, meta):
        self.size = meta["size"]  # columns, rows, slices
        self.origin = np.array(meta["origin"], dtype=float)
        self.spacing = np.array(meta["spacing"], dtype=float)
        self.direction = np.array(meta["direction"], dtype=float)  # direction[c] = axis c

    def index_of(self, point):
        m = (self.direction * self.spacing[:, None]).T  # columns = axis steps
        return np.linalg.solve(m, np.asarray(point, dtype=float) - self.origin)


def load_image(entry):
    meta = json.load(open(entry["json"]))
    data = np.fromfile(entry["raw"], dtype=np.dtype(meta["dtype"]))
    cols, rows, slices = meta["size"]
    comps = meta["components"]
    if comps == 1:
        data = data.reshape(slices, rows, cols)
    elif meta["planar"]:
        data = data.reshape(comps, slices, rows, cols)
    else:
        data = data.reshape(slices, rows, cols, comps).transpose(3, 0, 1, 2)
    return Grid(meta), data


def floats(v):
    return np.array([float(x) for x in v], dtype=float)


def expected_overlap(images, segmap, seg_type):
    """YES when some voxel position (in patient space, so that inputs with
    shifted origins compare correctly) belongs to two segments, else NO."""
    owners = {}
    for number, (file, label) in segmap.items():
        grid, data = images[file]
        if seg_type == "FRACTIONAL":
            comps = data if data.ndim == 4 else data[None]
            mask = np.rint(np.clip(comps[label - 1].astype(float), 0, 1) * 255) > 0
        else:
            mask = data == label
        k, j, i = np.nonzero(mask)
        if len(k) == 0:
            continue
        m = (grid.direction * grid.spacing[:, None]).T
        points = np.round((grid.origin[:, None] + m @ np.vstack([i, j, k])).T, 2)
        for p in map(tuple, points):
            other = owners.setdefault(p, number)
            if other != number:
                return "YES"
    return "NO"


def main():
    seg_path, exp_path = sys.argv[1], sys.argv[2]
    exp = json.load(open(exp_path))
    ds = pydicom.dcmread(seg_path)
    images = [load_image(e) for e in exp["images"]]
    seg_type = exp["type"]
    segmap = {int(k): v for k, v in exp["segments"].items()}

    sop = {"LABELMAP": "1.2.840.10008.5.1.4.1.1.66.7"}.get(seg_type, "1.2.840.10008.5.1.4.1.1.66.4")
    if ds.SOPClassUID != sop:
        error(f"SOP Class {ds.SOPClassUID}, expected {sop}")
    if ds.Modality != "SEG":
        error(f"Modality {ds.Modality}")
    if ds.SegmentationType != seg_type:
        error(f"SegmentationType {ds.SegmentationType}, expected {seg_type}")
    want_overlap = expected_overlap(images, segmap, seg_type)
    if ds.get("SegmentsOverlap") != want_overlap:
        error(f"SegmentsOverlap {ds.get('SegmentsOverlap')}, but the input segments "
              f"{'do' if want_overlap == 'YES' else 'do not'} overlap")
    if "overlap" in exp and want_overlap != exp["overlap"]:
        error(f"the test case expects overlap {exp['overlap']}, the input says {want_overlap}")

    grid0, _ = images[0]
    if int(ds.Rows) != grid0.size[1] or int(ds.Columns) != grid0.size[0]:
        error(f"Rows/Columns {ds.Rows}x{ds.Columns} differ from the image {grid0.size[1]}x{grid0.size[0]}")
    shared = ds.SharedFunctionalGroupsSequence[0]
    iop = floats(shared.PlaneOrientationSequence[0].ImageOrientationPatient)
    if not np.allclose(iop, np.concatenate([grid0.direction[0], grid0.direction[1]]), atol=1e-4):
        error(f"ImageOrientationPatient {iop} differs from the image direction")
    pm = shared.PixelMeasuresSequence[0]
    ps = floats(pm.PixelSpacing)
    if not np.allclose(ps, [grid0.spacing[1], grid0.spacing[0]], rtol=1e-5):
        error(f"PixelSpacing {ps} is not (row spacing, column spacing) = ({grid0.spacing[1]}, {grid0.spacing[0]})")
    if not np.isclose(float(pm.SpacingBetweenSlices), grid0.spacing[2], rtol=1e-5):
        error(f"SpacingBetweenSlices {pm.SpacingBetweenSlices} != {grid0.spacing[2]}")

    # Segment Sequence
    numbers = [int(s.SegmentNumber) for s in ds.SegmentSequence]
    described = sorted(segmap)
    listed = [n for n in numbers if not (seg_type == "LABELMAP" and n == 0)]
    if sorted(listed) != described:
        error(f"Segment Numbers {numbers}, expected {described}")
    if seg_type != "LABELMAP" and numbers != list(range(1, len(numbers) + 1)):
        error(f"Segment Numbers {numbers} do not run 1..N in order")

    frames = int(ds.NumberOfFrames)
    pffg = ds.PerFrameFunctionalGroupsSequence
    if len(pffg) != frames:
        error(f"{len(pffg)} per-frame items for NumberOfFrames {frames}")
    pixels = np.stack(pixel_decode.frames(ds, seg_path))
    if pixels.shape[0] != frames:
        error(f"pixel data decodes to {pixels.shape[0]} frames, expected {frames}")

    # Dimension index values: position index consistent with positions.
    pos_of_index = {}
    index_of_pos = {}
    sources = {}
    series_of = {}
    if exp.get("sources"):
        for root, _, files in os.walk(exp["sources"]):
            for name in files:
                try:
                    s = pydicom.dcmread(os.path.join(root, name), stop_before_pixels=True)
                except Exception:
                    continue
                if "SOPClassUID" not in s or s.SOPClassUID.startswith("1.2.840.10008.5.1.4.1.1.66") \
                        or "Rows" not in s:
                    continue  # not a source image (e.g. the SEG under test)
                series_of[s.SOPInstanceUID] = (s.SeriesInstanceUID, s.StudyInstanceUID, s.SOPClassUID)
                if "ImagePositionPatient" in s:
                    iop = floats(s.ImageOrientationPatient)
                    sources[s.SOPInstanceUID] = (floats(s.ImagePositionPatient), np.cross(iop[:3], iop[3:]))
                elif "PerFrameFunctionalGroupsSequence" in s:
                    sh = s.SharedFunctionalGroupsSequence[0]
                    for n, item in enumerate(s.PerFrameFunctionalGroupsSequence):
                        po = item if "PlaneOrientationSequence" in item else sh
                        iop = floats(po.PlaneOrientationSequence[0].ImageOrientationPatient)
                        sources[(s.SOPInstanceUID, n + 1)] = (
                            floats(item.PlanePositionSequence[0].ImagePositionPatient), np.cross(iop[:3], iop[3:]))

    recon = {}
    placed = set()
    referenced = set()
    refs_total = 0
    for f, item in enumerate(pffg):
        ipp = floats(item.PlanePositionSequence[0].ImagePositionPatient)
        if seg_type == "LABELMAP":
            number = 0
            file = 0
        else:
            number = int(item.SegmentIdentificationSequence[0].ReferencedSegmentNumber)
            if number not in segmap:
                error(f"frame {f + 1} references segment {number}, not described")
                continue
            file = segmap[number][0]
        grid, data = images[file]
        idx = grid.index_of(ipp)
        k = int(round(idx[2]))
        if abs(idx[0]) > TOL or abs(idx[1]) > TOL or abs(idx[2] - k) > TOL or not 0 <= k < grid.size[2]:
            error(f"frame {f + 1} position {ipp} is not on a slice of the image grid (index {idx})")
            continue
        if (number, file, k) in placed:
            error(f"frame {f + 1} duplicates segment {number} at slice {k}")
        placed.add((number, file, k))
        dim = [int(v) for v in item.FrameContentSequence[0].DimensionIndexValues]
        if seg_type != "LABELMAP" and dim[0] != number:
            error(f"frame {f + 1} DimensionIndexValues {dim} do not start with its segment {number}")
        key = tuple(np.round(ipp, 3))
        p = dim[-1]
        if key in index_of_pos and index_of_pos[key] != p:
            error(f"position {key} has dimension index {p} in frame {f + 1} but {index_of_pos[key]} elsewhere")
        index_of_pos[key] = p
        pos_of_index.setdefault(p, key)
        if pos_of_index[p] != key:
            error(f"dimension index {p} names two positions: {pos_of_index[p]} and {key}")
        recon.setdefault((number, file), {})[k] = pixels[f]
        # references
        mode = exp.get("references", "per-frame")
        has = "DerivationImageSequence" in item
        if mode == "per-frame" and sources:
            # sources in the frame's plane: parallel, and at the same distance along the normal
            normal = np.cross(grid0.direction[0], grid0.direction[1])
            want = {uid for uid, (pos, n) in sources.items()
                    if abs(abs(np.dot(n, normal)) - 1) < 1e-4 and abs(np.dot(normal, pos - ipp)) < 1e-3}
            got = set()
            if has:
                for src in item.DerivationImageSequence[0].SourceImageSequence:
                    uid = src.ReferencedSOPInstanceUID
                    if "ReferencedFrameNumber" in src:
                        uid = (uid, int(src.ReferencedFrameNumber))
                    got.add(uid)
            refs_total += len(got)
            referenced.update(u if isinstance(u, str) else u[0] for u in got)
            if got != want:
                error(f"frame {f + 1} at {ipp} references {len(got)} source(s), {len(want)} lie in its plane")
        elif mode != "per-frame" and has:
            error(f"frame {f + 1} has a per-frame Derivation Image Sequence")
    if sorted(pos_of_index) != list(range(1, len(pos_of_index) + 1)):
        error(f"position dimension index values {sorted(pos_of_index)} are not 1..N")
    if exp.get("references") == "shared":
        if "DerivationImageSequence" not in shared:
            error("no shared Derivation Image Sequence")
        elif sources:
            got = {s.ReferencedSOPInstanceUID for s in shared.DerivationImageSequence[0].SourceImageSequence}
            want = {u if isinstance(u, str) else u[0] for u in sources}
            if got != want:
                error(f"the shared Derivation Image Sequence lists {len(got)} instances, the sources are {len(want)}")
            check_common_instance_reference(ds, want, series_of, exp.get("primary_study"), error)

    if exp.get("metadata"):
        check_attributes(ds, json.load(open(exp["metadata"])), segmap, exp, error)
    if exp.get("references", "per-frame") == "per-frame" and sources:
        check_common_instance_reference(ds, referenced, series_of, exp.get("primary_study"), error)

    # Voxel comparison
    if seg_type == "LABELMAP":
        grid, _ = images[0]
        cols, rows, slices = grid.size
        got = np.zeros((slices, rows, cols), dtype=np.int64)
        for k, frame in recon.get((0, 0), {}).items():
            got[k] = frame
        want = np.zeros_like(got)
        for number, (file, label) in segmap.items():
            want[images[file][1] == label] = number
        if not np.array_equal(got, want):
            diff = np.argwhere(got != want)
            error(f"label map differs from the input in {len(diff)} voxels, first at (k,j,i)={tuple(diff[0])}: "
                  f"{got[tuple(diff[0])]} vs {want[tuple(diff[0])]}")
        empty_frames = [k for k, fr in recon.get((0, 0), {}).items() if not fr.any()]
        if exp.get("skip") and empty_frames and want.any():
            error(f"empty label-map frames written at slices {empty_frames} although empty slices are skipped")
    else:
        for number, (file, label) in segmap.items():
            grid, data = images[file]
            cols, rows, slices = grid.size
            got = np.zeros((slices, rows, cols), dtype=np.int64)
            for k, frame in recon.get((number, file), {}).items():
                got[k] = frame
            if seg_type == "FRACTIONAL":
                comps = data if data.ndim == 4 else data[None]
                want = np.rint(np.clip(comps[label - 1].astype(float), 0, 1) * 255).astype(np.int64)
            else:
                want = (data == label).astype(np.int64)
            cols, rows, slices = grid.size
            if not np.array_equal(got, want):
                diff = np.argwhere(got != want)
                error(f"segment {number} differs from label {label} of image {file} in {len(diff)} voxels, "
                      f"first at (k,j,i)={tuple(diff[0])}")
            frames_here = recon.get((number, file), {})
            if exp.get("skip"):
                for k, fr in frames_here.items():
                    if not fr.any() and any(want.reshape(slices, -1).any(axis=1)):
                        error(f"segment {number} has an empty frame at slice {k} although empty slices are skipped")
            elif len(frames_here) != slices:
                error(f"segment {number} has {len(frames_here)} frames for {slices} slices with --skip 0")

    if errors:
        for e in errors[:20]:
            print("check_seg: " + e, file=sys.stderr)
        print(f"check_seg: {len(errors)} problem(s) in {seg_path}", file=sys.stderr)
        return 1
    print(f"check_seg: {seg_path}: {frames} frames, {len(numbers)} segments, voxels equal the input, "
          f"{refs_total} per-frame references checked")
    return 0


if __name__ == "__main__":
    sys.exit(main())
