#!/usr/bin/python3
"""Runs PixelMed's DicomSRValidator (Debian pixelmed-apps) on an SR and fails
on any error or warning, except warnings matching a --known pattern.

The /usr/bin/DicomSRValidator wrapper fails on Java 17 because of the JDK's
XPath expression limits, so the class is run directly with the limits lifted.

Usage: pixelmed_sr_check.py <file> [--known "<regular expression>"]...
"""
import re
import subprocess
import sys

JAR = "/usr/share/java/pixelmed.jar"
JAVA = ["java", "-Djdk.xml.xpathExprOpLimit=0", "-Djdk.xml.xpathExprGrpLimit=0",
        "-Djdk.xml.xpathTotalOpLimit=0", "-cp", JAR, "com.pixelmed.validate.DicomSRValidator"]


def main():
    args = sys.argv[1:]
    if not args:
        print(__doc__, file=sys.stderr)
        return 2
    path, known = args[0], []
    i = 1
    while i < len(args):
        if args[i] == "--known" and i + 1 < len(args):
            known.append(re.compile(args[i + 1]))
            i += 2
        else:
            print("unexpected argument " + args[i], file=sys.stderr)
            return 2
    r = subprocess.run(JAVA + [path], capture_output=True, text=True)
    out = r.stdout + r.stderr
    if "Root Template Validation Complete" not in out or "IOD validation complete" not in out:
        print("PixelMed did not complete the validation of " + path + ":\n" + out)
        return 1
    bad, tolerated = [], []
    for line in out.splitlines():
        if line.startswith("Error") or "Internal Error" in line:
            bad.append(line)
        elif line.startswith("Warning"):
            (tolerated if any(k.search(line) for k in known) else bad).append(line)
    for line in tolerated:
        print("known: " + line)
    for line in bad:
        print("PixelMed: " + line)
    print(f"PixelMed DicomSRValidator: {len(bad)} error(s)/warning(s), {len(tolerated)} known warning(s)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
