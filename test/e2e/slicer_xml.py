#!/usr/bin/python3
"""Every tool's --xml is a Slicer Execution Model description that 3D Slicer
can load: an <executable> with category, title, description and <parameters>
groups; parameters of known element types, each with a name and a long flag;
files, directories and images with a channel; enumerations with elements.
And it lists exactly the flags the tool accepts (those --help shows, less
--help, --version and --xml themselves).

Usage: slicer_xml.py --bin <build/apps> --tools-list "a;b;..." [--tools <dir>] [--work <dir>]
"""
import argparse
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

ELEMENTS = {"integer", "float", "double", "boolean", "string", "integer-vector", "float-vector", "double-vector",
            "string-vector", "integer-enumeration", "float-enumeration", "double-enumeration", "string-enumeration",
            "file", "directory", "image", "geometry", "point", "pointfile", "region", "table", "transform"}
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def help_flags(exe):
    text = subprocess.run([exe, "--help"], capture_output=True, text=True).stdout
    flags = set()
    for line in text.splitlines():
        if line.startswith("Examples:"):
            break
        m = re.match(r"^\s+(?:-\w+,)*--([A-Za-z][\w-]*)", line)
        if m:
            flags.add(m.group(1))
    return flags - {"help", "version", "xml"}


def check(exe, name):
    problems = []
    r = subprocess.run([exe, "--xml"], capture_output=True, text=True)
    if r.returncode != 0:
        return [f"--xml exit {r.returncode}"]
    try:
        root = ET.fromstring(r.stdout)
    except ET.ParseError as e:
        return [f"--xml is not well-formed XML: {e}"]
    if root.tag != "executable":
        problems.append(f"root <{root.tag}>, expected <executable>")
    for tag in ("category", "title", "description"):
        if root.find(tag) is None or not (root.find(tag).text or "").strip():
            problems.append(f"missing <{tag}>")
    if root.findtext("title") != name:
        problems.append(f"title {root.findtext('title')!r}")
    groups = root.findall("parameters")
    if not groups:
        problems.append("no <parameters> group")
    longflags = set()
    for g in groups:
        if not (g.findtext("label") or "").strip():
            problems.append("a <parameters> group without a label")
        for p in g:
            if p.tag in ("label", "description"):
                continue
            if p.tag not in ELEMENTS:
                problems.append(f"unknown parameter element <{p.tag}>")
                continue
            pname = p.findtext("name") or ""
            if not IDENTIFIER.match(pname):
                problems.append(f"parameter name {pname!r} is not an identifier")
            longflag = p.findtext("longflag")
            if not longflag:
                problems.append(f"{pname}: no <longflag>")
                continue
            longflags.add(longflag.lstrip("-"))
            if p.tag in ("file", "directory", "image") and p.findtext("channel") not in ("input", "output"):
                problems.append(f"{pname}: <{p.tag}> without an input/output channel")
            if p.tag.endswith("-enumeration"):
                elements = [e.text for e in p.findall("element")]
                if not elements:
                    problems.append(f"{pname}: enumeration without elements")
                if p.findtext("default") not in elements:
                    problems.append(f"{pname}: default {p.findtext('default')!r} not among {elements}")
            if p.tag == "boolean" and p.findtext("default") not in ("true", "false"):
                problems.append(f"{pname}: boolean default {p.findtext('default')!r}")
    accepted = help_flags(exe)
    if longflags != accepted:
        problems.append(f"--xml lists {sorted(longflags - accepted)} that the tool does not accept, "
                        f"and lacks {sorted(accepted - longflags)}")
    return problems


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bin", required=True)
    p.add_argument("--tools")
    p.add_argument("--work")
    p.add_argument("--tools-list", required=True, help="the tools, ';'-separated (from CMake)")
    a = p.parse_args()
    failures = 0
    for tool in a.tools_list.split(";"):
        problems = check(os.path.join(a.bin, tool), tool)
        print(("ok   " if not problems else "FAIL ") + tool)
        for pr in problems:
            print("     " + pr)
        failures += bool(problems)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
