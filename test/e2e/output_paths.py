#!/usr/bin/python3
"""Output handling and less common flags of itkimage2segimage:
  - an output that is a symbolic link is written through (its target is replaced);
  - an existing output file is replaced;
  - an interrupted conversion (SIGTERM) leaves no staging directory;
  - --sourceMatchTolerance widens slice-to-source matching;
  - --skip and --referencesGeometryCheck take any integer, as dcmqi's do.

Usage: output_paths.py --bin <build/apps> --tools <dir> --work <dir>
"""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.join(os.path.dirname(os.path.dirname(HERE)), "..", "shared", "data")
SEGS = os.path.join(SHARED, "dcmqi", "data", "segmentations")
CT3 = os.path.join(SEGS, "ct-3slice")
LIVER = os.path.join(SEGS, "liver_seg.nrrd")
META = os.path.join(SHARED, "dcmqi", "doc", "examples", "seg-example.json")

failures = []


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what)
    if not condition:
        failures.append(what)


def is_dicom(path):
    with open(path, "rb") as f:
        head = f.read(132)
    return len(head) == 132 and head[128:] == b"DICM"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bin", required=True)
    p.add_argument("--tools")
    p.add_argument("--work", required=True)
    a = p.parse_args()
    work = os.path.join(a.work, "output-paths")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    tool = os.path.join(a.bin, "itkimage2segimage")
    base = [tool, "--inputImageList", LIVER, "--inputMetadata", META, "--inputDICOMDirectory", CT3]

    # symbolic link: the target receives the SEG, the link stays a link
    target = os.path.join(work, "target.dcm")
    link = os.path.join(work, "link.dcm")
    open(target, "wb").close()
    os.symlink("target.dcm", link)
    r = subprocess.run(base + ["--outputDICOM", link], capture_output=True, text=True)
    check(r.returncode == 0 and os.path.islink(link) and is_dicom(target),
          f"symlinked output written through (exit {r.returncode}) {r.stderr.strip()}")

    # an existing file is replaced, and the success line is dcmqi's
    existing = os.path.join(work, "existing.dcm")
    open(existing, "w").write("old content")
    r = subprocess.run(base + ["--outputDICOM", existing], capture_output=True, text=True)
    check(r.returncode == 0 and is_dicom(existing), "existing output replaced")
    check(r.stdout.strip() == f"Saved segmentation as {existing}", f"success line: {r.stdout.strip()!r}")

    # --skip 2 and --referencesGeometryCheck 5 mean "on", as in dcmqi
    out = os.path.join(work, "skip2.dcm")
    r = subprocess.run(base + ["--outputDICOM", out, "--skip", "2", "--referencesGeometryCheck", "5"],
                       capture_output=True, text=True)
    check(r.returncode == 0 and is_dicom(out), f"--skip 2 accepted (exit {r.returncode})")

    # SIGTERM while writing: no staging directory, no output
    synth = os.path.join(work, "big")
    subprocess.run([os.path.join(a.bin, "qidcm-synth"), "--outputDirectory", synth, "--columns", "512",
                    "--rows", "512", "--slices", "120", "--segments", "40"], check=True, capture_output=True)
    out = os.path.join(work, "killed.dcm")
    proc = subprocess.Popen([tool, "--inputImageList", os.path.join(synth, "label.nrrd"), "--inputMetadata",
                             os.path.join(synth, "meta.json"), "--inputDICOMDirectory", os.path.join(synth, "ct"),
                             "--outputDICOM", out, "--skip", "0"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    saw_staging = False
    deadline = time.time() + 30
    while time.time() < deadline and proc.poll() is None:
        if any(n.startswith(".qidcm-staging") for n in os.listdir(work)):
            saw_staging = True
            time.sleep(0.05)
            proc.send_signal(signal.SIGTERM)
            break
        time.sleep(0.005)
    proc.wait()
    leftovers = [n for n in os.listdir(work) if n.startswith(".qidcm-staging")]
    if saw_staging and proc.returncode == -signal.SIGTERM:
        check(not leftovers and not os.path.exists(out), f"SIGTERM leaves nothing behind ({leftovers})")
    else:
        check(not leftovers, "conversion finished before the signal; nothing left behind")

    # matching tolerance: a label grid 0.3 slice spacings off the sources
    dump_json = os.path.join(work, "label.json")
    raw = os.path.join(work, "label.raw")
    subprocess.run([os.path.join(a.tools, "qidcm-test-imagedump"), os.path.join(synth, "label.nrrd"), dump_json, raw],
                   check=True)
    g = json.load(open(dump_json))
    shifted_header = open(os.path.join(synth, "label.nrrd"), "rb").read()
    # rewrite the origin line of the NRRD header
    head, _, data = shifted_header.partition(b"\n\n")
    lines = head.decode().split("\n")
    normal = g["direction"][2]
    origin = [g["origin"][i] + 0.3 * g["spacing"][2] * normal[i] for i in range(3)]
    lines = [("space origin: (" + ",".join(repr(v) for v in origin) + ")") if l.startswith("space origin") else l
             for l in lines]
    shifted = os.path.join(work, "shifted.nrrd")
    open(shifted, "wb").write("\n".join(lines).encode() + b"\n\n" + data)
    args = [tool, "--inputImageList", shifted, "--inputMetadata", os.path.join(synth, "meta.json"),
            "--inputDICOMDirectory", os.path.join(synth, "ct")]
    r = subprocess.run(args + ["--outputDICOM", os.path.join(work, "t1.dcm")], capture_output=True, text=True)
    check(r.returncode == 1 and "fits no source" in r.stderr, "0.3-spacing offset refused with the default tolerance")
    r = subprocess.run(args + ["--outputDICOM", os.path.join(work, "t2.dcm"), "--sourceMatchTolerance", "0.4"],
                       capture_output=True, text=True)
    check(r.returncode == 0, f"... and accepted with --sourceMatchTolerance 0.4 ({r.stderr.strip()})")
    print(f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
