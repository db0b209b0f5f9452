#!/usr/bin/python3
"""Analytic phantoms for rtstruct2segimage's accuracy cases
(rtstruct_phantom_cases.py): a CT-like image series and an RT Structure Set
whose ROIs are shapes given by formulas, and the ground-truth mask of each
shape evaluated from its formula at the voxel centres.

Not a driver. Shapes (one ROI each), defined in patient coordinates:
sphere, cube, cylinder, ellipsoid, torus, hollow sphere and straw (a hollow
cylinder open at both ends). The torus, the hollow sphere and the straw have
holes on the image planes: an outer and an inner contour, so a "solid fill"
of the outer contour differs from the truth.

Three series share the shapes: "axial" (identity orientation), "oblique"
(the row and column directions rotated 25 degrees about x, then 20 about y)
and "negated" (column direction -y, slice normal -z). All have non-square pixels and Rows != Columns, so a swapped axis shows.

Contours: on every image plane that cuts a shape, the boundary of the
section, traced by marching squares on a 0.4 mm grid in the plane with
every vertex put on the surface by bisection of the shape's formula (an
exact polygon for the cube). Vertices are at most a cell diagonal (0.57 mm)
apart: ~60 points on the smallest rings, up to ~500 on the largest, and a
chord strays at most ~0.006 mm from the surface. Points are written with 6
decimals and lie on the image planes. The pixel centres are placed
so that no face of the cube passes through one (the half-open edge rule of
doc/rtstruct-rasterization.md would otherwise decide a whole row).

Everything is deterministic (UIDs derived from names).
"""
import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "interop"))
from testdeps import lazy  # noqa: E402  (numpy and pydicom imported on first use)

np = lazy("numpy")
pydicom = lazy("pydicom")

CT_IMAGE = "1.2.840.10008.5.1.4.1.1.2"
RT_STRUCT = "1.2.840.10008.5.1.4.1.1.481.3"
STUDY_COMPONENT = "1.2.840.10008.3.1.2.3.1"  # Detached Study Management (RT Referenced Study)
UID_ROOT = "1.2.826.0.1.3680043.8.498."  # pydicom's root, with entropy sources: deterministic

ROWS, COLUMNS, SLICES = 96, 104, 48
PIXEL_SPACING = (0.95, 0.9)  # (between rows, between columns), mm
SLICE_SPACING = 2.0
# The volume's centre in patient coordinates; the shapes sit near it.
CENTRE = (12.3, -20.7, 35.1)
STEP = 0.4  # marching squares grid step in the plane (mm)


def uid(*parts):
    return pydicom.uid.generate_uid(prefix=UID_ROOT, entropy_srcs=["qidcm-rtstruct-phantom"] + [str(p) for p in parts])


def fmt(v, digits=6):
    s = f"{float(v):.{digits}f}"
    return "0." + "0" * digits if s == "-0." + "0" * digits else s


def rotation(axis, degrees):
    c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    if axis == "x":
        return np.array([[1, 0, 0], [0, c, -s], [0, s, c]], float)
    if axis == "y":
        return np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]], float)
    return np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]], float)


# ---------------------------------------------------------------- geometry

class Geometry:
    """An image grid: row direction (increasing column index i), column
    direction (increasing row index j), normal, Image Position (Patient) of
    every slice k, spacings (column i, row j, slice k) in mm; size
    (columns, rows, slices). Values are those written to the files (rounded
    as written), so the ground truth sees the numbers the tools read."""

    def __init__(self, row_dir, col_dir, origin, pixel_spacing, slice_spacing, rows, columns, slices):
        self.row_dir = np.array([float(fmt(v, 8)) for v in row_dir])
        self.col_dir = np.array([float(fmt(v, 8)) for v in col_dir])
        self.normal = np.cross(self.row_dir, self.col_dir)
        self.pixel_spacing = tuple(float(v) for v in pixel_spacing)  # (row spacing, column spacing)
        self.spacing = (self.pixel_spacing[1], self.pixel_spacing[0], float(slice_spacing))
        self.size = (int(columns), int(rows), int(slices))
        origin = np.asarray(origin, float)
        self.positions = np.array([[float(fmt(v)) for v in origin + k * slice_spacing * self.normal]
                                   for k in range(slices)])

    @property
    def origin(self):
        return self.positions[0]

    @property
    def orientation(self):
        return np.concatenate([self.row_dir, self.col_dir])

    def centres(self):
        """Patient coordinates of the voxel centres, (slices, rows, columns, 3)."""
        cols, rows, _ = self.size
        i = np.arange(cols) * self.spacing[0]
        j = np.arange(rows) * self.spacing[1]
        inplane = j[:, None, None] * self.col_dir + i[None, :, None] * self.row_dir  # (rows, cols, 3)
        return self.positions[:, None, None, :] + inplane[None]

    def grid(self):
        """The grid as a qidcm-test-imagedump JSON dict (seg_common.to_grid)."""
        return {"size": list(self.size), "origin": self.origin.tolist(), "spacing": list(self.spacing),
                "direction": [self.row_dir.tolist(), self.col_dir.tolist(), self.normal.tolist()]}

    def voxel_volume(self):
        return self.spacing[0] * self.spacing[1] * self.spacing[2]


def series_geometry(name):
    """The geometry of the "axial", "oblique" or "negated" phantom series, centred on CENTRE."""
    if name == "axial":
        r = np.eye(3)
    elif name == "oblique":
        r = rotation("y", 20) @ rotation("x", 25)
    elif name == "negated":
        # rows run posterior to anterior, slices foot to head reversed (normal -z)
        r = np.array([[1.0, 0, 0], [0, -1.0, 0], [0, 0, -1.0]])
    else:
        raise ValueError(f"unknown series {name!r}")
    row_dir, col_dir, normal = r[:, 0], r[:, 1], r[:, 2]
    half = ((COLUMNS - 1) * PIXEL_SPACING[1] / 2, (ROWS - 1) * PIXEL_SPACING[0] / 2, (SLICES - 1) * SLICE_SPACING / 2)
    origin = np.array(CENTRE) - half[0] * row_dir - half[1] * col_dir - half[2] * normal
    return Geometry(row_dir, col_dir, origin, PIXEL_SPACING, SLICE_SPACING, ROWS, COLUMNS, SLICES)


# ---------------------------------------------------------------- shapes

class Shape:
    """name, ROI interpreted type, display colour, f (patient points (..., 3) ->
    value, inside where <= 0), bounding radius about centre, analytic volume
    (mm^3), hollow (holes on the planes), and outer: the solid whose section is
    the outer contour alone on axial planes (for hollow shapes)."""

    def __init__(self, name, kind, colour, centre, radius, volume, f, hollow=False, outer=None, section=None):
        self.name, self.kind, self.colour = name, kind, colour
        self.centre, self.radius, self.volume = np.array(centre, float), radius, volume
        self.f, self.hollow, self.outer, self._section = f, hollow, outer, section

    def truth(self, geometry):
        """Ground truth: voxel centres inside, (slices, rows, columns) bool."""
        return self.f(geometry.centres()) <= 0

    def outer_truth(self, geometry):
        return self.outer(geometry.centres()) <= 0

    def rings(self, geometry, k):
        """The section of the shape by image plane k: closed rings, each an
        (n, 3) array of patient points (not repeating the first)."""
        if self._section is not None:
            return self._section(geometry, k)
        return marching_rings(self.f, geometry, k, self.centre, self.radius)


def _d(p, c):
    return np.asarray(p, float) - c


def sphere(c, r):
    return lambda p: np.linalg.norm(_d(p, c), axis=-1) - r


def cylinder_z(c, r, h):
    def f(p):
        d = _d(p, c)
        return np.maximum(np.hypot(d[..., 0], d[..., 1]) - r, np.abs(d[..., 2]) - h)
    return f


def make_shapes():
    c = np.array(CENTRE) + (0.31, -0.17, 0.23)
    shapes = []

    shapes.append(Shape("sphere", "ORGAN", (230, 80, 60), c, 20.5, 4 / 3 * math.pi * 20 ** 3, sphere(c, 20.0)))

    h = 15.2
    cube_centre = np.array(CENTRE) + (0.1, 0.0, -1.0)  # faces 0.25-0.5 voxel from centres

    def cube(p):
        return np.max(np.abs(_d(p, cube_centre)), axis=-1) - h

    shapes.append(Shape("cube", "ORGAN", (80, 200, 90), cube_centre, h * math.sqrt(3) + 1, (2 * h) ** 3, cube,
                        section=lambda g, k: box_section(g, k, cube_centre, h)))

    shapes.append(Shape("cylinder", "ORGAN", (70, 110, 230), c, math.hypot(16, 19) + 1, math.pi * 16 ** 2 * 38,
                        cylinder_z(c, 16.0, 19.0)))

    axes = np.array([24.0, 15.0, 19.0])

    def ellipsoid(p):
        return np.linalg.norm(_d(p, c) / axes, axis=-1) - 1

    shapes.append(Shape("ellipsoid", "GTV", (220, 200, 60), c, 25.0, 4 / 3 * math.pi * axes.prod(), ellipsoid))

    big, small = 18.0, 7.0

    def torus(p):
        d = _d(p, c)
        return np.hypot(np.hypot(d[..., 0], d[..., 1]) - big, d[..., 2]) - small

    def torus_outer(p):
        d = _d(p, c)
        reach = big + np.sqrt(np.maximum(small ** 2 - d[..., 2] ** 2, 0))
        return np.maximum(np.hypot(d[..., 0], d[..., 1]) - reach, np.abs(d[..., 2]) - small)

    shapes.append(Shape("torus", "ORGAN", (200, 90, 210), c, big + small + 1, 2 * math.pi ** 2 * big * small ** 2,
                        torus, hollow=True, outer=torus_outer))

    ro, ri = 22.0, 14.0

    def hollow_sphere(p):
        n = np.linalg.norm(_d(p, c), axis=-1)
        return np.maximum(n - ro, ri - n)

    shapes.append(Shape("hollow_sphere", "GTV", (60, 200, 200), c, ro + 1, 4 / 3 * math.pi * (ro ** 3 - ri ** 3),
                        hollow_sphere, hollow=True, outer=sphere(c, ro)))

    so, si, sh = 15.0, 10.0, 22.0

    def straw(p):
        d = _d(p, c)
        rho = np.hypot(d[..., 0], d[..., 1])
        return np.maximum(np.maximum(rho - so, si - rho), np.abs(d[..., 2]) - sh)

    shapes.append(Shape("straw", "ORGAN", (240, 150, 40), c, math.hypot(so, sh) + 1,
                        math.pi * (so ** 2 - si ** 2) * 2 * sh, straw, hollow=True, outer=cylinder_z(c, so, sh)))
    return {s.name: s for s in shapes}


SHAPE_NAMES = ["sphere", "cube", "cylinder", "ellipsoid", "torus", "hollow_sphere", "straw"]
HOLLOW = ["torus", "hollow_sphere", "straw"]


# ---------------------------------------------------------------- sections

def box_section(geometry, k, centre, h):
    """The exact section of an axis-aligned cube by plane k: the plane's
    crossings with the 12 edges, in order around their centroid (one ring, or
    none when the plane misses the cube)."""
    o, n = geometry.positions[k], geometry.normal
    corners = np.array([[sx, sy, sz] for sx in (-h, h) for sy in (-h, h) for sz in (-h, h)]) + centre
    s = (corners - o) @ n
    points = []
    for a in range(8):
        for b in range(a + 1, 8):
            if np.count_nonzero(corners[a] != corners[b]) != 1:
                continue  # not an edge
            if (s[a] < 0) != (s[b] < 0):
                t = s[a] / (s[a] - s[b])
                points.append(corners[a] + t * (corners[b] - corners[a]))
    if len(points) < 3:
        return []
    pts = np.array(points)
    m = pts.mean(axis=0)
    u, v = (pts - m) @ geometry.row_dir, (pts - m) @ geometry.col_dir
    return [pts[np.argsort(np.arctan2(v, u))]]


# Marching squares: the cell's corners c0 (a, b), c1 (a+1, b), c2 (a+1, b+1),
# c3 (a, b+1); its edges e0 c0-c1, e1 c1-c2, e2 c3-c2, e3 c0-c3.
_CELL_EDGES = {}
for _case in range(16):
    _inside = [(_case >> q) & 1 for q in range(4)]
    _crossed = [q for q, (x, y) in enumerate([(0, 1), (1, 2), (3, 2), (0, 3)]) if _inside[x] != _inside[y]]
    _CELL_EDGES[_case] = _crossed


def marching_rings(f, geometry, k, centre, radius, step=STEP):
    """Closed rings of f <= 0 on plane k, vertices on the surface (bisection)."""
    o, ru, rv, n = geometry.positions[k], geometry.row_dir, geometry.col_dir, geometry.normal
    dn = float((centre - o) @ n)
    if abs(dn) >= radius:
        return []
    reach = math.sqrt(radius ** 2 - dn ** 2) + 2 * step
    cu, cv = float((centre - o) @ ru), float((centre - o) @ rv)
    m = int(math.ceil(reach / step)) + 1
    # An irrational offset keeps grid nodes off the shapes' symmetry planes.
    us = cu + (np.arange(-m, m + 1) + 0.1234567) * step
    vs = cv + (np.arange(-m, m + 1) + 0.3141593) * step

    def point(u, v):
        return o + np.multiply.outer(u, ru) + np.multiply.outer(v, rv)

    uu, vv = np.meshgrid(us, vs, indexing="ij")  # node (a, b) at (us[a], vs[b])
    inside = f(point(uu, vv)) <= 0
    if not inside.any():
        return []
    nu, nv = inside.shape
    code = (inside[:-1, :-1].astype(np.uint8) | inside[1:, :-1] << 1 | inside[1:, 1:] << 2 | inside[:-1, 1:] << 3)
    active = np.argwhere((code != 0) & (code != 15))
    # Edge ids: e0 of cell (a, b) is horizontal edge (a, b) -> a*nv + b; e2 is (a, b+1);
    # e3 is vertical edge (a, b) -> N + a*nv + b; e1 is (a+1, b).
    big = nu * nv

    def edge_id(a, b, e):
        return (a * nv + b, (a + 1) * nv + b + big, a * nv + b + 1, a * nv + b + big)[e]

    links = {}
    for a, b in active.tolist():
        c = int(code[a, b])
        crossed = _CELL_EDGES[c]
        if len(crossed) == 2:
            pairs = [crossed]
        else:  # saddle: the cell centre decides which corners the contour cuts off
            centre_in = f(point(np.array(us[a] + step / 2), np.array(vs[b] + step / 2))) <= 0
            pairs = [(0, 1), (2, 3)] if bool(centre_in) == bool(c & 1) else [(3, 0), (1, 2)]
        for e, g in pairs:
            x, y = edge_id(a, b, e), edge_id(a, b, g)
            links.setdefault(x, []).append(y)
            links.setdefault(y, []).append(x)
    rings, seen = [], set()
    for start in links:
        if start in seen:
            continue
        ring, prev, cur = [start], None, start
        seen.add(start)
        while True:
            nxt = links[cur][0] if links[cur][0] != prev else links[cur][1]
            if nxt == start:
                break
            if nxt in seen:
                raise AssertionError(f"marching squares: ring does not close on plane {k}")
            ring.append(nxt)
            seen.add(nxt)
            prev, cur = cur, nxt
        if len(ring) >= 3:
            rings.append(ring)
    out = []
    for ring in rings:
        ids = np.array(ring)
        vertical = ids >= big
        rem = ids - big * vertical
        a, b = rem // nv, rem % nv
        a2, b2 = a + (~vertical), b + vertical
        p0, p1 = point(us[a], vs[b]), point(us[a2], vs[b2])
        in0 = f(p0) <= 0
        lo, hi = np.where(in0[:, None], p0, p1), np.where(in0[:, None], p1, p0)  # lo inside, hi outside
        for _ in range(32):
            mid = (lo + hi) / 2
            mid_in = (f(mid) <= 0)[:, None]
            lo, hi = np.where(mid_in, mid, lo), np.where(mid_in, hi, mid)
        out.append((lo + hi) / 2)
    return out


# ---------------------------------------------------------------- writing

PATIENT = {"PatientName": "Phantom^Analytic", "PatientID": "QIDCM-PHANTOM", "PatientBirthDate": "",
           "PatientSex": "O"}


def _file(path, sop_class, sop_instance, attributes):
    meta = pydicom.dataset.FileMetaDataset()
    meta.MediaStorageSOPClassUID = sop_class
    meta.MediaStorageSOPInstanceUID = sop_instance
    meta.TransferSyntaxUID = pydicom.uid.ExplicitVRLittleEndian
    meta.ImplementationClassUID = UID_ROOT + "1"
    ds = pydicom.dataset.FileDataset(path, {}, file_meta=meta, preamble=b"\0" * 128)
    ds.is_little_endian, ds.is_implicit_VR = True, False
    ds.SpecificCharacterSet = "ISO_IR 100"
    ds.SOPClassUID, ds.SOPInstanceUID = sop_class, sop_instance
    for k, v in attributes.items():
        setattr(ds, k, v)
    ds.save_as(path, write_like_original=False)


def _item(**kw):
    d = pydicom.dataset.Dataset()
    for k, v in kw.items():
        setattr(d, k, v)
    return d


def contour_data(item, ring):
    """Sets Contour Data (3006,0050) as the bytes of its value: pydicom's DS
    conversion of ~10^5 numbers would take most of a case's time."""
    text = "\\".join(fmt(v) for v in np.asarray(ring).reshape(-1))
    if len(text) % 2:
        text += " "
    if len(text) > 0xFFFE:  # the 16-bit length of DS in Explicit VR
        raise ValueError(f"a contour of {len(ring)} points does not fit in one DS value ({len(text)} bytes)")
    tag = pydicom.tag.Tag(0x3006, 0x0050)
    item[tag] = pydicom.dataelem.RawDataElement(tag, "DS", len(text), text.encode("ascii"), 0, False, True)


class Phantom:
    """What write() wrote: ct (directory), rs (file), geometry, shapes (name ->
    Shape), study/series/frame UIDs, images [(SOP Instance UID)] by slice."""


def write(directory, series, names, tag=None):
    """Writes the series ("axial", "oblique" or "negated") under directory/ct, one file per
    slice, and an RT Structure Set with the named shapes (one ROI each) as
    directory/rs.dcm. Returns a Phantom."""
    tag = tag or series
    all_shapes = make_shapes()
    shapes = {n: all_shapes[n] for n in names}
    g = series_geometry(series)
    ph = Phantom()
    ph.geometry, ph.shapes, ph.series = g, shapes, series
    ph.ct, ph.rs = os.path.join(directory, "ct"), os.path.join(directory, "rs.dcm")
    os.makedirs(ph.ct, exist_ok=True)
    ph.study, ph.series_uid, ph.frame = uid(tag, "study"), uid(tag, "series"), uid(tag, "frame")
    ph.images = [uid(tag, "image", k) for k in range(g.size[2])]
    common = dict(PATIENT, StudyInstanceUID=ph.study, StudyDate="20240101", StudyTime="120000", StudyID="1",
                  AccessionNumber="", ReferringPhysicianName="", Manufacturer="qidcm test phantom",
                  FrameOfReferenceUID=ph.frame, PositionReferenceIndicator="")

    # CT pixels: 40 HU background, +100 per shape holding the voxel centre.
    pixels = np.full(tuple(reversed(g.size)), -1000, np.int16)
    body = np.zeros(pixels.shape, np.int16)
    for s in shapes.values():
        body += s.truth(g).astype(np.int16)
    pixels = np.where(body > 0, 40 + 100 * body, pixels).astype(np.int16)
    orientation = [fmt(v, 8) for v in g.orientation]
    for k in range(g.size[2]):
        ipp = [fmt(v) for v in g.positions[k]]
        attrs = dict(common, Modality="CT", SeriesInstanceUID=ph.series_uid, SeriesNumber="1",
                     SeriesDescription=f"analytic phantom, {series}", InstanceNumber=str(k + 1),
                     ImageType=["ORIGINAL", "PRIMARY", "AXIAL"], AcquisitionNumber="1", KVP="120",
                     ImagePositionPatient=ipp, ImageOrientationPatient=orientation,
                     SliceLocation=fmt(float(g.positions[k] @ g.normal)),
                     PixelSpacing=[fmt(v) for v in g.pixel_spacing], SliceThickness=fmt(g.spacing[2]),
                     SpacingBetweenSlices=fmt(g.spacing[2]),
                     Rows=g.size[1], Columns=g.size[0], SamplesPerPixel=1, PhotometricInterpretation="MONOCHROME2",
                     BitsAllocated=16, BitsStored=16, HighBit=15, PixelRepresentation=1,
                     RescaleIntercept="0", RescaleSlope="1", RescaleType="HU",
                     PixelData=pixels[k].astype("<i2").tobytes())
        _file(os.path.join(ph.ct, f"ct_{k + 1:03d}.dcm"), CT_IMAGE, ph.images[k], attrs)

    def image_ref(k):
        return _item(ReferencedSOPClassUID=CT_IMAGE, ReferencedSOPInstanceUID=ph.images[k])

    rois, contours, observations = [], [], []
    ph.contour_counts = {}
    for number, (name, s) in enumerate(shapes.items(), start=1):
        rois.append(_item(ROINumber=str(number), ReferencedFrameOfReferenceUID=ph.frame, ROIName=name,
                          ROIGenerationAlgorithm="AUTOMATIC", ROIGenerationDescription="qidcm analytic phantom"))
        items = []
        for k in range(g.size[2]):
            for ring in s.rings(g, k):
                item = _item(ContourImageSequence=pydicom.sequence.Sequence([image_ref(k)]),
                             ContourGeometricType="CLOSED_PLANAR", NumberOfContourPoints=str(len(ring)),
                             ContourNumber=str(len(items) + 1))
                contour_data(item, ring)
                items.append(item)
        ph.contour_counts[name] = len(items)
        contours.append(_item(ROIDisplayColor=[str(v) for v in s.colour], ReferencedROINumber=str(number),
                              ContourSequence=pydicom.sequence.Sequence(items)))
        observations.append(_item(ObservationNumber=str(number), ReferencedROINumber=str(number),
                                  RTROIInterpretedType=s.kind, ROIInterpreter=""))
    referenced = _item(
        FrameOfReferenceUID=ph.frame,
        RTReferencedStudySequence=pydicom.sequence.Sequence([_item(
            ReferencedSOPClassUID=STUDY_COMPONENT, ReferencedSOPInstanceUID=ph.study,
            RTReferencedSeriesSequence=pydicom.sequence.Sequence([_item(
                SeriesInstanceUID=ph.series_uid,
                ContourImageSequence=pydicom.sequence.Sequence([image_ref(k) for k in range(g.size[2])]))]))]))
    common.pop("FrameOfReferenceUID")
    common.pop("PositionReferenceIndicator")
    attrs = dict(common, Modality="RTSTRUCT", SeriesInstanceUID=uid(tag, "rtstruct-series"), SeriesNumber="2",
                 SeriesDescription=f"analytic shapes, {series}", InstanceNumber="1",
                 StructureSetLabel="phantom", StructureSetName=f"analytic shapes {series}",
                 StructureSetDate="20240101", StructureSetTime="120000",
                 ReferencedFrameOfReferenceSequence=pydicom.sequence.Sequence([referenced]),
                 StructureSetROISequence=pydicom.sequence.Sequence(rois),
                 ROIContourSequence=pydicom.sequence.Sequence(contours),
                 RTROIObservationsSequence=pydicom.sequence.Sequence(observations))
    _file(ph.rs, RT_STRUCT, uid(tag, "rtstruct", *names), attrs)
    return ph


if __name__ == "__main__":
    # rtstruct_phantoms.py DIR SERIES [SHAPE...]: writes a phantom (for looking at it).
    out = write(sys.argv[1], sys.argv[2], sys.argv[3:] or SHAPE_NAMES)
    print(f"{out.ct} ({out.geometry.size}), {out.rs}: {out.contour_counts}")
