#!/usr/bin/python3
"""Correctness at TotalSegmentator scale, on a reduced grid: all 117 segments
of the bench's total case on 128x128x150 (extents 10 to 150 slices,
log-uniform), written as a binary SEG and as a label map SEG, read back.

Checks, voxel for voxel and with the geometry (qidcm-compare):
  - segimage2itkimage --mergeSegments on the binary SEG gives back the input
    label image (the segments do not overlap, so one image holds them all);
  - segimage2itkimage on the label map SEG gives back the input;
  - per-segment output: image N holds exactly the voxels of label N (numpy).
The number of frames of the binary SEG equals the generator's count of
non-empty (segment, slice) pairs.

Usage: scale_roundtrip.py --bin <build/apps> --tools <dir> --work <dir>
"""
import argparse
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "interop"))
from testdeps import lazy  # noqa: E402  (test-only packages, imported on first use)

np = lazy("numpy")
pydicom = lazy("pydicom")


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode:
        raise SystemExit(f"FAIL: {' '.join(cmd)} exited {r.returncode}\n{r.stdout}{r.stderr}")
    return r.stdout


def load(tools, path, work):
    j, raw = os.path.join(work, "dump.json"), os.path.join(work, "dump.raw")
    run([os.path.join(tools, "qidcm-test-imagedump"), path, j, raw])
    meta = json.load(open(j))
    cols, rows, slices = meta["size"]
    return np.fromfile(raw, dtype=np.dtype(meta["dtype"])).reshape(slices, rows, cols)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bin", required=True)
    p.add_argument("--tools", required=True)
    p.add_argument("--work", required=True)
    a = p.parse_args()
    work = os.path.join(a.work, "scale")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    tool = lambda name: os.path.join(a.bin, name)
    problems = []

    out = run([tool("qidcm-synth"), "--outputDirectory", os.path.join(work, "case"), "--columns", "128", "--rows",
               "128", "--slices", "150", "--segments", "117", "--minSegmentSlices", "10", "--maxSegmentSlices", "150",
               "--logUniformExtents", "--format", "nii.gz", "--labelType", "uint8"])
    pairs = int(out.split("segments, ")[1].split(" ")[0])
    case = os.path.join(work, "case")
    label = os.path.join(case, "label.nii.gz")
    base = [tool("itkimage2segimage"), "--inputImageList", label, "--inputMetadata", os.path.join(case, "meta.json"),
            "--inputDICOMDirectory", os.path.join(case, "ct")]
    binary, labelmap = os.path.join(work, "binary.dcm"), os.path.join(work, "labelmap.dcm")
    run(base + ["--outputDICOM", binary])
    run(base + ["--outputDICOM", labelmap, "--segmentationType", "labelmap"])
    ds = pydicom.dcmread(binary, stop_before_pixels=True)
    print(f"binary SEG: {len(ds.SegmentSequence)} segments, {ds.NumberOfFrames} frames; {pairs} non-empty pairs")
    if len(ds.SegmentSequence) != 117:
        problems.append(f"{len(ds.SegmentSequence)} segments in the SEG")
    if int(ds.NumberOfFrames) != pairs:
        problems.append(f"{ds.NumberOfFrames} frames, the generator counts {pairs} non-empty (segment, slice) pairs")

    expected = load(a.tools, label, work)
    merged = os.path.join(work, "merged")
    # The reference series restores the empty border slices the writer skips.
    ref = ["--referenceDICOMDirectory", os.path.join(case, "ct")]
    run([tool("segimage2itkimage"), "--inputDICOM", binary, "--outputDirectory", merged, "--mergeSegments"] + ref)
    images = sorted(f for f in os.listdir(merged) if f.endswith(".nrrd"))
    if images != ["1.nrrd"]:
        problems.append(f"--mergeSegments wrote {images}; non-overlapping segments fit one image")
    r = subprocess.run([tool("qidcm-compare"), label, os.path.join(merged, "1.nrrd")], capture_output=True, text=True)
    print("merged: " + (r.stdout + r.stderr).strip())
    if r.returncode:
        problems.append("the merged image differs from the input")

    fromlabel = os.path.join(work, "from-labelmap")
    run([tool("segimage2itkimage"), "--inputDICOM", labelmap, "--outputDirectory", fromlabel] + ref)
    r = subprocess.run([tool("qidcm-compare"), label, os.path.join(fromlabel, "1.nrrd")], capture_output=True, text=True)
    print("labelmap: " + (r.stdout + r.stderr).strip())
    if r.returncode:
        problems.append("the label map SEG read back differs from the input")

    per = os.path.join(work, "per-segment")
    run([tool("segimage2itkimage"), "--inputDICOM", binary, "--outputDirectory", per] + ref)
    meta = json.load(open(os.path.join(per, "meta.json")))
    files = meta["segmentAttributes"]
    if len(files) != 117:
        problems.append(f"{len(files)} per-segment images")
    for n, attributes in enumerate(files, start=1):
        number = attributes[0]["labelID"]
        got = load(a.tools, os.path.join(per, f"{n}.nrrd"), work)
        want = np.where(expected == number, number, 0)
        if not np.array_equal(got.astype(np.int64), want.astype(np.int64)):
            problems.append(f"per-segment image {n} (segment {number}) differs from label {number} of the input")
    print(f"per-segment: {len(files)} images checked")
    for p_ in problems:
        print("FAIL: " + p_)
    print("ok" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
