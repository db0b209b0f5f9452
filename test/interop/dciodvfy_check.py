#!/usr/bin/python3
"""Runs dciodvfy (dicom3tools) on a file and fails on any error it reports,
except the exact messages listed as known. Deflated files are first inflated
with DCMTK's dcmconv, since this dciodvfy build cannot read them.

Usage: dciodvfy_check.py <file> [--known "<exact error message>"]... [--may "<exact error message>"]...
                         [--labelmap]
--known messages must appear (so that the list is updated when a newer build
stops reporting them); --may messages are tolerated only.
"""
import os
import subprocess
import sys
import tempfile

# The dciodvfy build in Debian 12 (2022) predates Label Map Segmentation
# (Supplement 243). On a LABELMAP SEG it reports these, which are not defects:
LABELMAP_KNOWN = [
    # it does not know SOP Class 1.2.840.10008.5.1.4.1.1.66.7
    "Error - Information Object Not found",
    # it applies the BINARY rule "Segment Numbers start at 1, step 1"; a label
    # map describes background as Segment 0 and may have gaps (Sup 243)
    "Error - SegmentNumber not monotonically increasing from one by one - "
    "have SegmentSequence item number 1 (from one) with SegmentNumber of 0",
]


def main():
    args = sys.argv[1:]
    if not args:
        print(__doc__, file=sys.stderr)
        return 2
    path = args[0]
    known = []
    may = []  # tolerated, but not required to appear
    i = 1
    while i < len(args):
        if args[i] == "--known":
            known.append(args[i + 1])
            i += 2
        elif args[i] == "--may":
            may.append(args[i + 1])
            i += 2
        elif args[i] == "--labelmap":
            known.extend(LABELMAP_KNOWN)
            i += 1
        else:
            print(f"unknown argument {args[i]}", file=sys.stderr)
            return 2
    with tempfile.TemporaryDirectory() as tmp:
        ts = subprocess.run(["dcmdump", "-M", "+P", "0002,0010", path], capture_output=True, text=True).stdout
        target = path
        if "1.2.840.10008.1.2.1.99" in ts or "DeflatedLittleEndianExplicit" in ts:
            target = os.path.join(tmp, "inflated.dcm")
            subprocess.run(["dcmconv", "+te", path, target], check=True)
        out = subprocess.run(["dciodvfy", target], capture_output=True, text=True)
    lines = (out.stdout + out.stderr).splitlines()
    errors = [l.strip() for l in lines if "Error" in l]
    unexpected = [e for e in errors if e not in known and e not in may]
    missing = [k for k in known if k not in errors and k not in LABELMAP_KNOWN]
    if unexpected or missing:
        for e in unexpected:
            print(f"dciodvfy: unexpected: {e}", file=sys.stderr)
        for k in missing:
            print(f"dciodvfy: expected message not reported (update the known list): {k}", file=sys.stderr)
        return 1
    print(f"dciodvfy: {path}: no errors" + (f" besides {len(errors)} known message(s)" if errors else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
