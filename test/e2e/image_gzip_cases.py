#!/usr/bin/python3
"""gzip-compressed image output (NRRD, NIfTI .nii.gz), compressed by qidcm on both cores.

The readers write their images as one gzip member made of independently
compressed 1 MB blocks (libsrc/image/gzip_writer.h). The inputs here span
dozens of blocks, zero blocks among them. Each case checks that the file is
  - read by ITK's own reader (qidcm-test-itkread: NrrdImageIO or NiftiImageIO,
    not qidcm's code) into the input's voxels and geometry;
  - one gzip member: Python's zlib, which stops after the first member, inflates
    the whole data and reaches its end; `gzip -t` passes;
  - for NIfTI, read by nibabel into the input's voxels, with the input's
    geometry as an RAS affine.

Usage: image_gzip_cases.py --list | <case> --bin <build/apps> --tools <dir> --work <dir>
"""
import driver  # the common command line (test/e2e/driver.py)
import json
import os
import subprocess
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "test", "interop"))
from testdeps import lazy  # noqa: E402  (test-only packages, imported on first use)

np = lazy("numpy")
nib = lazy("nibabel")

problems = []


def problem(text):
    problems.append(text)
    print("FAIL: " + text)


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode:
        raise SystemExit(f"FAIL: {' '.join(cmd)} exited {r.returncode}\n{r.stdout}{r.stderr}")
    return r


ITK_TYPES = {"float": "<f4", "double": "<f8", "unsigned_char": "<u1", "char": "<i1", "short": "<i2",
             "unsigned_short": "<u2", "int": "<i4", "unsigned_int": "<u4"}


def dump(ctx, tool, path, name):
    j, raw = os.path.join(ctx.work, name + ".json"), os.path.join(ctx.work, name + ".raw")
    run([os.path.join(ctx.tools, tool), path, j, raw])
    meta = json.load(open(j))
    dtype = meta["dtype"] if tool == "qidcm-test-imagedump" else ITK_TYPES[meta["dtype"]]
    return meta, np.fromfile(raw, dtype=dtype)


def gzip_data(path):
    """The gzip stream of an image file: the whole .nii.gz, or what follows a NRRD's header."""
    data = open(path, "rb").read()
    if path.endswith(".nrrd"):
        end = data.index(b"\n\n") + 2
        header = data[:end].decode()
        if "encoding: gzip" not in header:
            problem(f"{path}: header does not say 'encoding: gzip'")
        return data[end:]
    return data


def check_file(ctx, path, input_meta, input_voxels):
    name = os.path.basename(path)
    # ITK's own reader
    meta, voxels = dump(ctx, "qidcm-test-itkread", path, "itk-" + name)
    print(f"{name}: ITK {meta['reader']} reads {meta['size']} {meta['dtype']}")
    if meta["size"][:3] != input_meta["size"] or not np.array_equal(voxels, input_voxels):
        problem(f"{name}: ITK's {meta['reader']} reads other voxels than the input")
    for key in ("spacing", "origin"):
        if not np.allclose(meta[key][:3], input_meta[key], atol=1e-4):
            problem(f"{name}: ITK reads {key} {meta[key]}, the input has {input_meta[key]}")
    if not np.allclose(np.array(meta["direction"])[:3, :3], np.array(input_meta["direction"]), atol=1e-6):
        problem(f"{name}: ITK reads direction {meta['direction']}")
    # one gzip member, whole
    stream = gzip_data(path)
    z = zlib.decompressobj(31)
    inflated = z.decompress(stream) + z.flush()
    if not z.eof or z.unused_data:
        problem(f"{name}: not one gzip member ({len(z.unused_data)} bytes after the first)")
    expected = input_voxels.nbytes + (0 if path.endswith(".nrrd") else 352)
    if len(inflated) != expected:
        problem(f"{name}: the gzip member inflates to {len(inflated)} bytes, {expected} expected")
    gz = os.path.join(ctx.work, name + ".gz-only.gz")
    with open(gz, "wb") as f:
        f.write(stream)
    if subprocess.run(["gzip", "-t", gz]).returncode:
        problem(f"{name}: gzip -t fails")
    print(f"{name}: one gzip member of {len(stream)} bytes, {len(inflated)} inflated; gzip -t ok")
    # nibabel
    if path.endswith(".nii.gz"):
        img = nib.load(path)
        data = np.asarray(img.dataobj)
        cols, rows, slices = input_meta["size"]
        want = input_voxels.reshape(slices, rows, cols).transpose(2, 1, 0)  # nibabel: (i, j, k)
        if data.shape != want.shape or not np.array_equal(data, want):
            problem(f"{name}: nibabel reads other voxels ({data.shape}) than the input")
        d = np.array(input_meta["direction"], dtype=float).T * np.array(input_meta["spacing"])  # columns: axes
        lps = np.eye(4)
        lps[:3, :3] = d
        lps[:3, 3] = input_meta["origin"]
        ras = np.diag([-1.0, -1.0, 1.0, 1.0]) @ lps
        if not np.allclose(img.affine, ras, atol=1e-3):
            problem(f"{name}: nibabel's affine {img.affine.tolist()} is not the input's {ras.tolist()}")
        print(f"{name}: nibabel {nib.__version__} reads the voxels and the affine")


class Ctx:
    def __init__(self, a):
        self.bin, self.tools = a.bin, a.tools
        self.work = driver.fresh_directory(a.work, "image-gzip", a.case)

    def tool(self, name):
        return os.path.join(self.bin, name)


def synth(ctx):
    case = os.path.join(ctx.work, "case")
    run([ctx.tool("qidcm-synth"), "--outputDirectory", case, "--columns", "256", "--rows", "224", "--slices", "160",
         "--orientation", "oblique", "--segments", "5", "--parametricMap"])
    return case


def case_pm(ctx, out_type):
    case = synth(ctx)
    pmap = os.path.join(case, "pmap.nrrd")
    dcm = os.path.join(ctx.work, "pm.dcm")
    run([ctx.tool("itkimage2paramap"), "--inputImage", pmap, "--inputMetadata", os.path.join(case, "pm-meta.json"),
         "--inputDICOMDirectory", os.path.join(case, "ct"), "--outputDICOM", dcm])
    back = os.path.join(ctx.work, "back")
    run([ctx.tool("paramap2itkimage"), "--inputDICOM", dcm, "--outputDirectory", back, "--outputType", out_type])
    out = os.path.join(back, "pmap" + (".nrrd" if out_type == "nrrd" else ".nii.gz"))
    meta, voxels = dump(ctx, "qidcm-test-imagedump", pmap, "input")
    check_file(ctx, out, meta, voxels)


def case_labels(ctx, out_type):
    case = synth(ctx)
    label = os.path.join(case, "label.nrrd")
    dcm = os.path.join(ctx.work, "seg.dcm")
    run([ctx.tool("itkimage2segimage"), "--inputImageList", label, "--inputMetadata",
         os.path.join(case, "meta.json"), "--inputDICOMDirectory", os.path.join(case, "ct"), "--outputDICOM", dcm,
         "--skip", "0"])
    back = os.path.join(ctx.work, "back")
    run([ctx.tool("segimage2itkimage"), "--inputDICOM", dcm, "--outputDirectory", back, "--mergeSegments",
         "--outputType", out_type])
    out = os.path.join(back, "1" + (".nrrd" if out_type == "nrrd" else ".nii.gz"))
    meta, voxels = dump(ctx, "qidcm-test-imagedump", label, "input")
    check_file(ctx, out, meta, voxels)


CASES = {"pm-nrrd": lambda c: case_pm(c, "nrrd"), "pm-nifti": lambda c: case_pm(c, "nifti"),
         "labels-nrrd": lambda c: case_labels(c, "nrrd"), "labels-nifti": lambda c: case_labels(c, "nifti")}


def main():
    a = driver.case_arguments(CASES)
    CASES[a.case](Ctx(a))
    if problems:
        print(f"FAIL: {len(problems)} problem(s)")
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
