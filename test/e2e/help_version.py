#!/usr/bin/python3
"""Every tool answers --help (with examples) and --version with exit 0, and
the documentation page --help names exists."""
import argparse
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bin", required=True)
    p.add_argument("--tools")
    p.add_argument("--work")
    p.add_argument("--tools-list", required=True, help="the tools, ';'-separated (from CMake)")
    a = p.parse_args()
    failures = 0
    for tool in a.tools_list.split(";"):
        exe = os.path.join(a.bin, tool)
        h = subprocess.run([exe, "--help"], capture_output=True, text=True)
        v = subprocess.run([exe, "--version"], capture_output=True, text=True)
        problems = []
        if h.returncode != 0 or "Examples:" not in h.stdout or tool + " " not in h.stdout:
            problems.append(f"--help: exit {h.returncode}, examples present: {'Examples:' in h.stdout}")
        for page in re.findall(r"Documentation: (\S+)", h.stdout):
            if not os.path.isfile(os.path.join(ROOT, page)):
                problems.append(f"--help names {page}, which does not exist")
        if v.returncode != 0 or not v.stdout.startswith(f"{tool} (qidcm) "):
            problems.append(f"--version: exit {v.returncode}, output {v.stdout.strip()!r}")
        print(("ok   " if not problems else "FAIL ") + tool + ("" if not problems else ": " + "; ".join(problems)))
        failures += bool(problems)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
