"""The command line every case-table driver in test/e2e takes:

    <driver>.py --list                      the case names, ';'-separated (CMake reads them at configure time)
    <driver>.py CASE --bin DIR --tools DIR --work DIR

--bin is the directory of the qidcm tools, --tools that of the test helper
programs (qidcm-test-imagedump, ...), --work a scratch directory.

A case passes or fails by its exit status; the drivers that collect what a case
finds with problem() end with finish().
"""
import argparse
import os
import shutil
import sys


def case_arguments(names, need_tools=True):
    """Parses the command line against the case names (any iterable); prints
    them and exits on --list, exits with a usage error on an unknown case or a
    missing directory. Returns the parsed arguments (case, bin, tools, work)."""
    names = list(names)
    p = argparse.ArgumentParser()
    p.add_argument("case", nargs="?")
    p.add_argument("--list", action="store_true")
    p.add_argument("--bin")
    p.add_argument("--tools")
    p.add_argument("--work")
    a = p.parse_args()
    if a.list:
        print(";".join(names))
        sys.exit(0)
    if a.case not in names:
        p.error(f"unknown case {a.case!r}; --list lists them")
    missing = [f"--{k}" for k in ("bin", "tools", "work") if not getattr(a, k) and (k != "tools" or need_tools)]
    if missing:
        p.error(" and ".join(missing) + " required")
    return a


def fresh_directory(*parts):
    """os.path.join(*parts), emptied (or created) for one case's run."""
    path = os.path.join(*parts)
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


problems = []  # what the running case found, in the order found


def problem(text):
    """Records (and prints) a problem the running case found: the case fails."""
    problems.append(text)
    print("FAIL: " + text)


def finish():
    """The exit status of a case run with problem(): 1 after any problem, else 0."""
    if problems:
        print(f"{len(problems)} problem(s)")
        return 1
    print("ok")
    return 0
