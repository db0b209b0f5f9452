"""Fixtures of the Python module's tests (pytest, run by ctest as python.*).

Environment (set by test/CMakeLists.txt): PYTHONPATH holds the built package
(<build>/python), QIDCM_BIN the tools, QIDCM_WORK a work directory.
"""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "test", "interop"))
sys.path.insert(0, os.path.join(ROOT, "test", "e2e"))
BIN = os.environ.get("QIDCM_BIN", os.path.join(ROOT, "build", "apps"))
WORK = os.environ.get("QIDCM_WORK", os.path.join(ROOT, "build", "test-work", "python"))
SHARED = os.path.join(os.path.dirname(ROOT), "shared", "data")


def tool(name):
    return os.path.join(BIN, name)


def run(*cmd):
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True)
    if r.returncode:
        raise AssertionError(f"{' '.join(map(str, cmd))} exited {r.returncode}: {r.stderr.strip()}")
    return r


def dciodvfy(path, labelmap=False):
    """dicom3tools' dciodvfy finds no error in the file (test/interop/dciodvfy_check.py)."""
    run(sys.executable, os.path.join(ROOT, "test", "interop", "dciodvfy_check.py"), path,
        *(["--labelmap"] if labelmap else []))


@pytest.fixture
def work(request):
    d = os.path.join(WORK, request.node.name.replace("[", "-").replace("]", ""))
    subprocess.run(["rm", "-rf", d])
    os.makedirs(d)
    return d


class Case:
    """A qidcm-synth case: CT series, label image, metadata; the labels as (slices, rows, columns)."""

    def __init__(self, d, args):
        run(tool("qidcm-synth"), "--outputDirectory", d, *args)
        self.dir, self.ct = d, os.path.join(d, "ct")
        self.label_path = os.path.join(d, "label.nrrd")
        self.meta_path = os.path.join(d, "meta.json")
        self.meta = json.load(open(self.meta_path))
        self.labels = read_nrrd(self.label_path)
        self.affine = nrrd_affine(self.label_path)


def nrrd_affine(path):
    """The NRRD's 4 x 4 index (i, j, k, 1) -> LPS affine."""
    with open(path, "rb") as f:
        head = f.read(4096).partition(b"\n\n")[0].decode(errors="replace")
    fields = dict(l.split(": ", 1) for l in head.splitlines()[1:] if ": " in l)
    axes = [[float(v) for v in a.strip("()").split(",")] for a in fields["space directions"].split()]
    origin = [float(v) for v in fields["space origin"].strip("()").split(",")]
    a = np.eye(4)
    for c in range(3):
        a[:3, c] = axes[c]
    a[:3, 3] = origin
    return a


def read_nrrd(path):
    """A raw or gzip NRRD as qidcm-synth writes it: (slices, rows, columns)."""
    import gzip
    with open(path, "rb") as f:
        data = f.read()
    head, _, body = data.partition(b"\n\n")
    fields = dict(l.split(": ", 1) for l in head.decode().splitlines()[1:] if ": " in l)
    dtype = {"uchar": "u1", "unsigned char": "u1", "short": "<i2", "ushort": "<u2", "unsigned short": "<u2",
             "int": "<i4", "float": "<f4", "uint8": "u1", "uint16": "<u2", "int16": "<i2"}[fields["type"]]
    if fields.get("encoding") == "gzip":
        body = gzip.decompress(body)
    sizes = [int(x) for x in fields["sizes"].split()]
    return np.frombuffer(body, dtype=dtype).reshape(sizes[::-1]).copy()


@pytest.fixture(scope="session")
def synth_case(tmp_path_factory):
    d = os.path.join(WORK, "cases", "small")
    subprocess.run(["rm", "-rf", d])
    os.makedirs(os.path.dirname(d), exist_ok=True)
    return Case(d, ["--segments", "4", "--seed", "2", "--columns", "64", "--rows", "48", "--slices", "20"])


@pytest.fixture(scope="session")
def oblique_case():
    d = os.path.join(WORK, "cases", "oblique")
    subprocess.run(["rm", "-rf", d])
    os.makedirs(os.path.dirname(d), exist_ok=True)
    return Case(d, ["--segments", "3", "--seed", "4", "--columns", "48", "--rows", "40", "--slices", "16",
                    "--orientation", "oblique"])


def frames_by_segment(path):
    """{(segment, position rounded to 1e-3 mm): 2-D mask} of every frame of a SEG with a voxel, read with
    pydicom (test/interop/seg_decode.py: one fixed decoding path per transfer syntax)."""
    import seg_decode
    d = seg_decode.decode(path)
    out = {}
    for f in d.frames:
        pos = tuple(np.round(f.position, 3))
        if d.seg_type == "LABELMAP":
            for v in np.unique(f.pixels):
                if v and int(v) in d.segments:
                    out[(int(v), pos)] = f.pixels == v
        elif np.any(f.pixels):
            out[(f.number, pos)] = np.asarray(f.pixels) if d.seg_type == "FRACTIONAL" else f.pixels != 0
    return d, out
